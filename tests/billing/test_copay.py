"""A co-pay is collected once per visit (#13 item 7): the check-in page shows what was already taken and
pre-fills only what is still due; a second co-pay is refused unless the user confirms it (audited); a
negative balance reads as a credit, in English and in Spanish."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import LedgerEntry
from clinicdesk.billing.money import format_money
from clinicdesk.billing.services import Tender, collected_for_appointment, payment_collect, refund_issue
from clinicdesk.core.exceptions import Conflict
from clinicdesk.patients.models import Coverage, Payer
from tests.factories import AppointmentFactory
from tests.frontdesk.conftest import at


@pytest.fixture
def visit_appointment(location, provider, patient, follow_up, clock):
    Coverage.objects.create(patient=patient, payer=Payer.objects.create(name="Acme Health"), member_id="M1",
                            start_date=dt.date(2026, 1, 1), copay_primary=Decimal("25.00"))
    return AppointmentFactory(location=location, practitioner=provider, patient=patient,
                              appointment_type=follow_up, start=at(10, 30))


def _copay(clerk, appointment, amount="25", **extra):
    return payment_collect(actor=clerk, patient_id=appointment.patient_id, location_id=appointment.location_id,
                           amount=Decimal(amount), tender=Tender("cash"), appointment_id=appointment.pk,
                           description="Co-pay", copay=True, **extra)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_second_copay_for_the_same_visit_is_refused_unless_confirmed_and_the_confirmation_is_audited(
        clerk, visit_appointment):
    _copay(clerk, visit_appointment)
    with pytest.raises(Conflict) as refused:
        _copay(clerk, visit_appointment)
    assert refused.value.code == "copay-already-collected" and "$25.00" in refused.value.detail
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    second = _copay(clerk, visit_appointment, confirm_second=True)
    assert collected_for_appointment(visit_appointment.pk) == Decimal("50.00")
    entry = AuditEntry.objects.filter(action="payment.collect", resource_id=str(second.pk)).get()
    assert entry.detail["second_copay"] is True and entry.detail["already_collected"] == "25.00"


def test_a_refunded_copay_no_longer_counts_as_collected(clerk, visit_appointment):
    first = _copay(clerk, visit_appointment)
    refund_issue(actor=clerk, payment_id=first.pk, amount=Decimal("25"), reason="Charged by mistake")
    assert collected_for_appointment(visit_appointment.pk) == Decimal("0.00")
    _copay(clerk, visit_appointment)  # nothing is held for the visit now: no confirmation needed


def test_a_balance_payment_is_not_taken_for_a_copay(clerk, visit_appointment):
    _copay(clerk, visit_appointment)
    payment_collect(actor=clerk, patient_id=visit_appointment.patient_id, location_id=visit_appointment.location_id,
                    amount=Decimal("40"), tender=Tender("cash"), appointment_id=visit_appointment.pk,
                    description="Balance")
    assert collected_for_appointment(visit_appointment.pk) == Decimal("65.00")


def test_the_check_in_page_shows_what_was_collected_and_prefills_only_what_is_due(clerk, visit_appointment):
    client = _client(clerk)
    page = client.get(f"/frontdesk/appointments/{visit_appointment.pk}/check-in").content.decode()
    assert 'name="amount" inputmode="decimal" required value="25.00"' in page
    assert "Already collected" not in page and "confirm_second" not in page
    _copay(clerk, visit_appointment, amount="10")
    page = client.get(f"/frontdesk/appointments/{visit_appointment.pk}/check-in").content.decode()
    assert "Already collected for this visit: $10.00." in page and "Still due: $15.00." in page
    assert 'required value="15.00"' in page and 'name="confirm_second"' in page
    _copay(clerk, visit_appointment, amount="15", confirm_second=True)
    page = client.get(f"/frontdesk/appointments/{visit_appointment.pk}/check-in").content.decode()
    assert "Already collected for this visit: $25.00." in page and "Nothing more is due" in page
    assert 'required value=""' in page
    assert "$25.00 credit" in page and "$-25.00" not in page  # the balance after paying before any charge


def test_the_desk_form_refuses_a_second_copay_with_a_message_and_takes_it_when_confirmed(clerk, visit_appointment):
    client = _client(clerk)
    url = f"/frontdesk/appointments/{visit_appointment.pk}/check-in"
    form = {"patient": visit_appointment.patient_id, "location": visit_appointment.location_id, "amount": "25.00",
            "method": "cash", "appointment": visit_appointment.pk, "description": "Co-pay", "purpose": "copay",
            "next": url}
    client.post("/billing/payments/", {**form, "idempotency_key": "k1"})
    answer = client.post("/billing/payments/", {**form, "idempotency_key": "k2"}, follow=True)
    assert "$25.00 was already collected for this visit." in answer.content.decode()
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    client.post("/billing/payments/", {**form, "idempotency_key": "k3", "confirm_second": "on"})
    assert LedgerEntry.objects.filter(kind="payment").count() == 2


@pytest.mark.parametrize(("language", "amount", "expected"), [
    ("en", "-25", "$25.00 credit"), ("en", "1025.5", "$1,025.50"), ("en", "0", "$0.00"),
    ("es", "-25", "crédito de 25,00\xa0US$"), ("es", "1025.5", "1\xa0025,50\xa0US$"),
])
def test_money_is_written_the_way_people_write_it(language, amount, expected):
    with translation.override(language):
        assert format_money(Decimal(amount)) == expected
        assert format_money(Decimal(amount), signed=True).startswith("-") == amount.startswith("-")
