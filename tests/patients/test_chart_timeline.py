"""The chart's header (key facts, actions) and its timeline of appointments, calls, messages, payments and
documents: newest first, bounded, in a constant number of queries, audited as a chart read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.comms.models import Message
from clinicdesk.core import clock as clock_module
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.services import call_record
from clinicdesk.patients.models import Document
from clinicdesk.patients.selectors import patient_chart_full
from clinicdesk.patients.timeline import LIMIT
from tests.factories import AppointmentFactory, UserFactory

_counter = iter(range(10_000))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history(patient, location, provider, follow_up, clerk, *, days_ago: int) -> None:
    """One of each kind of timeline entry, `days_ago` days back."""
    when = clock_module.now() - dt.timedelta(days=days_ago)
    n = next(_counter)
    AppointmentFactory(patient=patient, location=location, practitioner=provider, appointment_type=follow_up,
                       start=when - dt.timedelta(hours=1))
    call_record(actor=clerk, location_id=location.pk, caller_name="Ana", reason="billing", disposition="resolved",
                patient_id=patient.pk)
    Message.objects.create(patient=patient, kind="manual", channel="sms", to_address="+14135550199", body="Hi",
                           send_after=when, dedupe_key=f"t-{n}")
    payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("10"),
                    tender=Tender("cash"))
    Document.objects.create(patient=patient, kind="referral", document_date=when.date(), storage_name=f"x{n}.pdf",
                            content_type="application/pdf", size=1, sha256="0" * 64, uploaded_at=when)


def test_chart_timeline_has_every_kind_newest_first(clerk, patient, location, provider, follow_up, clock):
    _history(patient, location, provider, follow_up, clerk, days_ago=3)
    chart = patient_chart_full(actor=clerk, patient_id=patient.pk)
    assert {e.kind for e in chart.timeline} == {"appointment", "call", "message", "payment", "document"}
    assert [e.when for e in chart.timeline] == sorted((e.when for e in chart.timeline), reverse=True)


def test_chart_timeline_is_bounded(clerk, patient, location, provider, follow_up, clock):
    for day in range(12):
        _history(patient, location, provider, follow_up, clerk, days_ago=day + 1)
    assert len(patient_chart_full(actor=clerk, patient_id=patient.pk).timeline) == LIMIT


def test_chart_timeline_leaves_payments_out_for_a_provider(clerk, patient, location, provider, follow_up, clock):
    _history(patient, location, provider, follow_up, clerk, days_ago=2)
    doctor = UserFactory(role=Role.PROVIDER, location=location)
    chart = patient_chart_full(actor=doctor, patient_id=patient.pk)
    assert "payment" not in {e.kind for e in chart.timeline} and chart.balance is None


def test_chart_header_shows_key_facts_and_actions(clerk, patient, location, provider, follow_up, clock):
    _history(patient, location, provider, follow_up, clerk, days_ago=2)
    page = _client(clerk).get(f"/patients/{patient.pk}/").content.decode()
    for text in ("patient-header", patient.mrn, "Balance", "Insurance", "Book", "Message", "Collect",
                 "Add to waitlist", 'id="timeline"', "Referral"):
        assert text in page, text


def test_chart_read_is_audited_once(clerk, patient, location, provider, follow_up, clock):
    _history(patient, location, provider, follow_up, clerk, days_ago=2)
    before = AuditEntry.objects.filter(action="patient.read").count()
    assert _client(clerk).get(f"/patients/{patient.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="patient.read").count() == before + 1


def test_chart_hidden_from_another_location(patient, clerk_elsewhere, clock):
    assert _client(clerk_elsewhere).get(f"/patients/{patient.pk}/").status_code == 404


def test_chart_query_count_does_not_grow_with_history(clerk, patient, location, provider, follow_up, clock):
    client = _client(clerk)
    _history(patient, location, provider, follow_up, clerk, days_ago=1)
    client.get(f"/patients/{patient.pk}/")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/patients/{patient.pk}/").status_code == 200
    for day in range(5):
        _history(patient, location, provider, follow_up, clerk, days_ago=day + 2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/patients/{patient.pk}/").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
