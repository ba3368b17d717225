"""Working a denial (#19 item 7), one of three next steps per reason:

- correct and resubmit: the replacement claim (frequency 7, the payer's claim number in REF*F8) made by
  `claim_replace` from the visit's superbill as corrected, scrubbed and sent with the next 837P batch;
- appeal: `appeal_letter_create` writes the letter to the payer as a PDF in the patient's language (English or
  Spanish) and stores it on the patient's chart documents;
- write off: a biller asks (`write_off_request`, billing write at the claim's location), someone holding the
  approving permission decides (`write_off_approve` / `write_off_refuse`, billing approve, not the one who
  asked). Only the approval posts the adjustment on the append-only ledger (the one insert of ledger entries,
  with an idempotency key); a claim has one live write-off, and a decided one is never decided again."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Document
from clinicdesk.patients.services.documents import store_document

from ..denial_models import WRITE_OFF_TRANSITIONS
from ..denial_pdf import LETTER_LANGUAGES, appeal_letter_pdf
from ..denial_selectors import ADJUDICATED, Denial, _claims, _denial
from ..models import AppealLetter, Claim, DenialWriteOff, EntryKind, WriteOffStatus
from ..money import parse_amount
from ._common import _create


def _denied_claim(actor: Actor, claim_id: int, perm: Perm = Perm.BILLING_WRITE) -> tuple[Claim, Denial]:
    require(actor, perm)
    if not isinstance(claim_id, int):
        raise NotFound()
    locked = Claim.objects.select_for_update(of=("self",)).filter(pk=claim_id).values_list("pk", flat=True)
    if not list(locked):
        raise NotFound()
    claim = _claims(Claim.objects.filter(pk=claim_id)).get()
    require(actor, perm, location=claim.location_id, hide=True, resource_type="claim", resource_id=claim.pk,
            patient_id=claim.patient_id)
    denial = _denial(claim)
    if denial is None:
        raise InvalidTransition("not-denied", _("This claim is not denied: there is nothing to work."))
    return claim, denial


@atomic_service
def appeal_letter_create(*, actor: Actor, claim_id: int, language: str = "", note: str = "") -> AppealLetter:
    """The appeal letter of a denied (or partly paid) claim, as a PDF stored on the patient's chart."""
    claim, denial = _denied_claim(actor, claim_id)
    if claim.status not in ADJUDICATED:
        raise InvalidTransition("not-adjudicated", _("A claim the payer rejected on intake is corrected and sent "
                                                     "again, not appealed."))
    if language and language not in LETTER_LANGUAGES:
        raise ValidationFailed("bad-language", _("A letter is written in English or Spanish."),
                               fields={"language": [_("English or Spanish.")]})
    chosen = language or claim.patient.preferred_language or "en"
    chosen = chosen if chosen in LETTER_LANGUAGES else "en"
    today = clock.today_in(claim.location.tz)
    data = appeal_letter_pdf(claim, codes=denial.codes, amount=denial.amount, language=chosen, sent_on=today,
                             note=note[:1000])
    document = store_document(actor=actor, patient=claim.patient, kind=Document.Kind.OTHER, data=data,
                              content_type="application/pdf", document_date=today,
                              description=_("Appeal of claim %(claim)s to %(payer)s")
                              % {"claim": claim.claim_number, "payer": claim.payer.name})
    letter = AppealLetter.objects.create(claim=claim, document=document, language=chosen, reason_code=denial.code,
                                         created_at=clock.now(), created_by=staff_user(actor))
    record(actor, "denial.appeal", claim, patient=claim.patient_id,
           detail={"letter": letter.pk, "document": document.pk, "language": chosen, "reason": denial.code})
    return letter


@atomic_service
def write_off_request(*, actor: Actor, claim_id: int, amount: Decimal, note: str = "") -> DenialWriteOff:
    """Ask to write off (part of) the denied amount; nothing is posted until it is approved."""
    if not isinstance(amount, Decimal):
        raise TypeError("write_off_request takes a Decimal amount: parse the input in a form first.")
    claim, denial = _denied_claim(actor, claim_id)
    value = parse_amount(amount)
    if value <= 0 or value > denial.amount:
        message = _("Write off more than nothing and at most the denied %(amount)s.") % {"amount": denial.amount}
        raise ValidationFailed("bad-amount", message, fields={"amount": [message]})
    if denial.write_off is not None:
        raise Conflict("write-off-exists", _("This denial already has a write-off asked or approved."))
    try:
        with transaction.atomic():
            write_off = DenialWriteOff.objects.create(
                claim=claim, amount=value, reason_code=denial.code, note=note.strip()[:300],
                requested_by=staff_user(actor), requested_at=clock.now())
    except IntegrityError as exc:
        raise Conflict("write-off-exists", _("This denial already has a write-off asked or approved.")) from exc
    record(actor, "denial.write_off_request", write_off, patient=claim.patient_id,
           detail={"claim": claim.pk, "amount": str(value), "reason": denial.code})
    return write_off


def _pending(actor: Actor, write_off_id: int) -> DenialWriteOff:
    require(actor, Perm.BILLING_APPROVE)
    write_off = (DenialWriteOff.objects.select_for_update(of=("self",)).select_related("claim__superbill",
                                                                                        "claim__payer")
                 .filter(pk=write_off_id).first()) if isinstance(write_off_id, int) else None
    if write_off is None:
        raise NotFound()
    claim = write_off.claim
    require(actor, Perm.BILLING_APPROVE, location=claim.location_id, hide=True, resource_type="denialwriteoff",
            resource_id=write_off.pk, patient_id=claim.patient_id)
    return write_off


def _decide(actor: Actor, write_off: DenialWriteOff, to: str, note: str) -> None:
    if to not in WRITE_OFF_TRANSITIONS.get(write_off.status, frozenset()):
        raise InvalidTransition("write-off-decided", _("This write-off was already %(status)s.")
                                % {"status": str(WriteOffStatus(write_off.status).label).lower()})
    if staff_user(actor) is not None and write_off.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied("own-write-off", _("You asked for this write-off: someone else approves it."),
                               actor=actor, permission=str(Perm.BILLING_APPROVE), resource_type="denialwriteoff",
                               resource_id=str(write_off.pk), patient_id=write_off.claim.patient_id)
    write_off.status, write_off.decided_at = to, clock.now()
    write_off.decided_by, write_off.decision_note = staff_user(actor), note.strip()[:300]


@atomic_service
def write_off_approve(*, actor: Actor, write_off_id: int, note: str = "") -> DenialWriteOff:
    """Approve a write-off asked by someone else: the adjustment is posted on the patient's ledger, once."""
    write_off = _pending(actor, write_off_id)
    _decide(actor, write_off, WriteOffStatus.APPROVED, note)
    claim = write_off.claim
    entry = _create(patient_id=claim.patient_id, location_id=claim.location_id, kind=EntryKind.ADJUSTMENT,
                    amount=-write_off.amount,
                    description=(_("Write-off of denied claim %(claim)s (%(payer)s)")
                                 % {"claim": claim.claim_number, "payer": claim.payer.name})[:200],
                    appointment_id=claim.superbill.appointment_id,
                    idempotency_key=f"denial-write-off:{write_off.pk}", created_by=staff_user(actor))
    record(actor, "ledger.adjust", entry, patient=claim.patient_id,
           detail={"amount": str(entry.amount), "claim": claim.pk, "write_off": write_off.pk})
    write_off.entry = entry
    write_off.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "entry"])
    record(actor, "denial.write_off_approve", write_off, patient=claim.patient_id,
           detail={"claim": claim.pk, "amount": str(write_off.amount), "entry": entry.pk})
    return write_off


@atomic_service
def write_off_refuse(*, actor: Actor, write_off_id: int, note: str = "") -> DenialWriteOff:
    """Refuse a write-off: nothing is posted, and the denial stays on the worklist to be worked another way."""
    write_off = _pending(actor, write_off_id)
    _decide(actor, write_off, WriteOffStatus.REFUSED, note)
    write_off.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record(actor, "denial.write_off_refuse", write_off, patient=write_off.claim.patient_id,
           detail={"claim": write_off.claim_id})
    return write_off
