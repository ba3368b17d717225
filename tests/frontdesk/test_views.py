"""The pages: each answers the permitted user, hides records from another location, refuses outsiders,
and runs a constant number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.accounts.middleware import LAST_SEEN
from clinicdesk.billing.models import LedgerEntry
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Visit
from clinicdesk.frontdesk.services import (
    call_record,
    task_create,
    visit_arrive,
    visit_check_in,
    visitor_sign_in,
    walk_in_add,
)
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

from .conftest import TODAY, at


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _populate(n, *, clerk, location, provider, follow_up_type, start_hour):
    for i in range(n):
        patient = PatientFactory(home_location=location)
        appointment = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                         appointment_type=follow_up_type, start=at(start_hour + i))
        visit_check_in(actor=clerk, appointment_id=appointment.pk) if start_hour + i == 10 else None
        walk_in_add(actor=clerk, location_id=location.pk, patient_id=PatientFactory(home_location=location).pk,
                    practitioner_id=provider.pk, service_id=follow_up_type.pk)
        visitor_sign_in(actor=clerk, location_id=location.pk, name=f"V{start_hour}{i}", visiting="x",
                        id_type="passport", id_last4="9999", badge=f"B{start_hour}{i}")
        call_record(actor=clerk, location_id=location.pk, caller_name="C", reason="other", disposition="resolved",
                    patient_id=patient.pk)
        task_create(actor=clerk, location_id=location.pk, title="T", due_date=TODAY, pool="front_desk",
                    patient_id=patient.pk)
        payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"),
                        tender=Tender("cash"))
        AppointmentFactory(location=location, practitioner=provider, patient=patient, appointment_type=follow_up_type,
                           start=at(start_hour + i, day=TODAY + dt.timedelta(days=1)))


PAGES = ["/frontdesk/", "/frontdesk/board/", "/frontdesk/board/rows", "/frontdesk/visitors/", "/frontdesk/calls/",
         "/frontdesk/inbox/", "/frontdesk/worklist/", "/frontdesk/wait-times/", "/billing/drawer/"]


@pytest.mark.parametrize("url", PAGES)
def test_list_pages_run_a_constant_number_of_queries(url, clerk, location, provider, follow_up_type, clock):
    client = _client(clerk)
    _populate(1, clerk=clerk, location=location, provider=provider, follow_up_type=follow_up_type, start_hour=11)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _populate(3, clerk=clerk, location=location, provider=provider, follow_up_type=follow_up_type, start_hour=13)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("url", PAGES)
def test_list_pages_are_refused_to_outsiders(url, stranger, doctor_user, clock):
    allowed_for_clinicians = {"/frontdesk/board/", "/frontdesk/board/rows", "/frontdesk/inbox/"}
    response = _client(stranger if url in allowed_for_clinicians else doctor_user).get(url)
    assert response.status_code in (403, 404)


def test_check_in_page_of_another_location_looks_missing(outsider, appointment, clock):
    assert _client(outsider).get(f"/frontdesk/appointments/{appointment.pk}/check-in").status_code == 404


def test_check_in_page_checks_in_and_offers_the_copay(clerk, appointment, clock):
    client = _client(clerk)
    page = client.get(f"/frontdesk/appointments/{appointment.pk}/check-in")
    assert page.status_code == 200 and b"Collect payment" in page.content
    response = client.post(f"/frontdesk/appointments/{appointment.pk}/check-in", {"demographics": "on"})
    assert response.status_code == 302
    assert Visit.objects.get().status == "checked-in"
    page = client.post("/billing/payments/", {
        "patient": appointment.patient_id, "location": appointment.location_id, "appointment": appointment.pk,
        "amount": "25", "method": "check", "check_number": "1001", "idempotency_key": "c1",
        "next": f"/frontdesk/appointments/{appointment.pk}/check-in"}, follow=True).content.decode()
    entry = LedgerEntry.objects.get()
    assert entry.appointment_id == appointment.pk and entry.check_number == "1001"
    assert f"Receipt {entry.receipt_number}" in page


def test_copay_offered_to_a_spanish_speaking_clerk_is_collected_as_shown(location, appointment, patient, clock):
    """The pre-filled amount is the machine's 25.00, not the interface's 25,00 (which once became $2,500.00)."""
    from clinicdesk.patients.models import Coverage, Payer

    Coverage.objects.create(patient=patient, payer=Payer.objects.create(name="Acme Health"), member_id="M1",
                            start_date=dt.date(2026, 1, 1), copay_primary=Decimal("25.00"))
    client = _client(UserFactory(role=Role.FRONT_DESK, location=location, language="es"))
    page = client.get(f"/frontdesk/appointments/{appointment.pk}/check-in").content.decode()
    assert 'name="amount" inputmode="decimal" required value="25.00"' in page
    client.post("/billing/payments/", {"patient": patient.pk, "location": location.pk, "amount": "25.00",
                                       "method": "cash", "idempotency_key": "es1"})
    assert LedgerEntry.objects.get().amount == Decimal("-25.00")


def test_checking_in_tomorrows_appointment_shows_a_clear_message(clerk, location, provider, patient,
                                                                 follow_up_type, clock):
    tomorrow = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                  appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=1)))
    response = _client(clerk).post(f"/frontdesk/appointments/{tomorrow.pk}/check-in", follow=True)
    assert "only today&#x27;s appointments can be marked arrived or checked in" in response.content.decode()
    assert not Visit.objects.exists()


def test_collecting_a_non_numeric_amount_shows_a_message_and_writes_nothing(clerk, patient, location, clock):
    response = _client(clerk).post("/billing/payments/", {
        "patient": patient.pk, "location": location.pk, "amount": "ten", "method": "cash",
        "idempotency_key": "k1"}, follow=True)
    assert "is not an amount" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_payment_receipt_prints_and_emails(clerk, patient, location, clock, settings,
                                           django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = _client(clerk)
    client.post("/billing/payments/", {"patient": patient.pk, "location": location.pk, "amount": "25.00",
                                       "method": "card", "card_reference": "T-9", "card_last4": "4242",
                                       "idempotency_key": "k2"})
    entry = LedgerEntry.objects.get()
    pdf = client.get(f"/billing/entries/{entry.pk}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/billing/entries/{entry.pk}/receipt-email")
    assert mail.outbox and mail.outbox[0].to == [patient.email]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"


def test_account_page_shows_the_ledger_and_refuses_other_locations(clerk, outsider, patient, location, clock):
    payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"),
                    tender=Tender("cash"))
    page = _client(clerk).get(f"/billing/patients/{patient.pk}/")
    assert page.status_code == 200 and b"$5.00 credit" in page.content and b"-5.00" not in page.content
    assert _client(outsider).get(f"/billing/patients/{patient.pk}/").status_code == 404


def test_board_polling_does_not_count_as_activity(clerk, location, appointment, clock):
    visit_arrive(actor=clerk, appointment_id=appointment.pk)
    client = _client(clerk)
    client.get("/frontdesk/board/")
    seen = client.session[LAST_SEEN]
    clock.advance(dt.timedelta(minutes=5))
    response = client.get(f"/frontdesk/board/rows?location={location.pk}", HTTP_X_CLINICDESK_POLL="1")
    assert response.status_code == 200 and appointment.patient.family_name in response.content.decode()
    assert client.session[LAST_SEEN] == seen


def test_board_page_polls_with_the_poll_header(clerk, clock):
    html = _client(clerk).get("/frontdesk/board/").content.decode()
    assert 'hx-trigger="every 3s"' in html and "X-Clinicdesk-Poll" in html


def test_visitor_sign_out_twice_through_the_page(clerk, location, clock):
    visitor = visitor_sign_in(actor=clerk, location_id=location.pk, name="Sam", visiting="x", id_type="passport",
                              id_last4="1234", badge="B1")
    client = _client(clerk)
    client.post(f"/frontdesk/visitors/{visitor.pk}/sign-out")
    response = client.post(f"/frontdesk/visitors/{visitor.pk}/sign-out", follow=True)
    assert "already signed out" in response.content.decode()


def test_provider_role_sees_board_and_inbox_in_the_menu(signed_in, clock):
    html = signed_in(Role.PROVIDER).get("/").content.decode()
    assert 'data-screen="board"' in html and 'data-screen="inbox"' in html
    assert 'data-screen="frontdesk"' not in html


def test_receipt_of_another_location_looks_missing(clerk, outsider, stranger, patient, location, clock):
    entry = payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"),
                            tender=Tender("cash"))
    assert _client(clerk).get(f"/billing/entries/{entry.pk}/receipt.pdf").status_code == 200
    assert _client(outsider).get(f"/billing/entries/{entry.pk}/receipt.pdf").status_code == 404
    assert _client(UserFactory(role=Role.PROVIDER, location=location)).get(
        f"/billing/entries/{entry.pk}/receipt.pdf").status_code in (403, 404)


def test_account_page_runs_a_constant_number_of_queries(clerk, patient, location, clock):
    client = _client(clerk)
    payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"),
                    tender=Tender("cash"))
    client.get(f"/billing/patients/{patient.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/billing/patients/{patient.pk}/")
    for method in ("cash", "check", "card"):
        payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"),
                        tender=Tender(method, check_number="1", card_reference="r", card_last4="1234"))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/billing/patients/{patient.pk}/")
    assert len(many) == len(few)


def test_check_out_page_books_the_follow_up_adds_a_recall_and_prints_the_summary(
        clerk, appointment, room, follow_up_type, clock):
    from clinicdesk.comms.models import Recall
    from clinicdesk.frontdesk.services import visit_provider_start, visit_ready_for_checkout, visit_room

    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk)
    visit_room(actor=clerk, visit_id=visit.pk, room_id=room.pk)
    visit_provider_start(actor=clerk, visit_id=visit.pk)
    visit_ready_for_checkout(actor=clerk, visit_id=visit.pk)
    client = _client(clerk)
    assert client.get(f"/frontdesk/visits/{visit.pk}/check-out").status_code == 200
    page = client.post(f"/frontdesk/visits/{visit.pk}/follow-up", {"appointment_type": follow_up_type.pk,
                                                                   "weeks": "1", "idempotency_key": "f1"},
                       follow=True).content.decode()
    assert "Follow-up booked" in page
    client.post(f"/frontdesk/visits/{visit.pk}/recall", {"appointment_type": follow_up_type.pk,
                                                         "due_date": "2027-11-23", "note": "Annual"})
    assert Recall.objects.get().due_date == dt.date(2027, 11, 23)
    client.post(f"/frontdesk/visits/{visit.pk}/move/checkout")
    summary = client.get(f"/frontdesk/visits/{visit.pk}/summary").content.decode()
    assert "Next appointment" in summary and "None booked" not in summary
    assert Visit.objects.get().status == "checked-out"


def test_walk_in_page_finds_and_queues_a_patient(clerk, location, provider, patient, clock):
    client = _client(clerk)
    found = client.post("/frontdesk/walk-ins/", {"location": location.pk, "q": patient.mrn, "action": "search"})
    assert patient.given_name in found.content.decode()
    client.post("/frontdesk/walk-ins/", {"location": location.pk, "patient": patient.pk, "practitioner": provider.pk,
                                         "action": "add", "idempotency_key": "w1"})
    assert Visit.objects.get().walk_in
    assert patient.given_name in client.get(f"/frontdesk/?location={location.pk}").content.decode()


def test_calls_page_takes_the_chart_number_and_routes_a_slip(clerk, doctor_user, location, patient, clock):
    from clinicdesk.frontdesk.models import TriageSlip

    client = _client(clerk)
    client.post("/frontdesk/calls/", {"location": location.pk, "caller_name": "Ana", "patient": patient.mrn,
                                      "reason": "clinical", "disposition": "triage", "question": "Fever?",
                                      "priority": "urgent", "assignee": doctor_user.pk})
    assert TriageSlip.objects.get().assignee == doctor_user
    bad = client.post("/frontdesk/calls/", {"location": location.pk, "caller_name": "Ana", "patient": "nope",
                                            "reason": "other", "disposition": "resolved"}, follow=True)
    assert "No patient with chart number" in bad.content.decode()
    inbox = _client(doctor_user).get("/frontdesk/inbox/").content.decode()
    assert "Fever?" in inbox


def test_worklist_chase_button_creates_one_task(clerk, location, provider, patient, follow_up_type, clock):
    from clinicdesk.frontdesk.models import Task

    tuesday = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                 appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=1)))
    client = _client(clerk)
    assert b"Chase" in client.get("/frontdesk/worklist/").content
    client.post(f"/frontdesk/worklist/{tuesday.pk}/chase", {"item": "insurance"})
    client.post(f"/frontdesk/worklist/{tuesday.pk}/chase", {"item": "insurance"})
    assert Task.objects.count() == 1
    assert "task open" in client.get("/frontdesk/worklist/").content.decode()


def test_walk_in_is_checked_in_from_the_board(clerk, location, provider, patient, clock):
    visit = walk_in_add(actor=clerk, location_id=location.pk, patient_id=patient.pk, practitioner_id=provider.pk)
    client = _client(clerk)
    assert f"/frontdesk/visits/{visit.pk}/move/checkin" in client.get(
        f"/frontdesk/board/?location={location.pk}").content.decode()
    client.post(f"/frontdesk/visits/{visit.pk}/move/checkin")
    assert Visit.objects.get().status == "checked-in"
