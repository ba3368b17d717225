"""Collections holds and refunds of credit balances (#19 item 8).

A collections hold is a flag with a reason on a patient's balance: while it is on, the statement cycle skips the
patient and no collection step runs (`statements.held_patients`). One active hold per patient (a constraint).

A credit balance (the patient paid more than they owe) is paid back in two steps: a biller requests the refund
(the amount at most the credit, less other requests waiting), a biller approves it, which posts the refund entries
on the ledger (append-only, through `refund_issue`, the one path for money given back: against the newest
payments that still have something to refund, by their own method). A request is decided once: approving it
twice, or after it was declined, is an `InvalidTransition`; a double click replays (idempotency key).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient

from ..models import CollectionsHold, CreditRefund, EntryKind, LedgerEntry, RefundStatus
from ..money import format_money, parse_amount
from ._common import _key
from .payments import refund_issue

ZERO = Decimal("0.00")


def _patient(actor: Actor, patient_id: int, perm: Perm = Perm.BILLING_WRITE) -> Patient:
    require(actor, perm)
    return patient_selectors.patient_in_reach(actor, patient_id, perm=(perm,), current=True)


def _reason(text: str) -> str:
    if not (text or "").strip():
        raise ValidationFailed("reason-required", _("A reason is required."),
                               fields={"reason": [_("A reason is required.")]})
    return text.strip()[:200]


@atomic_service
def collections_hold_place(*, actor: Actor, patient_id: int, reason: str) -> CollectionsHold:
    patient = _patient(actor, patient_id)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if CollectionsHold.objects.filter(patient=patient, released_at__isnull=True).exists():
        raise Conflict("hold-exists", _("This balance is already on a collections hold."))
    hold = CollectionsHold.objects.create(patient=patient, reason=_reason(reason), placed_by=staff_user(actor),
                                          placed_at=clock.now())
    record(actor, "collections.hold", hold, patient=patient)
    return hold


@atomic_service
def collections_hold_release(*, actor: Actor, hold_id: int) -> CollectionsHold:
    require(actor, Perm.BILLING_WRITE)
    hold = CollectionsHold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None:
        raise NotFound()
    _patient(actor, hold.patient_id)
    if hold.released_at is not None:
        raise InvalidTransition("hold-released", _("This hold was already released."))
    hold.released_at, hold.released_by = clock.now(), staff_user(actor)
    hold.save(update_fields=["released_at", "released_by"])
    record(actor, "collections.release", hold, patient=hold.patient_id)
    return hold


def credit_of(patient_id: int) -> Decimal:
    """What the practice owes the patient back (positive), zero when they owe or are even."""
    balance = LedgerEntry.objects.filter(patient_id=patient_id).aggregate(t=Sum("amount"))["t"] or ZERO
    return max(-balance, ZERO).quantize(Decimal("0.01"))


@atomic_service
def credit_refund_request(*, actor: Actor, patient_id: int, amount: Decimal, reason: str,
                          idempotency_key: str | None = None) -> CreditRefund:
    patient = _patient(actor, patient_id)
    key = _key(idempotency_key)
    if key and (prior := CreditRefund.objects.filter(idempotency_key=key).first()) is not None:
        if prior.patient_id != patient.pk:
            raise Conflict("idempotency-key-reused", _("This form was already used for something else."))
        return prior
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    value = parse_amount(amount)
    waiting = CreditRefund.objects.filter(patient=patient, status=RefundStatus.REQUESTED).aggregate(
        t=Sum("amount"))["t"] or ZERO
    available = credit_of(patient.pk) - waiting
    if value > available:
        message = _("A refund of %(asked)s is more than the credit balance not yet requested (%(left)s).") % {
            "asked": format_money(value), "left": format_money(max(available, ZERO))}
        raise ValidationFailed("refund-too-large", message, fields={"amount": [message]})
    refund = CreditRefund.objects.create(patient=patient, location_id=patient.home_location_id, amount=value,
                                         reason=_reason(reason), requested_by=staff_user(actor),
                                         requested_at=clock.now(), idempotency_key=key)
    record(actor, "refund.request", refund, patient=patient, detail={"amount": str(value)})
    return refund


def _locked_request(actor: Actor, refund_id: int, perms: tuple[Perm, ...]) -> CreditRefund:
    """The waiting request, for one holding any of `perms` at its location (elsewhere: missing)."""
    if not any(has_perm(actor, perm) for perm in perms):
        require(actor, perms[0])
    refund = CreditRefund.objects.select_for_update().filter(pk=refund_id).first()
    if refund is None:
        raise NotFound()
    if not any(has_perm(actor, perm, location=refund.location_id) for perm in perms):
        require(actor, perms[0], location=refund.location_id, hide=True, resource_type="creditrefund",
                resource_id=refund.pk, patient_id=refund.patient_id)
    if refund.status != RefundStatus.REQUESTED:
        raise InvalidTransition("refund-decided", _("This refund was already decided."))
    return refund


@atomic_service
def credit_refund_approve(*, actor: Actor, refund_id: int) -> CreditRefund:
    """Approve and post: refund entries against the newest payments with something left to refund. Approving
    needs billing approval, and someone other than who asked for the refund (as a denial's write-off)."""
    refund = _locked_request(actor, refund_id, (Perm.BILLING_APPROVE,))
    if staff_user(actor) is not None and refund.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied("own-refund", _("You asked for this refund: someone else approves it."),
                               actor=actor, permission=str(Perm.BILLING_APPROVE), resource_type="creditrefund",
                               resource_id=str(refund.pk), patient_id=refund.patient_id)
    Patient.objects.select_for_update().filter(pk=refund.patient_id).first()
    if refund.amount > credit_of(refund.patient_id):
        raise Conflict("credit-changed", _("The credit balance is now smaller than this refund; decline it and "
                                           "request the right amount."))
    left = refund.amount
    entries = []
    payments = LedgerEntry.objects.filter(patient_id=refund.patient_id, kind=EntryKind.PAYMENT,
                                          reversed_by__isnull=True).order_by("-created_at", "-pk")
    for payment in payments:
        if left <= 0:
            break
        refunded = sum((r.amount for r in payment.refunds.all() if not hasattr(r, "reversed_by")), ZERO)
        room = -payment.amount - refunded
        if room <= 0:
            continue
        part = min(room, left)
        entry = refund_issue(actor=actor, payment_id=payment.pk, amount=part,
                             reason=_("Refund of credit balance: %(reason)s") % {"reason": refund.reason},
                             idempotency_key=f"credit-refund:{refund.pk}:{payment.pk}")
        entries.append(entry.pk)
        left -= part
    if left > 0:
        raise Conflict("no-payment-to-refund", _("The credit is not from payments that can be refunded; adjust the "
                                                 "balance instead."))
    refund.status, refund.decided_by, refund.decided_at = RefundStatus.POSTED, staff_user(actor), clock.now()
    refund.entry_ids = entries
    refund.save(update_fields=["status", "decided_by", "decided_at", "entry_ids"])
    record(actor, "refund.approve", refund, patient=refund.patient_id,
           detail={"amount": str(refund.amount), "entries": entries})
    return refund


@atomic_service
def credit_refund_decline(*, actor: Actor, refund_id: int) -> CreditRefund:
    """Decline a waiting request: the approver, or billing staff withdrawing one (nothing is posted)."""
    refund = _locked_request(actor, refund_id, (Perm.BILLING_APPROVE, Perm.BILLING_WRITE))
    refund.status, refund.decided_by, refund.decided_at = RefundStatus.DECLINED, staff_user(actor), clock.now()
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    record(actor, "refund.decline", refund, patient=refund.patient_id)
    return refund
