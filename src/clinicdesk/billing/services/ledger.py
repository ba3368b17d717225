"""The patient ledger: balances, charges, adjustments and reversals (billing write). A charge is written by
`charge_write` alone, whether a biller posts it by hand (`charge_post`) or a superbill posts its lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location

from ..models import EntryKind, LedgerEntry
from ..money import parse_amount
from ._common import _create, _key, _location, _patient, _require_parsed


def balance_of(patient_id: int) -> Decimal:
    """What the patient owes (negative: a credit). A sum, never a stored figure."""
    total = LedgerEntry.objects.filter(patient_id=patient_id).aggregate(total=Sum("amount"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


def collected_for_appointment(appointment_id: int | None) -> Decimal:
    """Money taken for one visit (its appointment), net of refunds and of reversed payments and refunds."""
    if appointment_id is None:
        return Decimal("0.00")
    money = [EntryKind.PAYMENT, EntryKind.REFUND]
    total = LedgerEntry.objects.filter(appointment_id=appointment_id).filter(
        Q(kind__in=money) | Q(kind=EntryKind.REVERSAL, reverses__kind__in=money)).aggregate(
        total=Sum("amount"))["total"]
    return (-(total or Decimal("0"))).quantize(Decimal("0.01"))



@atomic_service
def charge_post(*, actor: Actor, patient_id: int, location_id: int, amount: Decimal, description: str,
                appointment_id: int | None = None, idempotency_key: str | None = None) -> LedgerEntry:
    _require_parsed(amount, patient_id, location_id)
    location = _location(location_id)
    require(actor, Perm.BILLING_WRITE, location=location)
    key = _key(idempotency_key)
    if key and (prior := LedgerEntry.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    patient = _patient(actor, patient_id, location)
    value = parse_amount(amount)
    if not description.strip():
        raise ValidationFailed("description-required", _("Describe the charge."),
                               fields={"description": [_("Required.")]})
    return charge_write(actor=actor, patient=patient, location=location, amount=value, description=description,
                        appointment_id=appointment_id, idempotency_key=key)


def charge_write(*, actor: Actor, patient: Patient, location: Location, amount: Decimal, description: str,
                 appointment_id: int | None, idempotency_key: str | None,
                 detail: dict[str, Any] | None = None) -> LedgerEntry:
    """The one insert of a charge, audited: the caller has checked who may post it (billing write by hand,
    charge capture for a superbill's lines), the chart and the amount."""
    entry = _create(patient=patient, location=location, kind=EntryKind.CHARGE, amount=amount,
                    description=description.strip()[:200], appointment_id=appointment_id,
                    idempotency_key=idempotency_key, created_by=staff_user(actor))
    record(actor, "ledger.charge", entry, patient=patient, detail={"amount": str(amount), **(detail or {})})
    return entry


@atomic_service
def adjustment_post(*, actor: Actor, patient_id: int, location_id: int, amount: Decimal,
                    reason: str, idempotency_key: str | None = None) -> LedgerEntry:
    """A write-off or correction of the balance: negative lowers what the patient owes. With an idempotency key
    (the form's hidden field, the API's header) a retry returns the first adjustment."""
    _require_parsed(amount, patient_id, location_id)
    location = _location(location_id)
    require(actor, Perm.BILLING_WRITE, location=location)
    key = _key(idempotency_key)
    if key and (prior := LedgerEntry.objects.filter(idempotency_key=key).first()) is not None:
        require(actor, Perm.BILLING_WRITE, location=prior.location_id, hide=True, resource_type="ledgerentry",
                resource_id=prior.pk)
        if prior.kind != EntryKind.ADJUSTMENT:
            raise Conflict("idempotency-key-reused", _("This form was already used for something else."))
        return prior
    patient = _patient(actor, patient_id, location)
    value = parse_amount(amount, allow_negative=True)
    if not reason.strip():
        raise ValidationFailed("reason-required", _("Say why the balance is adjusted."),
                               fields={"reason": [_("A reason is required.")]})
    entry = _create(patient=patient, location=location, kind=EntryKind.ADJUSTMENT, amount=value,
                    description=reason.strip()[:200], idempotency_key=key, created_by=staff_user(actor))
    record(actor, "ledger.adjust", entry, patient=patient, detail={"amount": str(value)})
    return entry


@atomic_service
def entry_reverse(*, actor: Actor, entry_id: int, reason: str) -> LedgerEntry:
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

