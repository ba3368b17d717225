"""Every write to a patient account: payments at the desk, refunds, charges, adjustments, reversals.

Money collected at the desk (co-pays, balances) needs the front-desk permission at the location (or
billing write); charges, adjustments and reversals need billing write. Each service is atomic: bad
input raises before anything is written. Payments and refunds take an idempotency key (a hidden form
field) under a unique constraint, so a double click records one payment.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Perm, has_perm, require, staff_user
from clinicdesk.core.text import digits
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location

from .models import EntryKind, LedgerEntry, PaymentMethod, ReceiptSequence
from .money import parse_amount


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
        return Tender(method)


def _require_cashier(actor: Any, location: Any, **hidden: Any) -> None:
    """Desk staff collect money at their own locations; billing staff anywhere they work."""
    if has_perm(actor, Perm.FRONTDESK, location=location) or has_perm(actor, Perm.BILLING_WRITE, location=location):
        return
    require(actor, Perm.BILLING_WRITE, location=location, **hidden)


def _patient(actor: Any, patient_id: Any) -> Patient:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    return patient


def _require_patient_here(actor: Any, patient: Patient, location: Location, appointment_id: Any) -> None:
    """Money is taken against a chart the cashier could have found (they are a cashier at its home location), or
    from another location's patient for the patient's own appointment here (check-in and check-out send it). Any
    other chart named by id is hidden, as in the search: its receipt would show the name and the balance."""
    if appointment_id is not None and apps.get_model("scheduling", "Appointment").objects.filter(
            pk=appointment_id, patient=patient, location=location).exists():
        return
    _require_cashier(actor, patient.home_location_id, hide=True, resource_type="patient", resource_id=patient.pk,
                     patient_id=patient.pk)


def _location(location_id: Any) -> Location:
    location = Location.objects.filter(pk=getattr(location_id, "pk", location_id), active=True).first()
    if location is None:
        raise ValidationFailed("unknown-location", _("No such location."))
    return location


def _receipt_number() -> str:
    sequence, _created = ReceiptSequence.objects.select_for_update().get_or_create(pk=1)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"R{sequence.last:07d}"


def _replay(idempotency_key: str, actor: Any, kind: str) -> LedgerEntry | None:
    prior = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if prior is None:
        return None
    _require_cashier(actor, prior.location_id, hide=True, resource_type="ledgerentry", resource_id=prior.pk)
    if prior.kind != kind:
        raise Conflict("idempotency-key-reused", _("This form was already used for something else."))
    return prior


def _replay_locked(idempotency_key: str, actor: Any, kind: str) -> LedgerEntry | None:
    """The replay check again, holding the receipt counter that every payment takes: the same form sent twice
    at once was recorded by the other request while this one waited for it."""
    ReceiptSequence.objects.select_for_update().get_or_create(pk=1)
    return _replay(idempotency_key, actor, kind)


def _create(**values: Any) -> LedgerEntry:
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(created_at=clock.now(), **values)
    except IntegrityError as exc:
        raise Conflict("duplicate-entry", _("This was already recorded.")) from exc


def _key(idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip()[:80]
    return key or None


def balance_of(patient_id: Any) -> Decimal:
    """What the patient owes (negative: a credit). A sum, never a stored figure."""
    total = LedgerEntry.objects.filter(patient_id=patient_id).aggregate(total=Sum("amount"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


@atomic_service
def payment_collect(*, actor: Any, patient_id: Any, location_id: Any, amount: Any, tender: Tender,
                    appointment_id: int | None = None, description: str = "",
                    idempotency_key: str | None = None) -> LedgerEntry:
    """Take a payment at the desk (a co-pay or towards the balance) and number its receipt."""
    location = _location(location_id)
    _require_cashier(actor, location)
    key = _key(idempotency_key)
    if key and (prior := _replay(key, actor, EntryKind.PAYMENT)) is not None:
        return prior
    patient = _patient(actor, patient_id)
    _require_patient_here(actor, patient, location, appointment_id)
    value = parse_amount(amount)
    cleaned = tender.cleaned()
    if key and (prior := _replay_locked(key, actor, EntryKind.PAYMENT)) is not None:
        return prior
    entry = _create(patient=patient, location=location, kind=EntryKind.PAYMENT, amount=-value,
                    description=(description or _("Payment")).strip()[:200], method=cleaned.method,
                    check_number=cleaned.check_number, card_reference=cleaned.card_reference,
                    card_last4=cleaned.card_last4, appointment_id=appointment_id,
                    receipt_number=_receipt_number(), idempotency_key=key, created_by=staff_user(actor))
    record(actor, "payment.collect", entry, patient=patient,
           detail={"amount": str(value), "method": cleaned.method, "location": location.pk})
    return entry


@atomic_service
def refund_issue(*, actor: Any, payment_id: Any, amount: Any, tender: Tender | None = None, reason: str = "",
                 idempotency_key: str | None = None) -> LedgerEntry:
    """Give money back against a payment. More than was paid (less earlier refunds) is refused."""
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
def charge_post(*, actor: Any, patient_id: Any, location_id: Any, amount: Any, description: str,
                appointment_id: int | None = None, idempotency_key: str | None = None) -> LedgerEntry:
    location = _location(location_id)
    require(actor, Perm.BILLING_WRITE, location=location)
    key = _key(idempotency_key)
    if key and (prior := LedgerEntry.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    patient = _patient(actor, patient_id)
    value = parse_amount(amount)
    if not description.strip():
        raise ValidationFailed("description-required", _("Describe the charge."),
                               fields={"description": [_("Required.")]})
    entry = _create(patient=patient, location=location, kind=EntryKind.CHARGE, amount=value,
                    description=description.strip()[:200], appointment_id=appointment_id, idempotency_key=key,
                    created_by=staff_user(actor))
    record(actor, "ledger.charge", entry, patient=patient, detail={"amount": str(value)})
    return entry


@atomic_service
def adjustment_post(*, actor: Any, patient_id: Any, location_id: Any, amount: Any, reason: str) -> LedgerEntry:
    """A write-off or correction of the balance: negative lowers what the patient owes."""
    location = _location(location_id)
    require(actor, Perm.BILLING_WRITE, location=location)
    patient = _patient(actor, patient_id)
    value = parse_amount(amount, allow_negative=True)
    if not reason.strip():
        raise ValidationFailed("reason-required", _("Say why the balance is adjusted."),
                               fields={"reason": [_("A reason is required.")]})
    entry = _create(patient=patient, location=location, kind=EntryKind.ADJUSTMENT, amount=value,
                    description=reason.strip()[:200], created_by=staff_user(actor))
    record(actor, "ledger.adjust", entry, patient=patient, detail={"amount": str(value)})
    return entry


@atomic_service
def entry_reverse(*, actor: Any, entry_id: Any, reason: str) -> LedgerEntry:
    """Correct a mistaken entry with its mirror image. Nothing is edited; an entry is reversed once."""
    require(actor, Perm.BILLING_WRITE)
    original = LedgerEntry.objects.select_for_update().filter(pk=entry_id).first()
    if original is None:
        raise NotFound()
    require(actor, Perm.BILLING_WRITE, location=original.location_id, hide=True, resource_type="ledgerentry",
            resource_id=original.pk, patient_id=original.patient_id)
    if original.kind == EntryKind.REVERSAL:
        raise Conflict("reverse-reversal", _("A reversal cannot itself be reversed; post a new entry."))
    if hasattr(original, "reversed_by"):
        raise Conflict("already-reversed", _("This entry was already reversed."))
    if original.kind == EntryKind.PAYMENT and original.refunds.exists():
        raise Conflict("payment-refunded", _("This payment has refunds; reverse those first."))
    if not reason.strip():
        raise ValidationFailed("reason-required", _("Say why the entry is reversed."),
                               fields={"reason": [_("A reason is required.")]})
    entry = _create(patient_id=original.patient_id, location_id=original.location_id, kind=EntryKind.REVERSAL,
                    amount=-original.amount, description=reason.strip()[:200], method=original.method,
                    check_number=original.check_number, card_reference=original.card_reference,
                    card_last4=original.card_last4, reverses=original, appointment_id=original.appointment_id,
                    created_by=staff_user(actor))
    record(actor, "ledger.reverse", entry, patient=original.patient_id, detail={"reverses": original.pk})
    return entry


@atomic_service
def receipt_email(*, actor: Any, entry_id: Any) -> str:
    """E-mail the receipt PDF to the address on the patient's chart (after commit); returns the address."""
    from .receipts import receipt_pdf

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
