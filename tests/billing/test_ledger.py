from __future__ import annotations

from decimal import Decimal

import pytest

from clinicdesk.billing.models import EntryKind, LedgerEntry
from clinicdesk.billing.selectors import patient_account
from clinicdesk.billing.services import (
    Tender,
    adjustment_post,
    balance_of,
    charge_post,
    entry_reverse,
    payment_collect,
    refund_issue,
)
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed

CASH = Tender("cash")


def _pay(actor, patient, location, amount=Decimal("25.00"), tender=CASH, key=None):
    return payment_collect(actor=actor, patient_id=patient.pk, location_id=location.pk, amount=amount,
                           tender=tender, idempotency_key=key)


def test_payment_collect_records_a_numbered_payment_as_decimal(clerk, patient, location, clock):
    entry = _pay(clerk, patient, location, Decimal("1025.50"))
    assert entry.kind == EntryKind.PAYMENT
    assert entry.amount == Decimal("-1025.50")
    assert entry.receipt_number.startswith("R")
    assert balance_of(patient.pk) == Decimal("-1025.50")


def test_payment_collect_replays_an_idempotency_key(clerk, patient, location, clock):
    first = _pay(clerk, patient, location, key="k1")
    again = _pay(clerk, patient, location, key="k1")
    assert first.pk == again.pk
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("amount", ["-5", "0", "1.005", "NaN", "1e9"])
def test_payment_collect_refuses_bad_amounts_and_writes_nothing(clerk, patient, location, clock, amount):
    with pytest.raises(ValidationFailed) as error:
        _pay(clerk, patient, location, Decimal(amount))
    assert error.value.detail
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("amount", ["25.00", 10.5, None])
def test_payment_collect_takes_a_parsed_amount_only(clerk, patient, location, clock, amount):
    """Text and floats are parsed by the form (billing/forms.py), never by the service."""
    with pytest.raises(TypeError):
        _pay(clerk, patient, location, amount)
    assert LedgerEntry.objects.count() == 0


def test_payment_collect_takes_int_ids_only(clerk, patient, location, clock):
    with pytest.raises(TypeError):
        payment_collect(actor=clerk, patient_id=str(patient.pk), location_id=location.pk, amount=Decimal("5.00"),
                        tender=CASH)
    assert LedgerEntry.objects.count() == 0


def test_refund_charge_and_adjustment_take_parsed_amounts_only(clerk, biller, patient, location, clock):
    payment = _pay(clerk, patient, location)
    calls = [
        lambda: refund_issue(actor=clerk, payment_id=payment.pk, amount="5.00", reason="x"),
        lambda: charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount="80",
                            description="Visit"),
        lambda: adjustment_post(actor=biller, patient_id=str(patient.pk), location_id=location.pk,
                                amount=Decimal("-1.00"), reason="x"),
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()
    assert LedgerEntry.objects.count() == 1


def test_refund_screen_parses_the_amount_and_names_a_bad_one(clerk, patient, location, clock):
    from django.test import Client

    payment = _pay(clerk, patient, location)
    client = Client()
    client.force_login(clerk)
    response = client.post(f"/billing/payments/{payment.pk}/refund", {"amount": "five", "reason": "x"},
                           follow=True)
    assert "is not an amount" in response.content.decode()
    response = client.post(f"/billing/payments/{payment.pk}/refund", {"amount": "$5.00", "reason": "Change"})
    assert response.status_code == 302
    assert LedgerEntry.objects.filter(kind="refund", amount=Decimal("5.00")).count() == 1


def test_check_needs_a_number_and_card_needs_reference_and_last_four(clerk, patient, location, clock):
    with pytest.raises(ValidationFailed, match="check number"):
        _pay(clerk, patient, location, tender=Tender("check"))
    with pytest.raises(ValidationFailed, match="terminal reference"):
        _pay(clerk, patient, location, tender=Tender("card", card_last4="4242"))
    with pytest.raises(ValidationFailed, match="last four"):
        _pay(clerk, patient, location, tender=Tender("card", card_reference="T-1", card_last4="42a2"))
    entry = _pay(clerk, patient, location, tender=Tender("card", card_reference="T-1", card_last4="4242"))
    assert (entry.method, entry.card_last4, entry.card_reference) == ("card", "4242", "T-1")
    assert LedgerEntry.objects.count() == 1


def test_payment_collect_is_refused_at_another_location_and_to_outsiders(outsider, stranger, patient, location,
                                                                          clock):
    with pytest.raises(PermissionDenied):
        _pay(outsider, patient, location)
    with pytest.raises(PermissionDenied):
        _pay(stranger, patient, location)
    assert LedgerEntry.objects.count() == 0


def test_refund_more_than_paid_is_refused(clerk, patient, location, clock):
    payment = _pay(clerk, patient, location, Decimal("30.00"))
    refund_issue(actor=clerk, payment_id=payment.pk, amount=Decimal("20.00"), reason="overpaid")
    with pytest.raises(ValidationFailed, match="more than was paid"):
        refund_issue(actor=clerk, payment_id=payment.pk, amount=Decimal("10.01"), reason="overpaid")
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert balance_of(patient.pk) == Decimal("-10.00")


def test_refund_needs_a_reason(clerk, patient, location, clock):
    payment = _pay(clerk, patient, location)
    with pytest.raises(ValidationFailed):
        refund_issue(actor=clerk, payment_id=payment.pk, amount=Decimal("5"), reason=" ")
    assert LedgerEntry.objects.count() == 1


def test_refund_by_another_location_looks_like_a_missing_payment(clerk, outsider, patient, location, clock):
    payment = _pay(clerk, patient, location)
    with pytest.raises(PermissionDenied) as error:
        refund_issue(actor=outsider, payment_id=payment.pk, amount=Decimal("5"), reason="x")
    assert error.value.status == 404


def test_running_balance_over_charges_payments_adjustments_refunds(biller, clerk, patient, location, clock):
    charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("150.00"),
                description="Office visit")
    payment = _pay(clerk, patient, location, Decimal("40.00"))
    adjustment_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("-10.00"),
                    reason="Prompt-pay discount")
    refund_issue(actor=clerk, payment_id=payment.pk, amount=Decimal("5.00"), reason="Over-collected")
    account = patient_account(actor=clerk, patient_id=patient.pk)
    assert [line.balance for line in account.lines] == [Decimal("150.00"), Decimal("110.00"), Decimal("100.00"),
                                                        Decimal("105.00")]
    assert account.balance == balance_of(patient.pk) == Decimal("105.00")


def test_reversal_corrects_without_editing(biller, patient, location, clock):
    charge = charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("80"),
                         description="Wrong code")
    reversal = entry_reverse(actor=biller, entry_id=charge.pk, reason="Posted to the wrong visit")
    assert reversal.amount == Decimal("-80.00")
    assert balance_of(patient.pk) == 0
    with pytest.raises(Conflict):
        entry_reverse(actor=biller, entry_id=charge.pk, reason="again")
    with pytest.raises(Conflict):
        entry_reverse(actor=biller, entry_id=reversal.pk, reason="again")
    charge.refresh_from_db()
    assert charge.amount == Decimal("80.00")


def test_entries_are_immutable(biller, patient, location, clock):
    charge = charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("80"),
                         description="Visit")
    with pytest.raises(RuntimeError):
        charge.save()
    with pytest.raises(RuntimeError):
        charge.delete()
    with pytest.raises(RuntimeError):  # AppendOnlyError; the database's own refusal: test_append_only.py
        LedgerEntry.objects.filter(pk=charge.pk).update(amount=Decimal("1.00"))


def test_front_desk_cannot_post_charges_or_reverse(clerk, patient, location, clock):
    with pytest.raises(PermissionDenied):
        charge_post(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"), description="x")
    payment = _pay(clerk, patient, location)
    with pytest.raises(PermissionDenied):
        entry_reverse(actor=clerk, entry_id=payment.pk, reason="x")


def test_account_is_hidden_from_other_locations_and_outsiders(clerk, outsider, stranger, patient, location, clock):
    _pay(clerk, patient, location)
    assert patient_account(actor=clerk, patient_id=patient.pk).balance == Decimal("-25.00")
    with pytest.raises(PermissionDenied) as error:
        patient_account(actor=outsider, patient_id=patient.pk)
    assert error.value.status == 404
    with pytest.raises(PermissionDenied):
        patient_account(actor=stranger, patient_id=patient.pk)
    with pytest.raises(NotFound):
        patient_account(actor=clerk, patient_id=999999)
