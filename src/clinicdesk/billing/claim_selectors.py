"""Reads of claims (#19 items 3-5): the worklist, one claim with its history and payments, the remittance
worklist (claim payments that could not be posted). Claims are billing work: billing write at the claim's
location. Every read that shows patients' claims is audited here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import ngettext

from clinicdesk.audit.services import atomic_service, record, record_many
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Coverage

from .claim_models import LIVE_EXCLUDED
from .claim_words import edit_words, reason_words, remit_problem_words
from .models import AnswerFile, Claim, ClaimStatus, RemitClaim, Superbill, SuperbillStatus
from .money import format_money

PAGE = 100


def superbills_without_claims() -> list[int]:
    """Posted superbills with no live primary claim (for `clinicdesk claims build`; no permission)."""
    live = Claim.objects.filter(superbill=OuterRef("pk"), sequence=1).exclude(status__in=LIVE_EXCLUDED)
    return list(Superbill.objects.filter(status=SuperbillStatus.POSTED).filter(~Exists(live))
                .order_by("pk").values_list("pk", flat=True))


def superbill_claims(*, actor: Actor, superbill_id: int) -> list[Claim]:
    """The claims of one visit (the superbill page's list), oldest first; none without billing write there."""
    rows = _scope(actor).filter(superbill_id=superbill_id) if isinstance(superbill_id, int) else Claim.objects.none()
    return list(rows.select_related("payer").order_by("sequence", "pk"))


def _scope(actor: Actor) -> Any:
    rows = Claim.objects.all()
    if not getattr(actor, "practice_wide", False):
        rows = rows.filter(location_id__in=actor.location_ids())
    return rows


@dataclass
class ClaimRow:
    claim: Claim
    edits: list[str]
    reasons: list[str]


@dataclass
class Worklist:
    rows: list[ClaimRow]
    counts: dict[str, int]
    status: str
    total: int
    problems: list[RemitRow] = field(default_factory=list)
    answers: list[AnswerFile] = field(default_factory=list)


@dataclass
class RemitRow:
    remit: RemitClaim
    problem: str
    adjustments: list[str]


def _remit_row(remit: RemitClaim) -> RemitRow:
    from .claim_words import adjustment_words

    return RemitRow(remit, remit_problem_words(remit.problem) if remit.problem else "",
                    [f"{adjustment_words(a['group'], a['reason'])}: {format_money(a['amount'])}"
                     for a in remit.adjustments])


@atomic_service
def claims_worklist(*, actor: Actor, status: str = "", offset: int = 0) -> Worklist:
    """Claims of the actor's locations, newest visit first (one status, or all), with the scrubber's edits and
    the answers' reasons in words; the claim payments on the remittance worklist; the last answer files read."""
    require(actor, Perm.BILLING_WRITE)
    scope = _scope(actor)
    counts = {row["status"]: row["n"] for row in scope.values("status").annotate(n=Count("pk")).order_by()}
    rows = scope.select_related("patient", "payer", "location").order_by("-date_of_service", "-pk")
    if status:
        rows = rows.filter(status=status)
    total = rows.count()
    page = list(rows[offset:offset + PAGE])
    problems = list(RemitClaim.objects.filter(resolved=False).exclude(problem="")
                    .select_related("remittance", "claim").order_by("-remittance__created_at", "position")[:50])
    if not getattr(actor, "practice_wide", False):
        problems = [p for p in problems if p.claim is None or p.claim.location_id in actor.location_ids()]
    answers = list(AnswerFile.objects.order_by("-received_at", "-pk")[:10])
    record_many(actor, "claim.list", [(claim, claim.patient_id, None) for claim in page])  # one insert, not one a row
    return Worklist(rows=[ClaimRow(c, [edit_words(e) for e in c.edits], [reason_words(r) for r in c.answer_reasons])
                          for c in page], counts=counts, status=status, total=total,
                    problems=[_remit_row(p) for p in problems], answers=answers)


@dataclass
class ClaimDetail:
    claim: Claim
    edits: list[str]
    reasons: list[str]
    lines: list[Any]
    events: list[Any]
    remits: list[RemitRow]
    postings: list[Any]
    moves: list[str] = field(default_factory=list)
    next_payer: NextPayer | None = None


@dataclass
class NextPayer:
    """The payer billed after this claim's (secondary after primary, tertiary after secondary): its claim when
    made, else whether it may be billed now (this claim's payer has answered)."""

    sequence: int
    payer: str
    claim: Claim | None
    may_bill: bool


ANSWERED = (ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED)


def _next_payer(claim: Claim) -> NextPayer | None:
    """None when no payer comes after this claim's (tertiary, replaced or voided, no coverage of that order)."""
    if claim.sequence >= 3 or not claim.is_live:
        return None
    sequence = claim.sequence + 1
    made = (Claim.objects.filter(superbill_id=claim.superbill_id, sequence=sequence).exclude(status__in=LIVE_EXCLUDED)
            .select_related("payer").order_by("pk").first())
    if made is not None:
        return NextPayer(sequence, made.payer.name, made, False)
    coverage = next((c for c in Coverage.objects.select_related("payer").filter(
        patient_id=claim.patient_id, order=sequence).order_by("-start_date", "-pk")
        if c.is_active_on(claim.date_of_service)), None)
    if coverage is None:
        return None
    return NextPayer(sequence, coverage.payer.name, None, claim.status in ANSWERED)


@atomic_service
def claim_detail(*, actor: Actor, claim_id: int) -> ClaimDetail:
    require(actor, Perm.BILLING_WRITE)
    claim = (Claim.objects.select_related("patient", "payer", "coverage", "location", "batch", "replaces",
                                          "superbill").filter(pk=claim_id).first()) if isinstance(claim_id, int) \
        else None
    if claim is None:
        raise NotFound()
    require(actor, Perm.BILLING_WRITE, location=claim.location_id, hide=True, resource_type="claim",
            resource_id=claim.pk, patient_id=claim.patient_id)
    record(actor, "claim.view", claim, patient=claim.patient_id)
    moves = []
    if claim.status in (ClaimStatus.HELD, ClaimStatus.REJECTED, ClaimStatus.READY):
        moves.append("scrub")
    if claim.status in (ClaimStatus.HELD, ClaimStatus.READY, ClaimStatus.REJECTED):
        moves.append("void")
    if claim.status in (ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED) and claim.payer_claim_number:
        moves.append("replace")
    return ClaimDetail(
        claim=claim, edits=[edit_words(e) for e in claim.edits],
        reasons=[reason_words(r) for r in claim.answer_reasons],
        lines=list(claim.lines.select_related("rendering").order_by("position")),
        events=list(claim.events.select_related("by").order_by("at", "pk")),
        remits=[_remit_row(r) for r in claim.remits.select_related("remittance").order_by("pk")],
        postings=list(claim.postings.select_related("entry").order_by("pk")), moves=moves,
        next_payer=_next_payer(claim))


def claim_as_json(claim: Claim, *, detail: ClaimDetail | None = None) -> dict[str, Any]:
    """The API's shape of a claim (codes as written, words beside them)."""
    out: dict[str, Any] = {
        "id": claim.pk, "claim_number": claim.claim_number, "status": claim.status,
        "status_label": str(ClaimStatus(claim.status).label), "sequence": claim.sequence,
        "frequency": claim.frequency, "payer": {"id": claim.payer_id, "name": claim.payer.name},
        "patient_id": claim.patient_id, "superbill_id": claim.superbill_id,
        "date_of_service": claim.date_of_service.isoformat(), "total_charge": str(claim.total_charge),
        "prior_paid": str(claim.prior_paid), "paid": str(claim.paid),
        "patient_responsibility": str(claim.patient_responsibility),
        "payer_claim_number": claim.payer_claim_number or None,
        "edits": [{"code": e["code"], "text": edit_words(e)} for e in claim.edits],
        "reasons": [reason_words(r) for r in claim.answer_reasons],
        "batch": claim.batch.control_number if claim.batch_id and claim.batch else None,
    }
    if detail is not None:
        out["lines"] = [{"position": line.position, "code": line.code, "modifiers": line.modifier_list,
                         "units": line.units, "pointers": line.pointers, "charge": str(line.charge),
                         "paid": str(line.paid)} for line in detail.lines]
        out["diagnoses"] = list(claim.diagnoses)
        out["events"] = [{"from": e.from_status or None, "to": e.to_status, "source": e.source, "note": e.note,
                          "at": e.at.isoformat()} for e in detail.events]
    return out


def answer_file_outcome(*, actor: Actor, summary: dict[str, Any]) -> list[str]:
    """What reading an answer file did, in words with their plural forms ("2 payments posted", "1 claim denied"),
    only what happened. An 835's posted claim payments are told apart by the claim's status after posting: paid
    or partly paid (a payment), denied (paid nothing), accepted again (a reversal)."""
    require(actor, Perm.BILLING_WRITE)
    posted = list(summary.get("posted", []))
    statuses = dict(_scope(actor).filter(claim_number__in=set(posted)).values_list("claim_number", "status"))
    kinds = [statuses.get(number) for number in posted]
    denied = sum(1 for kind in kinds if kind == ClaimStatus.DENIED)
    reversed_ = sum(1 for kind in kinds if kind == ClaimStatus.ACCEPTED)
    paid = len(kinds) - denied - reversed_
    accepted, rejected = len(summary.get("accepted", [])), len(summary.get("rejected", []))
    unmatched = len(summary.get("unmatched", []))  # the next payers' claims an 835 built: claim_views says them
    said = [
        (accepted, ngettext("%(count)s claim accepted", "%(count)s claims accepted", accepted)),
        (rejected, ngettext("%(count)s claim rejected", "%(count)s claims rejected", rejected)),
        (paid, ngettext("%(count)s payment posted", "%(count)s payments posted", paid)),
        (denied, ngettext("%(count)s claim denied", "%(count)s claims denied", denied)),
        (reversed_, ngettext("%(count)s payment reversed", "%(count)s payments reversed", reversed_)),
        (unmatched, ngettext("%(count)s payment left on the worklist", "%(count)s payments left on the worklist",
                             unmatched) if summary.get("kind") == "835" else
         ngettext("%(count)s answer matched no claim of ours", "%(count)s answers matched no claim of ours",
                  unmatched)),
    ]
    return [words % {"count": count} for count, words in said if count]
