"""Building the claims of many posted superbills at once (#19: 10,000 claims built, scrubbed and written in under a
minute). The same rules as the single-visit `claim_build` (`claim_core` and the scrubber), read and written by the
set: a chunk of superbills (500) is read in a few queries (the superbills, their lines and diagnoses, the patients'
coverages, the live claims, the claims a duplicate could be, the referral and authorization numbers), built and
scrubbed in memory, and written in bulk (claims, lines, two status events each, one audit entry each), in one
transaction per chunk.

As before: a superbill that cannot be billed (not posted, no coverage) is reported with its reason; one that
already has its live claim gives that claim; a claim the scrubber finds something in is built held, with each
edit, and never sent. A chunk that fails as a whole (another run built one of its claims meanwhile) is built
again claim by claim through `claim_build`, so one claim's failure does not lose the others. A superbill the
actor may not bill, or one that does not exist, goes through `claim_build` too, which refuses it as it always
has."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils.translation import gettext as _

from clinicdesk.audit.services import record_many
from clinicdesk.core import clock
from clinicdesk.core.exceptions import InvalidTransition, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.insurance.services import claim_exchange

from ..claim_models import LIVE_EXCLUDED
from ..models import (
    Claim,
    ClaimEvent,
    ClaimLine,
    Superbill,
    SuperbillDiagnosis,
    SuperbillLine,
    SuperbillStatus,
)
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
from .claims import _prior_payers, claim_build
from .scrubber import ScrubContext, duplicate_among

CHUNK = 500
DuplicateKey = tuple[int, int, dt.date, int]  # patient, payer, date of service, sequence


@dataclasses.dataclass
class BuildReport:
    built: list[Claim] = dataclasses.field(default_factory=list)
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Known:
    """The live claims a new claim could duplicate: (order, superbill, claim number, codes), newest first by
    order (the id; a claim of this chunk, not saved yet, comes after every saved one)."""

    claims: dict[DuplicateKey, list[tuple[int, int, str, list[str]]]] = dataclasses.field(
        default_factory=lambda: defaultdict(list))

    def duplicate(self, claim: Claim, codes: list[str]) -> str | None:
        key = (claim.patient_id, claim.payer_id, claim.date_of_service, claim.sequence)
        others = sorted(self.claims.get(key, []), key=lambda row: -row[0])
        return duplicate_among(((number, other_codes) for _order, superbill, number, other_codes in others
                                if superbill != claim.superbill_id), codes)

    def add(self, order: int, patient: int, payer: int, day: dt.date, sequence: int, superbill: int, number: str,
            codes: list[str]) -> None:
        self.claims[(patient, payer, day, sequence)].append((order, superbill, number, codes))


def _known_claims(patients: set[int], sequence: int) -> _Known:
    """The live claims of these patients at this sequence."""
    known = _Known()
    rows = list(Claim.objects.filter(patient_id__in=patients, sequence=sequence).exclude(status__in=LIVE_EXCLUDED)
                .values_list("pk", "patient_id", "payer_id", "date_of_service", "superbill_id", "claim_number"))
    codes: dict[int, list[str]] = defaultdict(list)
    for claim_id, code in ClaimLine.objects.filter(claim_id__in=[r[0] for r in rows]).values_list("claim_id", "code"):
        codes[claim_id].append(code)
    for pk, patient, payer, day, superbill, number in rows:
        known.add(pk, patient, payer, day, sequence, superbill, number, codes[pk])
    return known


def claims_build_posted(*, actor: Actor, superbill_ids: list[int], today: dt.date | None = None,
                        sequence: int = 1) -> BuildReport:
    """Build the claim of `sequence` (primary by default) of each posted superbill, set by set; what could not be
    built is reported with its reason, nothing half made."""
    require(actor, Perm.BILLING_WRITE)
    if sequence not in (1, 2, 3):
        raise ValidationFailed("bad-sequence", _("A claim is primary, secondary or tertiary."))
    report = BuildReport()
    context = ScrubContext.load(today or clock.now().date())
    for start in range(0, len(superbill_ids), CHUNK):
        chunk = superbill_ids[start:start + CHUNK]
        try:
            with transaction.atomic():
                built, skipped, by_one = _build_chunk(actor, chunk, sequence, context)
        except IntegrityError:
            built, skipped, by_one = {}, {}, list(chunk)
        for superbill_id in by_one:
            try:
                built[superbill_id] = claim_build(actor=actor, superbill_id=superbill_id, sequence=sequence,
                                                  context=context)
            except (ValidationFailed, InvalidTransition) as error:
                skipped[superbill_id] = str(error.detail)
        for superbill_id in chunk:  # in the order asked
            if superbill_id in built:
                report.built.append(built[superbill_id])
            elif superbill_id in skipped:
                report.skipped.append((superbill_id, skipped[superbill_id]))
    return report


def _build_chunk(actor: Actor, chunk: list[int], sequence: int,
                 context: ScrubContext) -> tuple[dict[int, Claim], dict[int, str], list[int]]:
    """Build one chunk: ({superbill: claim}, {superbill: why not}, [superbills left to `claim_build`])."""
    wanted = [pk for pk in dict.fromkeys(chunk) if isinstance(pk, int)]
    superbills = {s.pk: s for s in Superbill.objects.select_for_update(of=("self",))
                  .select_related("appointment", "patient", "location").filter(pk__in=wanted)}
    allowed: dict[int, bool] = {}
    built: dict[int, Claim] = {}
    skipped: dict[int, str] = {}
    by_one = [pk for pk in dict.fromkeys(chunk) if pk not in superbills or not allowed.setdefault(
        superbills[pk].location_id, has_perm(actor, Perm.BILLING_WRITE, location=superbills[pk].location_id))]
    todo: list[Superbill] = []
    for pk in wanted:
        superbill = superbills.get(pk)
        if superbill is None or pk in by_one:
            continue
        if superbill.status != SuperbillStatus.POSTED:
            skipped[pk] = str(_("Post the superbill's charges before billing the payer."))
        else:
            todo.append(superbill)
    coverages = coverages_of((s.patient_id for s in todo), sequence)
    paying: list[tuple[Superbill, Any]] = []
    for superbill in todo:
        try:
            paying.append((superbill, coverage_on(coverages.get(superbill.patient_id, []),
                                                  superbill.date_of_service, sequence)))
        except ValidationFailed as error:
            skipped[superbill.pk] = str(error.detail)
    live = {(c.superbill_id, c.payer_id): c for c in Claim.objects.filter(
        superbill_id__in=[s.pk for s, _c in paying], sequence=sequence).exclude(status__in=LIVE_EXCLUDED)}
    fresh = []
    for superbill, coverage in paying:
        found = live.get((superbill.pk, coverage.payer_id))
        if found is not None:
            built[superbill.pk] = found
        else:
            fresh.append((superbill, coverage))
    built.update(_make(actor, fresh, sequence, context))
    return built, skipped, by_one


def _make(actor: Actor, fresh: list[tuple[Superbill, Any]], sequence: int,
          context: ScrubContext) -> dict[int, Claim]:
    """The new claims of (superbill, coverage) pairs, built, scrubbed and written in bulk."""
    if not fresh:
        return {}
    ids = [s.pk for s, _c in fresh]
    lines: dict[int, list[SuperbillLine]] = defaultdict(list)
    for line in SuperbillLine.objects.filter(superbill_id__in=ids).select_related("rendering").order_by(
            "superbill_id", "position"):
        lines[line.superbill_id].append(line)
    diagnoses: dict[int, list[str]] = defaultdict(list)
    for superbill_id, code in SuperbillDiagnosis.objects.filter(superbill_id__in=ids).order_by(
            "superbill_id", "position").values_list("superbill_id", "code"):
        diagnoses[superbill_id].append(code)
    references = claim_exchange.claim_references_many(
        [(s.patient_id, s.appointment_id, c.payer_id, s.date_of_service) for s, c in fresh])
    now = clock.now()
    known = _known_claims({s.patient_id for s, _c in fresh}, sequence)
    claims: list[Claim] = []
    claim_lines: list[list[ClaimLine]] = []
    events: list[ClaimEvent] = []
    for superbill, coverage in fresh:  # in order, as one by one: each sees the claims made before it
        prior_payers, prior_paid = _prior_payers(superbill, sequence) if sequence > 1 else ([], Decimal("0.00"))
        claim = new_claim(superbill, coverage, sequence, lines[superbill.pk], diagnoses[superbill.pk],
                          references=references[superbill.appointment_id], prior_payers=prior_payers,
                          prior_paid=prior_paid, now=now)
        made = new_lines(claim, lines[superbill.pk])
        codes = [line.code for line in made]
        claim.edits, target, note = scrub_verdict(claim, made, context, known.duplicate(claim, codes))
        known.add(_UNSAVED + len(claims), claim.patient_id, claim.payer_id, claim.date_of_service, sequence,
                  superbill.pk, _placeholder(len(claims)), codes)
        events.append(event(claim, target, source="build", note=note, at=now, actor=actor, from_status=""))
        claim.status = target
        claims.append(claim)
        claim_lines.append(made)
    Claim.objects.bulk_create(claims, batch_size=CHUNK)
    _number(claims)
    ClaimLine.objects.bulk_create([line for made in claim_lines for line in made], batch_size=2000)
    ClaimEvent.objects.bulk_create(events, batch_size=2000)
    record_many(actor, "claim.build", [(c, c.patient_id, build_detail(c)) for c in claims])
    return {c.superbill_id: c for c in claims}


_UNSAVED = 10**18  # the order of a claim of this chunk not saved yet: after every saved claim


def _placeholder(index: int) -> str:
    return f"(new:{index})"


def _number(claims: list[Claim]) -> None:
    """Give the saved claims their numbers from their ids (one UPDATE), and a duplicate edit naming a claim of the
    same chunk the number it now has."""
    ids = [c.pk for c in claims]
    Claim.objects.filter(pk__in=ids, pk__lt=10**8).update(
        claim_number=Concat(Value("CD"), LPad(Cast("id", CharField()), 8, Value("0"))))
    for claim in claims:
        claim.claim_number = claim_number_of(claim.pk)
        if claim.pk >= 10**8:
            claim.save(update_fields=["claim_number"])
    for claim in claims:
        naming = [e for e in claim.edits if e["code"] == "duplicate-claim" and e["params"]["other"].startswith("(new:")]
        for edit in naming:
            edit["params"]["other"] = claims[int(edit["params"]["other"][5:-1])].claim_number
        if naming:
            claim.save(update_fields=["edits"])
