"""The portal's JSON API (/api/v1/portal/patients/<id>/...): the portal cookie, the same services as the pages, a
patient reaches only their own and their authorized dependents' data (another id is a 404), every call audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.portal.actor import COOKIE_NAME
from clinicdesk.portal.models import PortalMessage
from clinicdesk.portal.services import proxy_authorize
from clinicdesk.scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory

from .helpers import portal_client


@pytest.fixture
def child(location):
    return PatientFactory(home_location=location, given_name="Lia", family_name="Lopez",
                          birth_date=dt.date(2018, 3, 1), email="")


@pytest.fixture
def signed_in(clock, client, clerk, ana, child):
    proxy_authorize(actor=clerk, proxy_id=ana.pk, dependent_id=child.pk, kind="parent-of-minor",
                    valid_from=dt.date(2026, 1, 1))
    return portal_client(client, ana)


def _post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_a_patient_reads_their_own_and_their_dependents_data_only(signed_in, ana, ben, child, location, provider):
    visit = AppointmentFactory(location=location, patient=ana, practitioner=provider,
                               start=dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC))
    own = signed_in.get(f"/api/v1/portal/patients/{ana.pk}")
    assert own.status_code == 200 and own.json()["patient"]["givenName"] == "Ana"
    assert {p["id"] for p in own.json()["people"]} == {ana.pk, child.pk}
    assert [a["id"] for a in signed_in.get(f"/api/v1/portal/patients/{ana.pk}/appointments").json()[
        "appointments"]] == [visit.pk]
    dependent = signed_in.get(f"/api/v1/portal/patients/{child.pk}")
    assert dependent.status_code == 200 and dependent.json()["actingAsProxy"] is True
    for suffix in ("", "/appointments", "/booking-options", "/messages", "/account"):
        assert signed_in.get(f"/api/v1/portal/patients/{ben.pk}{suffix}").status_code == 404, suffix
    assert _post(signed_in, f"/api/v1/portal/patients/{ben.pk}/messages", {"topic": "other", "body": "x"}
                 ).status_code == 404
    theirs = AppointmentFactory(location=location, patient=ben, practitioner=provider,
                                start=dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC))
    assert signed_in.post(f"/api/v1/portal/patients/{ana.pk}/appointments/{theirs.pk}/cancel").status_code == 404
    assert Appointment.objects.get(pk=theirs.pk).status == "booked"
    reads = AuditEntry.objects.filter(action="portal.read", actor_username=f"patient:{ana.pk}")
    assert reads.filter(patient_id=child.pk).exists() and not reads.filter(patient_id=ben.pk).exists()


def test_without_the_portal_cookie_the_api_answers_401(client, clock, ana, clerk):
    client.force_login(clerk)  # a staff session is not a portal session
    answer = client.get(f"/api/v1/portal/patients/{ana.pk}")
    assert answer.status_code == 401 and answer["Content-Type"].startswith("application/problem+json")


def test_book_cancel_and_message_through_the_same_services(signed_in, ana, rule, provider):
    options = signed_in.get(f"/api/v1/portal/patients/{ana.pk}/booking-options",
                            {"appointmentType": rule.appointment_type_id}).json()
    assert [k["id"] for k in options["kinds"]] == [rule.appointment_type_id] and options["options"]
    booked = _post(signed_in, f"/api/v1/portal/patients/{ana.pk}/appointments",
                   {"appointmentType": rule.appointment_type_id, "option": options["options"][0]["option"]})
    assert booked.status_code == 201, booked.content
    appointment = Appointment.objects.get(pk=booked.json()["id"])
    assert appointment.patient == ana and AuditEntry.objects.filter(action="portal.appointment_book").exists()
    cancelled = signed_in.post(f"/api/v1/portal/patients/{ana.pk}/appointments/{appointment.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    bad = _post(signed_in, f"/api/v1/portal/patients/{ana.pk}/messages", {"topic": "other", "body": " "})
    assert bad.status_code == 422 and not PortalMessage.objects.exists()
    sent = _post(signed_in, f"/api/v1/portal/patients/{ana.pk}/messages", {"topic": "billing", "body": "My bill?"})
    assert sent.status_code == 201
    listed = signed_in.get(f"/api/v1/portal/patients/{ana.pk}/messages").json()["messages"]
    assert [m["body"] for m in listed] == ["My bill?"]
    account = signed_in.get(f"/api/v1/portal/patients/{ana.pk}/account").json()
    assert account["balance"] == "0.00" and account["payments"] == []


def test_the_portal_operations_are_described_with_the_portal_cookie(client):
    document = client.get("/api/v1/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["portalSession"]
    assert scheme == scheme | {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME}
    operations = [(path, method, op) for path, item in document["paths"].items()
                  if path.startswith("/api/v1/portal/") for method, op in item.items()]
    assert len(operations) == 8
    for path, method, op in operations:
        names = {name for requirement in op["security"] for name in requirement}
        assert "portalSession" in names and "session" not in names, (path, method)
        assert {"csrfCookie", "csrfHeader"} <= names if method == "post" else names == {"portalSession"}
