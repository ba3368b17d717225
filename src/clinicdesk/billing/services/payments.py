"""Money at the desk: payments (co-pays, balances), refunds and e-mailed receipts."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.core.text import digits

from ..models import EntryKind, LedgerEntry, PaymentMethod, ReceiptSequence
from ..money import format_money, parse_amount
from ._common import (
    _create,
    _key,
    _location,
    _patient,
    _receipt_number,
    _replay,
    _replay_locked,
    _require_cashier,
    _require_parsed,
)
from .ledger import collected_for_appointment


@dataclasses.dataclass(frozen=True)
class Tender:
    """How money changed hands: cash, a check (with its number) or a card (terminal reference, last four)."""

    method: str
    check_number: str = ""
    card_reference: str = ""
    card_last4: str = ""

    def cleaned(self) -> Tender:
        method = (self.method or "").strip()
        if method not in PaymentMethod.values:
            raise ValidationFailed("bad-method", _("Choose cash, check or card."),
                                   fields={"method": [_("Choose cash, check or card.")]})
        if method == PaymentMethod.CHECK:
            number = self.check_number.strip()
            if not number or len(number) > 20:
                raise ValidationFailed("check-number-required", _("A check payment needs the check number."),
                                       fields={"check_number": [_("Enter the check number.")]})
            return Tender(method, check_number=number)
        if method == PaymentMethod.CARD:
            reference = self.card_reference.strip()
            last4 = self.card_last4.strip()
            if not reference or len(reference) > 40:
                raise ValidationFailed("card-reference-required", _("A card payment needs the terminal reference."),
                                       fields={"card_reference": [_("Enter the terminal reference.")]})
            if len(last4) != 4 or digits(last4) != last4:
                raise ValidationFailed("card-last4", _("Enter the last four digits of the card."),
                                       fields={"card_last4": [_("Four digits.")]})
            return Tender(method, card_reference=reference, card_last4=last4)
        if method == PaymentMethod.ONLINE:  # the payment provider's reference and the last four it reports
            reference = self.card_reference.strip()
            if not reference or len(reference) > 40:
                raise ValidationFailed("online-reference-required", _("An online payment needs its reference."))
            last4 = self.card_last4.strip()
            return Tender(method, card_reference=reference,
                          card_last4=last4 if len(last4) == 4 and digits(last4) == last4 else "")
        return Tender(method)



@atomic_service
def payment_collect(*, actor: Actor, patient_id: int, location_id: int, amount: Decimal, tender: Tender,
                    appointment_id: int | None = None, description: str = "",
                    idempotency_key: str | None = None, copay: bool = False,
                    confirm_second: bool = False) -> LedgerEntry:
    """Take a payment at the desk (a co-pay or towards the balance) and number its receipt.

    A co-pay (`copay`) is taken for a visit: when money was already collected for that appointment it is
    refused as a likely second co-pay unless the user confirms it (`confirm_second`), which is audited.
    The amount and ids come parsed (billing/forms.py `PaymentForm`): text here is a caller's bug."""
    _require_parsed(amount, patient_id, location_id)
    location = _location(location_id)
    _require_cashier(actor, location)
    key = _key(idempotency_key)
    if key and (prior := _replay(key, actor, EntryKind.PAYMENT)) is not None:
        return prior
    patient = _patient(actor, patient_id, location)
    value = parse_amount(amount)
    cleaned = tender.cleaned()
    if cleaned.method == PaymentMethod.ONLINE and staff_user(actor) is not None:
        raise ValidationFailed("bad-method", _("Choose cash, check or card."),
                               fields={"method": [_("Choose cash, check or card.")]})
    if copay and appointment_id is None:
        raise ValidationFailed("copay-needs-visit", _("A co-pay is collected for a visit: open the check-in page."))
    if copay:  # every payment takes the receipt counter: held now, two clerks cannot both see "nothing yet"
        ReceiptSequence.objects.select_for_update().get_or_create(pk=1)
    if key and (prior := _replay_locked(key, actor, EntryKind.PAYMENT)) is not None:
        return prior
    already = collected_for_appointment(appointment_id) if copay else Decimal("0.00")
    if already > 0 and not confirm_second:
        raise Conflict("copay-already-collected",
                       _("%(amount)s was already collected for this visit. To take a second co-pay, tick "
                         "“Collect a second co-pay for this visit” and collect again.")
                       % {"amount": format_money(already)},
                       fields={"confirm_second": [_("Confirm the second co-pay.")]})
    entry = _create(patient=patient, location=location, kind=EntryKind.PAYMENT, amount=-value,
                    description=(description or _("Payment")).strip()[:200], method=cleaned.method,
                    check_number=cleaned.check_number, card_reference=cleaned.card_reference,
                    card_last4=cleaned.card_last4, appointment_id=appointment_id,
                    receipt_number=_receipt_number(), idempotency_key=key, created_by=staff_user(actor))
    detail: dict[str, Any] = {"amount": str(value), "method": cleaned.method, "location": location.pk}
    if copay:
        detail.update(copay=True, appointment=appointment_id)
    if already > 0:
        detail.update(second_copay=True, already_collected=str(already))
    record(actor, "payment.collect", entry, patient=patient, detail=detail)
    return entry


@atomic_service
def refund_issue(*, actor: Actor, payment_id: int, amount: Decimal, tender: Tender | None = None,
                 reason: str = "", idempotency_key: str | None = None) -> LedgerEntry:
    """Give money back against a payment. More than was paid (less earlier refunds) is refused."""
    _require_parsed(amount, payment_id)
    _require_cashier(actor, None)
    key = _key(idempotency_key)
    if key and (prior := _replay(key, actor, EntryKind.REFUND)) is not None:
        return prior
    payment = LedgerEntry.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None or payment.kind != EntryKind.PAYMENT:
        raise NotFound()
    if key and (prior := _replay(key, actor, EntryKind.REFUND)) is not None:
        return prior  # the same form sent twice at once: recorded by the other request while this one waited
    _require_cashier(actor, payment.location_id, hide=True, resource_type="ledgerentry", resource_id=payment.pk,
                     patient_id=payment.patient_id)
    value = parse_amount(amount)
    if hasattr(payment, "reversed_by"):
        raise Conflict("payment-reversed", _("This payment was reversed; there is nothing to refund."))
    refunded = (payment.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0")) + (
        LedgerEntry.objects.filter(kind=EntryKind.REVERSAL, reverses__refund_of=payment)
        .aggregate(total=Sum("amount"))["total"] or Decimal("0"))
    available = -payment.amount - refunded
    if value > available:
        raise ValidationFailed("refund-too-large",
                               _("A refund of %(asked)s is more than was paid and not yet refunded (%(left)s).")
                               % {"asked": value, "left": available}, fields={"amount": [_("Too much.")]})
    if not reason.strip():
        raise ValidationFailed("reason-required", _("Say why the money is given back."),
                               fields={"reason": [_("A reason is required.")]})
    cleaned = (tender or Tender(payment.method, payment.check_number, payment.card_reference,
                                payment.card_last4)).cleaned()
    entry = _create(patient_id=payment.patient_id, location_id=payment.location_id, kind=EntryKind.REFUND,
                    amount=value, description=reason.strip()[:200], method=cleaned.method,
                    check_number=cleaned.check_number, card_reference=cleaned.card_reference,
                    card_last4=cleaned.card_last4, refund_of=payment, appointment_id=payment.appointment_id,
                    receipt_number=_receipt_number(), idempotency_key=key, created_by=staff_user(actor))
    record(actor, "payment.refund", entry, patient=payment.patient_id,
           detail={"amount": str(value), "payment": payment.pk, "method": cleaned.method})
    return entry



@atomic_service
def receipt_email(*, actor: Actor, entry_id: int) -> str:
    """E-mail the receipt PDF to the address on the patient's chart (after commit); returns the address."""
    from ..receipts import receipt_pdf

    entry = LedgerEntry.objects.select_related("patient", "location", "created_by").filter(pk=entry_id).first()
    if entry is None or not entry.receipt_number:
        raise NotFound()
    try:
        _require_cashier(actor, entry.location_id, hide=True, resource_type="ledgerentry", resource_id=entry.pk,
                         patient_id=entry.patient_id)
    except PermissionDenied:
        require(actor, Perm.BILLING_READ, location=entry.location_id, hide=True)
    address = entry.patient.email
    if not address:
        raise ValidationFailed("no-email", _("The patient has no e-mail address on file."))
    pdf = receipt_pdf(entry)
    number = entry.receipt_number

    def send() -> None:
        message = EmailMessage(subject=_("Your receipt %(number)s") % {"number": number},
                               body=_("Your receipt is attached. Thank you."),
                               from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
        message.attach(f"receipt-{number}.pdf", pdf, "application/pdf")
        message.send()

    transaction.on_commit(send)
    record(actor, "receipt.email", entry, patient=entry.patient_id)
    return address

