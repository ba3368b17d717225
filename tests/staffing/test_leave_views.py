"""The leave screens and API: ask, decide, review the cover of a provider's leave and apply it from the page (EN/ES),
with the query count of the coordinator's page pinned."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment
from clinicdesk.staffing import leave_services
from clinicdesk.staffing.models import LeaveRequest, LeaveStatus
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory, weekly_availability

pytestmark = pytest.mark.django_db

WED = dt.date(2026, 11, 25)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour + 5, minute, tzinfo=dt.UTC)


def client_for(user, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


@pytest.fixture
def approved(clock, coordinator, provider, location, follow_up):
    colleague = PractitionerFactory(specialty="Family Medicine", last_name="Colleague")
    weekly_availability(colleague, location)
    for n in range(2):
        AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                           patient=PatientFactory(home_location=location, family_name=f"Leavetest{n}"),
                           start=at(WED, 10, 30 * n))
    leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=WED, last_day=WED,
                                         practitioner_id=provider.pk)
    return leave_services.leave_approve(actor=coordinator, leave_id=leave.pk), colleague


def test_a_nurse_asks_for_leave_from_the_page(clock, make_user, location):
    nurse = make_user(Role.NURSE)
    client = client_for(nurse)
    response = client.post(f"/staffing/leave/new/?location={location.pk}", {
        "kind": "vacation", "first_day": "2026-12-21", "last_day": "2026-12-24", "note": ""})
    leave = LeaveRequest.objects.get(user=nurse)
    assert response.status_code == 302 and response["Location"] == f"/staffing/leave/{leave.pk}/"
    html = client.get(f"/staffing/leave/?location={location.pk}").content.decode()
    assert "My leave" in html and "Requested" in html and "Requests to decide" not in html
    overlap = client.post(f"/staffing/leave/new/?location={location.pk}", {
        "kind": "personal", "first_day": "2026-12-24", "last_day": "2026-12-26"})
    assert overlap.status_code == 422 and "overlaps requested leave" in overlap.content.decode()


def test_the_coordinator_decides_on_the_page_in_spanish(clock, make_user, coordinator, location):
    nurse = make_user(Role.NURSE, first_name="Nora", last_name="Nurse")
    leave = leave_services.leave_request(actor=nurse, kind="sick", first_day=WED, last_day=WED)
    client = client_for(coordinator, "es")
    html = client.get(f"/staffing/leave/?location={location.pk}").content.decode()
    assert "Solicitudes por decidir" in html and "Nora Nurse" in html
    declined = client.post(f"/staffing/leave/{leave.pk}/decline/", {"note": ""}, follow=True).content.decode()
    assert "Indique por qué" in declined
    client.post(f"/staffing/leave/{leave.pk}/approve/", {"note": ""})
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.APPROVED


def test_the_cover_is_reviewed_and_applied_from_the_page(approved, coordinator, provider):
    leave, colleague = approved
    client = client_for(coordinator)
    html = client.get(f"/staffing/leave/{leave.pk}/").content.decode()
    assert "Appointments to cover" in html and "Leavetest0" in html and str(colleague) in html
    values = [part.split('value="')[1].split('"')[0] for part in html.split('name="move"')[1:]]
    assert len(values) == 2
    done = client.post(f"/staffing/leave/{leave.pk}/cover/", {"move": values}, follow=True).content.decode()
    assert "2 appointments moved" in done
    assert set(Appointment.objects.filter(appointment_type__isnull=False).values_list("practitioner_id", flat=True)) \
        == {colleague.pk}


def test_the_leave_page_costs_a_fixed_number_of_queries(clock, make_user, coordinator, location):
    client = client_for(coordinator)
    url = f"/staffing/leave/?location={location.pk}"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        person = make_user(Role.NURSE, first_name=f"N{n}")
        leave = leave_services.leave_request(actor=person, kind="vacation", first_day=WED + dt.timedelta(n * 3),
                                             last_day=WED + dt.timedelta(n * 3 + 1))
        if n % 2:
            leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)
    assert count() == before


def test_the_api_lists_asks_decides_and_applies(approved, coordinator, location):
    leave, _colleague = approved
    client = client_for(coordinator)
    listed = client.get(f"/api/v1/leave?location={location.pk}").json()
    assert [item["id"] for item in listed["items"]] == [leave.pk] and listed["items"][0]["status"] == "approved"
    proposals = client.get(f"/api/v1/leave/{leave.pk}/cover-proposals").json()["items"]
    assert {p["proposal"] for p in proposals} == {"other-provider"}
    assert "patient" not in json.dumps(proposals)  # ids and times only
    moves = [{"appointment": p["appointment"], "start": p["start"], "practitioner": p["practitioner"]}
             for p in proposals]
    applied = client.post(f"/api/v1/leave/{leave.pk}/cover", {"moves": moves},
                          content_type="application/json")
    assert applied.status_code == 200 and len(applied.json()["moved"]) == 2
    asked = client.post("/api/v1/leave", {"kind": "personal", "firstDay": "2026-12-01", "lastDay": "2026-12-01"},
                        content_type="application/json")
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    decided = client.post(f"/api/v1/leave/{asked.json()['id']}/approve", {}, content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
