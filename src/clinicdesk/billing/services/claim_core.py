"""The one home of how a claim is made (#19 item 3), shared by the single-visit `claim_build` (the screen) and the
set-based `claims_build_posted` (a night's batch): which coverage pays, the claim row and its lines as unsaved
objects, the scrubber's verdict (edits, held or ready) and the status events. The callers differ only in how
they read (one visit, or a few queries for hundreds) and write (row by row, or in bulk); the rules live here
and in `scrubber`, so the two paths cannot drift."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, staff_user
from clinicdesk.patients.models import Coverage

from ..models import Claim, ClaimEvent, ClaimFrequency, ClaimLine, ClaimStatus, Superbill, SuperbillLine
from .scrubber import ScrubContext, scrub


def coverages_of(patient_ids: Iterable[int], sequence: int) -> dict[int, list[Coverage]]:
    """Each patient's coverages of this sequence (primary, secondary, tertiary), newest first."""
    found: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in (Coverage.objects.select_related("payer").filter(patient_id__in=set(patient_ids), order=sequence)
                     .order_by("-start_date", "-pk")):
        found[coverage.patient_id].append(coverage)
    return found


def coverage_on(coverages: list[Coverage], day: dt.date, sequence: int) -> Coverage:
    """The newest of the patient's coverages of this sequence active on the day; ValidationFailed when none."""
    for coverage in coverages:
        if coverage.is_active_on(day):
            return coverage
    raise ValidationFailed("no-coverage", _("The patient has no %(which)s coverage on %(day)s.")
                           % {"which": {1: _("primary"), 2: _("secondary"), 3: _("tertiary")}[sequence],
                              "day": day.isoformat()})


def claim_number_of(pk: int) -> str:
    """CLM01, our patient control number, from the claim's id."""
    return f"CD{pk:08d}"


def new_claim(superbill: Superbill, coverage: Coverage, sequence: int, lines: list[SuperbillLine],
              diagnoses: list[str], *, references: tuple[str, str], prior_payers: list[dict[str, Any]],
              prior_paid: Decimal, now: dt.datetime, frequency: str = ClaimFrequency.ORIGINAL,
              replaces: Claim | None = None, payer_claim_number: str = "") -> Claim:
    """The claim of a visit to a coverage's payer, unsaved and not yet scrubbed (held until `scrub_verdict` says
    ready; its number is set from its id once saved)."""
    places = {line.place_of_service for line in lines}
    referral, authorization = references
    claim = Claim(
        superbill=superbill, patient_id=superbill.patient_id, location_id=superbill.location_id,
        coverage=coverage, payer=coverage.payer, sequence=sequence,
        claim_number=uuid.uuid4().hex[:20], status=ClaimStatus.HELD, frequency=frequency,
        payer_claim_number=payer_claim_number, replaces=replaces, date_of_service=superbill.date_of_service,
        place_of_service=lines[0].place_of_service if len(places) == 1 else "11",
        diagnoses=diagnoses, total_charge=sum((line.charge or Decimal(0) for line in lines), Decimal("0.00")),
        prior_paid=prior_paid, prior_payers=prior_payers, referral_number=referral,
        prior_authorization=authorization, created_at=now, updated_at=now)
    claim.patient = superbill.patient
    return claim


def new_lines(claim: Claim, lines: list[SuperbillLine]) -> list[ClaimLine]:
    """The claim's lines, unsaved, one per superbill line in order (the rendering provider kept loaded)."""
    made = [ClaimLine(claim=claim, position=line.position, superbill_line=line, code=line.code,
                      modifiers=line.modifiers, units=line.units, pointers=list(line.pointers),
                      place_of_service=line.place_of_service, rendering=line.rendering,
                      charge=line.charge or Decimal("0.00"))
            for line in lines]
    return made


def scrub_verdict(claim: Claim, lines: list[ClaimLine], context: ScrubContext,
                  duplicate_of: str | None) -> tuple[list[dict[str, Any]], str, str]:
    """The scrubber's edits of the claim, the status it moves to (held with any edit, ready without) and the
    event's note (the edits' codes)."""
    edits = scrub(claim, lines, context, appointment_type_id=claim.superbill.appointment.appointment_type_id,
                  duplicate_of=duplicate_of)
    return edits, (ClaimStatus.HELD if edits else ClaimStatus.READY), ", ".join(e["code"] for e in edits)


def event(claim: Claim, to: str, *, source: str, at: dt.datetime, actor: Actor | None, note: str = "",
          from_status: str | None = None) -> ClaimEvent:
    """One move of the claim's status, unsaved."""
    return ClaimEvent(claim=claim, from_status=claim.status if from_status is None else from_status, to_status=to,
                      source=source, note=note[:300], at=at, by=staff_user(actor) if actor is not None else None)


def build_detail(claim: Claim) -> dict[str, Any]:
    """What the audit record of a built claim says."""
    return {"superbill": claim.superbill_id, "sequence": claim.sequence, "payer": claim.payer_id,
            "frequency": claim.frequency, "edits": [e["code"] for e in claim.edits]}
