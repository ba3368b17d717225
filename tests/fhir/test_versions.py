"""#13 item 5: FHIR versions are stored when a resource CHANGES, whichever face changed it (web UI, JSON API,
FHIR, services), and a read never writes; `_history` and vread show every change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client

from clinicdesk.core.permissions import Role
from clinicdesk.interop.fhir import versions
from clinicdesk.interop.fhir.models import ResourceVersion
from tests.factories import AppointmentFactory, PatientFactory

from .test_patient import _patient
from .test_scheduling import _booking


def _history(api, path):
    response = api.get(f"{path}/_history")
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert bundle["type"] == "history"
    return bundle


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reads_of_every_kind_write_no_version(clinic, system_api, clock):
    api = system_api()
    ana = clinic.patients[0]
    appointment = AppointmentFactory(patient=ana, practitioner=clinic.practitioner, location=clinic.location,
                                     appointment_type=clinic.kind)
    before = ResourceVersion.objects.count()
    assert api.get(f"Patient/{ana.pk}").json()["meta"]["versionId"] == "1"
    assert api.get("Patient", {"family": "garcia"}).json()["total"] == 2
    assert api.get(f"Patient/{ana.pk}/_history/1").status_code == 200
    assert api.get(f"Appointment/{appointment.pk}").json()["meta"]["versionId"] == "1"
    assert api.get("Appointment", {"patient": f"Patient/{ana.pk}", "_include": "Appointment:patient"}).json()[
        "total"] == 1
    assert api.get(f"Appointment/{appointment.pk}/_history/1").status_code == 200
    assert api.post("Patient/$match", {"resourceType": "Patient", "name": [{"family": "Garcia", "given": ["Ana"]}],
                                       "birthDate": "1980-05-17"}).status_code == 200
    assert ResourceVersion.objects.count() == before, "a GET stored a version"
    assert _history(api, f"Patient/{ana.pk}")["total"] == 1
    assert ResourceVersion.objects.count() == before


def test_patient_history_shows_every_change_made_in_the_ui_and_through_fhir(clinic, system_api, staff, clock):
    api = system_api()
    created = api.post("Patient", _patient(family="Lopez", given="Maria"))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    desk = _web(staff(Role.FRONT_DESK))
    # Two changes in the web UI with nobody reading in between: each is a version.
    form = {"family_name": "Lopez", "given_name": "Maria", "birth_date": "03/04/1985", "sex": "female",
            "phone": "413-555-0177", "phone_type": "mobile", "alt_phone_type": "home", "preferred_language": "en",
            "email": "maria@example.org", "state": "", "postal_code": "", "city": ""}
    assert desk.post(f"/patients/{pk}/edit/", form).status_code == 302
    assert desk.post(f"/patients/{pk}/edit/", {**form, "email": "maria.lopez@example.org"}).status_code == 302
    current = api.get(f"Patient/{pk}").json()
    current["name"] = [{"use": "official", "family": "Lopez-Garcia", "given": ["Maria"]}]
    updated = api.put(f"Patient/{pk}", current, **{"If-Match": 'W/"3"'})
    assert updated.status_code == 200, updated.content
    assert updated.json()["meta"]["versionId"] == "4"
    assert desk.post(f"/patients/{pk}/inactivate/", {"reason": "Moved away"}).status_code in (200, 302)

    bundle = _history(api, f"Patient/{pk}")
    assert [e["resource"]["meta"]["versionId"] for e in bundle["entry"]] == ["5", "4", "3", "2", "1"]
    assert bundle["entry"][-1]["request"]["method"] == "POST"
    emails = [next((t["value"] for t in e["resource"].get("telecom", []) if t["system"] == "email"), None)
              for e in reversed(bundle["entry"])]
    assert emails[:3] == [None, "maria@example.org", "maria.lopez@example.org"]
    assert api.get(f"Patient/{pk}/_history/2").json()["telecom"][-1]["value"] == "maria@example.org"
    assert api.get(f"Patient/{pk}/_history/4").json()["name"][0]["family"] == "Lopez-Garcia"
    latest = api.get(f"Patient/{pk}")
    assert latest.json()["active"] is False and latest["ETag"] == 'W/"5"'


def test_a_chart_made_before_versions_were_kept_keeps_its_version_1(clinic, system_api, clock):
    from clinicdesk.core.permissions import Perm, SystemActor
    from clinicdesk.patients.services import patient_update

    api = system_api()
    luis = clinic.patients[1]  # made by a bulk load: no version stored
    assert not ResourceVersion.objects.filter(resource_type="Patient", resource_id=str(luis.pk)).exists()
    served = api.get(f"Patient/{luis.pk}").json()
    patient_update(actor=SystemActor("t", frozenset({Perm.PATIENT_WRITE})), patient_id=luis.pk,
                   changes={"email": "luis@example.com"})
    old = api.get(f"Patient/{luis.pk}/_history/1").json()
    assert {k: v for k, v in old.items() if k != "meta"} == {k: v for k, v in served.items() if k != "meta"}
    assert api.get(f"Patient/{luis.pk}").json()["meta"]["versionId"] == "2"


def test_appointment_history_shows_changes_from_the_json_api_the_calendar_and_fhir(
        clinic, system_api, staff, clock, django_capture_on_commit_callbacks):
    api = system_api()
    clerk = _web(staff(Role.FRONT_DESK))
    ana = clinic.patients[0]

    def post(url, body):
        return clerk.post(url, json.dumps(body), content_type="application/json")

    with django_capture_on_commit_callbacks(execute=True):
        booked = post("/api/v1/appointments", {
            "patient": ana.pk, "practitioner": clinic.practitioner.pk, "location": clinic.location.pk,
            "appointmentType": clinic.kind.pk, "start": "2026-11-24T14:00:00+00:00"})
    assert booked.status_code == 201, booked.content
    pk = booked.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        moved = post(f"/api/v1/appointments/{pk}/reschedule", {"start": "2026-11-24T15:00:00+00:00"})
    assert moved.status_code == 200, moved.content
    with django_capture_on_commit_callbacks(execute=True):
        dragged = clerk.post(f"/schedule/appointments/{pk}/move/", {"day": "2026-11-24", "time": "11:00"},
                             HTTP_HX_REQUEST="true")
    assert dragged.status_code == 200
    cancelled = api.patch(f"Appointment/{pk}", [{"op": "replace", "path": "/status", "value": "cancelled"},
                                                {"op": "add", "path": "/cancelationReason", "value": "Ill"}])
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["meta"]["versionId"] == "4"

    bundle = _history(api, f"Appointment/{pk}")
    kept = [(e["resource"]["meta"]["versionId"], e["resource"]["start"], e["resource"]["status"])
            for e in reversed(bundle["entry"])]
    assert kept == [("1", "2026-11-24T14:00:00Z", "booked"), ("2", "2026-11-24T15:00:00Z", "booked"),
                    ("3", "2026-11-24T16:00:00Z", "booked"), ("4", "2026-11-24T16:00:00Z", "cancelled")]
    assert api.get(f"Appointment/{pk}/_history/2").json()["start"] == "2026-11-24T15:00:00Z"


def test_a_status_move_from_the_calendar_is_a_version_at_once(clinic, system_api, staff, clock):
    api = system_api()
    ana = clinic.patients[0]
    created = api.post("Appointment", _booking(clinic, ana, start="2026-11-23T16:00:00Z")).json()
    clerk = _web(staff(Role.FRONT_DESK))
    # Inside the status move's transaction (no commit needed): the panel's "Mark arrived".
    moved = clerk.post(f"/schedule/appointments/{created['id']}/status/", {"status": "arrived"},
                       HTTP_HX_REQUEST="true")
    assert moved.status_code == 200, moved.content
    assert api.get(f"Appointment/{created['id']}").json()["meta"]["versionId"] == "2"
    assert api.get(f"Appointment/{created['id']}/_history/1").json()["status"] == "booked"


@pytest.fixture
def coordinator(staff):
    return staff(Role.PATIENT_COORDINATOR)


def test_a_merge_is_a_version_of_both_charts_and_of_each_moved_appointment(
        clinic, system_api, coordinator, clock, django_capture_on_commit_callbacks):
    from clinicdesk.patients.services import patient_merge

    api = system_api()
    keep = clinic.patients[2]
    twin = PatientFactory(family_name="Smith", given_name="Jon", birth_date=keep.birth_date,
                          home_location=clinic.location, sex="male")
    visit = AppointmentFactory(patient=twin, practitioner=clinic.practitioner, location=clinic.location,
                               appointment_type=clinic.kind)
    with django_capture_on_commit_callbacks(execute=True):
        patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=twin.pk, reason="Same person, typo")
    merged = _history(api, f"Patient/{twin.pk}")
    assert [e["resource"]["active"] for e in merged["entry"]] == [False, True]
    assert merged["entry"][0]["resource"]["link"][0]["other"]["reference"] == f"Patient/{keep.pk}"
    moved = _history(api, f"Appointment/{visit.pk}")
    assert [e["resource"]["participant"][0]["actor"]["reference"] for e in moved["entry"]] == [
        f"Patient/{keep.pk}", f"Patient/{twin.pk}"]


@pytest.mark.django_db(transaction=True)
def test_version_1_written_after_commit_is_written_once_and_a_second_try_says_so():
    """After commit (autocommit, no transaction around it) version 1 is one INSERT; a second writer of version 1
    (the hook ran twice, or a change came first) is told so and the connection goes on working."""
    assert not connection.in_atomic_block
    when = dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC)
    assert versions.record_first("Appointment", 999001, {"status": "booked"}, when=when) is True
    assert versions.record_first("Appointment", 999001, {"status": "cancelled"}, when=when) is False
    assert versions.record("Appointment", 999001, {"status": "cancelled"}, when=when, new=True) == 2
    assert list(ResourceVersion.objects.filter(resource_id="999001").order_by("version_id")
                .values_list("version_id", "content")) == [(1, {"status": "booked"}), (2, {"status": "cancelled"})]
