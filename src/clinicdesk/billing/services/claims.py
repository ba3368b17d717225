"""Claims as data (#19 item 3): a claim per posted superbill, payer and sequence, its lines, its status moved only
along `CLAIM_TRANSITIONS` (each move kept as a `ClaimEvent`), scrubbed as it is built and again on demand.

`claim_build` makes the claim of a posted superbill for the patient's coverage of that sequence (primary,
secondary, tertiary; a secondary one carries what the earlier payers paid, read from their adjudicated claims);
building twice returns the live claim (the database allows one live claim per visit, payer and sequence).
`claim_scrub` runs the scrubber again (after a correction) and moves the claim to ready or held.
`claim_replace` makes the corrected claim (frequency 7) of an adjudicated one; `claim_void` voids a claim not
yet sent, or sends a void (frequency 8) of one the payer holds.

Who: billing write at the claim's location (403 without it, 404 for another location's claim)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require
from clinicdesk.insurance.services import claim_exchange
from clinicdesk.patients.models import Coverage

from ..claim_models import CLAIM_TRANSITIONS, LIVE_EXCLUDED
from ..models import Claim, ClaimFrequency, ClaimLine, ClaimStatus, Superbill, SuperbillStatus
from .claim_core import (
    build_detail,
    claim_number_of,
    coverage_on,
    coverages_of,
    event,
    new_claim,
    new_lines,
    scrub_verdict,
)
from .scrubber import ScrubContext, find_duplicate

SYSTEM = SystemActor("claims", frozenset({Perm.BILLING_READ, Perm.BILLING_WRITE, Perm.PATIENT_READ}))
ADJUDICATED = (ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED)


def move(claim: Claim, to: str, *, source: str, note: str = "", actor: Actor | None = None,
         save: bool = True) -> bool:
    """Move a claim's status along the table (an event kept); False when it is already there (a re-read file)."""
    if claim.status == to and to not in (ClaimStatus.HELD, ClaimStatus.READY):
        return False
    if to not in CLAIM_TRANSITIONS.get(claim.status, frozenset()):
        raise InvalidTransition("claim-bad-move", _("A claim that is %(now)s cannot become %(to)s.")
                                % {"now": ClaimStatus(claim.status).label, "to": ClaimStatus(to).label})
    event(claim, to, source=source, note=note, at=clock.now(), actor=actor).save()
    claim.status, claim.updated_at = to, clock.now()
    if save:
        claim.save(update_fields=["status", "updated_at"])
    return True


def _claim_for(actor: Actor, claim_id: int, *, lock: bool = False, perm: Perm = Perm.BILLING_WRITE) -> Claim:
    require(actor, perm)
    rows = Claim.objects.select_for_update(of=("self",)) if lock else Claim.objects
    claim = (rows.select_related("payer", "coverage", "patient", "location", "superbill")
             .filter(pk=claim_id).first()) if isinstance(claim_id, int) else None
    if claim is None:
        raise NotFound()
    require(actor, perm, location=claim.location_id, hide=True, resource_type="claim", resource_id=claim.pk,
            patient_id=claim.patient_id)
    return claim


def _coverage(superbill: Superbill, sequence: int) -> Coverage:
    return coverage_on(coverages_of([superbill.patient_id], sequence).get(superbill.patient_id, []),
                       superbill.date_of_service, sequence)


def _prior_payers(superbill: Superbill, sequence: int) -> tuple[list[dict[str, Any]], Decimal]:
    """What the earlier payers answered (their adjudicated claims of this visit), oldest first."""
    earlier = list(Claim.objects.filter(superbill=superbill, sequence__lt=sequence, status__in=ADJUDICATED)
                   .select_related("payer", "coverage").prefetch_related("remits").order_by("sequence"))
    payers, paid = [], Decimal("0.00")
    for claim in earlier:
        adjustments: dict[tuple[str, str], Decimal] = {}
        last_date = ""
        for remit in claim.remits.filter(posted=True):
            for a in remit.adjustments:
                key = (a["group"], a["reason"])
                adjustments[key] = adjustments.get(key, Decimal(0)) + Decimal(a["amount"])
            last_date = str(remit.remittance.paid_date or "")
        payers.append({"sequence": claim.sequence, "payer": claim.payer.name, "payer_code": claim.payer.payer_code,
                       "coverage": claim.coverage_id, "paid": str(claim.paid), "date": last_date,
                       "adjustments": [{"group": g, "reason": r, "amount": str(v)}
                                       for (g, r), v in adjustments.items() if v]})
        paid += claim.paid
    return payers, paid


def _scrub_claim(claim: Claim, context: ScrubContext, *, source: str = "scrub", actor: Actor | None = None) -> Claim:
    lines = list(claim.lines.select_related("rendering").order_by("position"))
    duplicate = find_duplicate(claim, [line.code for line in lines])
    claim.edits, target, note = scrub_verdict(claim, lines, context, duplicate)
    claim.save(update_fields=["edits"])
    move(claim, target, source=source, note=note, actor=actor)
    return claim


@atomic_service
def claim_build(*, actor: Actor, superbill_id: int, sequence: int = 1,
                context: ScrubContext | None = None) -> Claim:
    """The claim of a posted superbill to the payer of the patient's coverage of `sequence`, scrubbed: ready when
    it passes, held with its edits otherwise. Building again returns the live claim."""
    require(actor, Perm.BILLING_WRITE)
    superbill = (Superbill.objects.select_for_update(of=("self",)).select_related("appointment", "patient")
                 .filter(pk=superbill_id).first()) if isinstance(superbill_id, int) else None
    if superbill is None:
        raise NotFound()
    require(actor, Perm.BILLING_WRITE, location=superbill.location_id, hide=True, resource_type="superbill",
            resource_id=superbill.pk, patient_id=superbill.patient_id)
    if sequence not in (1, 2, 3):
        raise ValidationFailed("bad-sequence", _("A claim is primary, secondary or tertiary."))
    if superbill.status != SuperbillStatus.POSTED:
        raise InvalidTransition("superbill-not-posted", _("Post the superbill's charges before billing the payer."))
    coverage = _coverage(superbill, sequence)
    live = (Claim.objects.filter(superbill=superbill, payer_id=coverage.payer_id, sequence=sequence)
            .exclude(status__in=LIVE_EXCLUDED).first())
    if live is not None:
        return live
    prior_payers, prior_paid = _prior_payers(superbill, sequence) if sequence > 1 else ([], Decimal("0.00"))
    return _create(actor, superbill, coverage, sequence, prior_payers=prior_payers, prior_paid=prior_paid,
                   context=context or ScrubContext.load(clock.today_in(superbill.location.tz)))


def _create(actor: Actor, superbill: Superbill, coverage: Coverage, sequence: int, *,
            prior_payers: list[dict[str, Any]], prior_paid: Decimal, context: ScrubContext,
            frequency: str = ClaimFrequency.ORIGINAL, replaces: Claim | None = None,
            payer_claim_number: str = "") -> Claim:
    lines = list(superbill.lines.select_related("rendering").order_by("position"))
    diagnoses = list(superbill.diagnoses.order_by("position").values_list("code", flat=True))
    references = claim_exchange.claim_references(
        patient_id=superbill.patient_id, appointment_id=superbill.appointment_id, payer_id=coverage.payer_id,
        day=superbill.date_of_service)
    now = clock.now()
    claim = new_claim(superbill, coverage, sequence, lines, diagnoses, references=references,
                      prior_payers=prior_payers, prior_paid=prior_paid, now=now, frequency=frequency,
                      replaces=replaces, payer_claim_number=payer_claim_number)
    made = new_lines(claim, lines)
    # Scrubbed before it is written: the claim is born ready or held, one event from "" (there is no draft).
    claim.edits, target, note = scrub_verdict(claim, made, context,
                                              find_duplicate(claim, [line.code for line in made]))
    claim.status = target
    try:
        with transaction.atomic():
            claim.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict("claim-exists", _("This visit already has a claim to this payer.")) from exc
    claim.claim_number = claim_number_of(claim.pk)
    claim.save(update_fields=["claim_number"])
    claim_lines = ClaimLine.objects.bulk_create(made)
    for saved, line in zip(claim_lines, lines, strict=True):
        saved.rendering = line.rendering
    event(claim, target, source="build", note=note, at=now, actor=actor, from_status="").save()
    record(actor, "claim.build", claim, patient=superbill.patient_id, detail=build_detail(claim))
    return claim


@atomic_service
def claim_scrub(*, actor: Actor, claim_id: int) -> Claim:
    """Scrub a held or rejected claim again (after the coverage, the practice or the payer was corrected)."""
    claim = _claim_for(actor, claim_id, lock=True)
    if claim.status not in (ClaimStatus.HELD, ClaimStatus.REJECTED, ClaimStatus.READY):
        raise InvalidTransition("claim-not-editable", _("Only a claim not yet sent, or rejected, is scrubbed again."))
    if claim.sequence > 1 and not claim.prior_payers:
        claim.prior_payers, claim.prior_paid = _prior_payers(claim.superbill, claim.sequence)
        claim.save(update_fields=["prior_payers", "prior_paid"])
    if not claim.referral_number or not claim.prior_authorization:
        referral, authorization = claim_exchange.claim_references(
            patient_id=claim.patient_id, appointment_id=claim.superbill.appointment_id, payer_id=claim.payer_id,
            day=claim.date_of_service)
        claim.referral_number = claim.referral_number or referral
        claim.prior_authorization = claim.prior_authorization or authorization
        claim.save(update_fields=["referral_number", "prior_authorization"])
    _scrub_claim(claim, ScrubContext.load(clock.today_in(claim.location.tz)), actor=actor)
    record(actor, "claim.scrub", claim, patient=claim.patient_id,
           detail={"edits": [e["code"] for e in claim.edits]})
    return claim


@atomic_service
def claim_replace(*, actor: Actor, claim_id: int) -> Claim:
    """The corrected claim (frequency 7, naming the payer's claim number) of an adjudicated claim; the old one is
    marked replaced. The corrected claim is built from the visit's superbill as it is now."""
    claim = _claim_for(actor, claim_id, lock=True)
    if claim.status not in ADJUDICATED:
        raise InvalidTransition("claim-not-adjudicated", _("Only a paid, partly paid or denied claim is replaced."))
    if not claim.payer_claim_number:
        raise ValidationFailed("no-payer-claim-number", _("The payer's claim number is not known: a replacement "
                                                          "must name it."))
    move(claim, ClaimStatus.REPLACED, source="user", actor=actor)
    superbill = claim.superbill
    new = _create(actor, superbill, claim.coverage, claim.sequence, prior_payers=claim.prior_payers,
                  prior_paid=claim.prior_paid, context=ScrubContext.load(clock.today_in(claim.location.tz)),
                  frequency=ClaimFrequency.REPLACEMENT, replaces=claim,
                  payer_claim_number=claim.payer_claim_number)
    record(actor, "claim.replace", claim, patient=claim.patient_id, detail={"replacement": new.pk})
    return new


@atomic_service
def claim_void(*, actor: Actor, claim_id: int) -> Claim:
    """Void a claim not yet sent (or rejected)."""
    claim = _claim_for(actor, claim_id, lock=True)
    if claim.status not in (ClaimStatus.HELD, ClaimStatus.READY, ClaimStatus.REJECTED):
        raise InvalidTransition("claim-sent", _("A claim the payer holds is not voided here."))
    move(claim, ClaimStatus.VOIDED, source="user", actor=actor)
    record(actor, "claim.void", claim, patient=claim.patient_id)
    return claim


NEXT_PAYER = {1: 2, 2: 3}  # the claim's sequence -> the sequence billed after it


@atomic_service
def claim_build_next(*, actor: Actor, claim_id: int) -> Claim:
    """Bill the next payer (secondary after the primary, tertiary after the secondary) once this claim's payer
    has answered (paid, partly paid or denied): the same `claim_build` of the visit at the next sequence, which
    returns the live claim when there is one already. Refused while the payer has not answered."""
    claim = _claim_for(actor, claim_id)
    if claim.sequence not in NEXT_PAYER:
        raise ValidationFailed("bad-sequence", _("A tertiary claim is the last one: no payer comes after it."))
    if claim.status not in ADJUDICATED:  # the scrubber's words for the same reason (claim_words)
        raise InvalidTransition("earlier-payer-missing",
                                _("A secondary or tertiary claim needs the earlier payer's answer first."))
    return claim_build(actor=actor, superbill_id=claim.superbill_id, sequence=NEXT_PAYER[claim.sequence])
