"""The payment form parses money and ids; the service only ever sees a Decimal and ints (#13 item 19)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from clinicdesk.billing.forms import PaymentForm
from clinicdesk.billing.models import LedgerEntry
from clinicdesk.billing.services import Tender

FORM = {"patient": "12", "location": "3", "amount": "$1,025.50", "method": "card", "card_reference": "T-9",
        "card_last4": "4242", "appointment": "7", "purpose": "copay", "confirm_second": "on", "idempotency_key": "k"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_payment_form_gives_the_service_a_decimal_and_ints():
    form = PaymentForm(FORM)
    assert form.is_valid(), form.errors
    assert form.payment() == {
        "patient_id": 12, "location_id": 3, "amount": Decimal("1025.50"),
        "tender": Tender("card", card_reference="T-9", card_last4="4242"), "appointment_id": 7, "description": "",
        "idempotency_key": "k", "copay": True, "confirm_second": True}


def test_payment_form_leaves_the_optional_parts_empty():
    form = PaymentForm({"patient": "12", "location": "3", "amount": "25", "method": "cash"})
    assert form.is_valid(), form.errors
    payment = form.payment()
    assert (payment["amount"], payment["appointment_id"], payment["idempotency_key"], payment["copay"]) == (
        Decimal("25.00"), None, None, False)


@pytest.mark.parametrize(("amount", "says"), [
    ("ten", "is not an amount"), ("25,00", "is not an amount"), ("NaN", "Enter an amount like 25.00"),
    ("1.005", "two decimal places"), ("-5", "cannot be negative"), ("", "required")])
def test_payment_form_refuses_what_is_not_an_amount_in_words(amount, says):
    form = PaymentForm({**FORM, "amount": amount})
    assert not form.is_valid()
    assert says in form.first_error()


@pytest.mark.parametrize("patient", ["", "twelve", "0"])
def test_payment_form_names_the_field_of_a_bad_id(patient):
    form = PaymentForm({**FORM, "patient": patient})
    assert not form.is_valid()
    assert form.first_error().startswith("Patient: ")


def test_collecting_without_a_patient_says_so_and_writes_nothing(clerk, location, clock):
    client = Client()
    client.force_login(clerk)
    response = client.post("/billing/payments/", {"location": location.pk, "amount": "25.00", "method": "cash",
                                                  "idempotency_key": "k1"}, follow=True)
    assert "Patient: This field is required." in response.content.decode()
    assert not LedgerEntry.objects.exists()
