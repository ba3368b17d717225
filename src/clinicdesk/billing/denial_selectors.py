"""Reads of denials (#19 item 7): the denial worklist (claims denied or partly paid on a posted 835, and claims the
payer rejected on intake in a 277CA), grouped by reason with the next step for each reason; one denial with what
was done about it; the denial rate by payer and by reason over a date range.

A denial is computed from what was posted, never stored: a claim is on the worklist while it is denied (CLP02 4),
or its last posted payment carries a denying adjustment (any CO, PR, OA or PI adjustment but the contractual
write-down and the patient's share), or a 277CA rejected it; it leaves when it is replaced by a corrected claim
or its write-off is approved. Who: billing write (work denials) or billing approve (decide write-offs), at the
claim's location; every read that shows a patient's claim is audited here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q

from clinicdesk.audit.services import atomic_service, record, record_many
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require

from .claim_words import adjustment_words
from .denial_words import APPEAL, CORRECT, RESUBMIT, WRITE_OFF, denial_adjustments, next_step, reason_words, step_words
from .models import AppealLetter, Claim, ClaimStatus, DenialWriteOff, RemitClaim, WriteOffStatus
from .money import format_money

ZERO = Decimal("0.00")
ADJUDICATED = (ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED)
CANDIDATES = (*ADJUDICATED, ClaimStatus.REJECTED)
WINDOW = dt.timedelta(days=400)  # claims moved in the last 13 months are worked; older ones are past appeal
LIMIT = 2000


def require_denials(actor: Actor, *, location: Any = None, **hidden: Any) -> None:
    """Billing staff work denials; whoever approves write-offs sees them too."""
    if has_perm(actor, Perm.BILLING_WRITE, location=location) or has_perm(actor, Perm.BILLING_APPROVE,
                                                                          location=location):
        return
    require(actor, Perm.BILLING_WRITE, location=location, **hidden)


def _scope(actor: Actor) -> Any:
    rows = Claim.objects.all()
    if not getattr(actor, "practice_wide", False):
        rows = rows.filter(location_id__in=actor.location_ids())
    return rows


@dataclass
class Denial:
    claim: Claim
    kind: str  # 835 or 277ca
    codes: list[str]  # reason codes, the largest amount first (a CARC, or '277ca:<code>')
    amount: Decimal  # the money denied
    adjustments: list[str] = field(default_factory=list)  # each denying adjustment in words, with its amount
    write_off: DenialWriteOff | None = None  # the live one (asked or approved)
    appeals: list[AppealLetter] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.codes[0] if self.codes else ""

    @property
    def reasons(self) -> list[str]:
        return [reason_words(c) for c in self.codes] or [reason_words("")]

    @property
    def step(self) -> str:
        return next_step(self.code)

    @property
    def step_label(self) -> str:
        return step_words(self.step)


def _live_write_off(claim: Claim) -> DenialWriteOff | None:
    return next((w for w in claim.denial_write_offs.all() if w.status in (WriteOffStatus.REQUESTED,
                                                                          WriteOffStatus.APPROVED)), None)


def denial_of(claim: Claim, remits: list[RemitClaim]) -> Denial | None:
    """The denial of a claim, from its posted claim payments (oldest first) or its 277CA reasons; None if none."""
    if claim.status == ClaimStatus.REJECTED:
        reasons = [r for r in claim.answer_reasons if r.get("kind") == "277ca"]
        if not reasons:
            return None
        return Denial(claim, "277ca", [f"277ca:{r.get('code', '')}" for r in reasons], claim.total_charge)
    if claim.status not in ADJUDICATED:
        return None
    latest = remits[-1] if remits else None
    denied = denial_adjustments(latest.adjustments) if latest is not None else []
    by_code: dict[str, Decimal] = defaultdict(Decimal)
    for a in denied:
        by_code[a["reason"]] += Decimal(a["amount"])
    amount = sum(by_code.values(), ZERO)
    if claim.status == ClaimStatus.DENIED and amount <= 0:
        amount = claim.total_charge - claim.prior_paid - claim.paid
    if amount <= 0:
        return None
    codes = sorted(by_code, key=lambda c: (-by_code[c], c)) or [""]
    words = [f"{adjustment_words(a['group'], a['reason'])}: {format_money(Decimal(a['amount']))}" for a in denied]
    return Denial(claim, "835", codes, amount.quantize(Decimal("0.01")), words)


def _claims(rows: Any) -> Any:
    return (rows.select_related("patient", "payer", "location", "coverage")
            .prefetch_related(Prefetch("remits", queryset=RemitClaim.objects.filter(posted=True)
                                       .exclude(status_code="22").select_related("remittance").order_by("pk"),
                                       to_attr="posted_remits"),
                              Prefetch("denial_write_offs", queryset=DenialWriteOff.objects.select_related(
                                  "requested_by", "decided_by", "entry")),
                              Prefetch("appeal_letters", queryset=AppealLetter.objects.select_related(
                                  "document", "created_by"))))


def _denial(claim: Claim) -> Denial | None:
    denial = denial_of(claim, list(getattr(claim, "posted_remits", [])))
    if denial is not None:
        denial.write_off = _live_write_off(claim)
        denial.appeals = list(claim.appeal_letters.all())
    return denial


@dataclass
class DenialGroup:
    code: str
    words: str
    step: str
    step_label: str
    denials: list[Denial]

    @property
    def amount(self) -> Decimal:
        return sum((d.amount for d in self.denials), ZERO)


@dataclass
class DenialWorklist:
    groups: list[DenialGroup]
    pending: list[DenialWriteOff]
    total: int
    amount: Decimal
    may_approve: bool


@atomic_service
def denials_worklist(*, actor: Actor, payer_id: int | None = None) -> DenialWorklist:
    """Open denials of the actor's locations grouped by their main reason (largest amount first), each group with
    its next step; and the write-offs waiting for approval."""
    require_denials(actor)
    approved = DenialWriteOff.objects.filter(claim=OuterRef("pk"), status=WriteOffStatus.APPROVED)
    rows = (_scope(actor).filter(status__in=CANDIDATES, updated_at__gte=clock.now() - WINDOW)
            .filter(~Exists(approved)))
    if payer_id is not None:
        rows = rows.filter(payer_id=payer_id)
    claims = list(_claims(rows).order_by("-date_of_service", "-pk")[:LIMIT])
    groups: dict[str, list[Denial]] = defaultdict(list)
    shown = []
    for claim in claims:
        denial = _denial(claim)
        if denial is not None:
            groups[denial.code].append(denial)
            shown.append(claim)
    made = [DenialGroup(code, reason_words(code), next_step(code), step_words(next_step(code)), items)
            for code, items in groups.items()]
    made.sort(key=lambda g: (-g.amount, g.code))
    pending = list(DenialWriteOff.objects.filter(status=WriteOffStatus.REQUESTED, claim__in=_scope(actor))
                   .select_related("claim__patient", "claim__payer", "requested_by").order_by("requested_at", "pk"))
    for w in pending:
        w.reason_label = reason_words(w.reason_code)  # type: ignore[attr-defined]
    # One insert per action, not one a row; the entries (and their order) are those record() wrote one by one.
    record_many(actor, "denial.list", [(claim, claim.patient_id, None) for claim in shown])
    record_many(actor, "denial.write_off_list", [(w, w.claim.patient_id, None) for w in pending])
    return DenialWorklist(made, pending, sum(len(g.denials) for g in made), sum((g.amount for g in made), ZERO),
                          has_perm(actor, Perm.BILLING_APPROVE))


@dataclass
class DenialDetail:
    denial: Denial
    claim: Claim
    lines: list[Any]
    write_offs: list[DenialWriteOff]
    actions: list[str]
    replacement: Claim | None = None


@atomic_service
def denial_detail(*, actor: Actor, claim_id: int) -> DenialDetail:
    require_denials(actor)
    claim = _claims(Claim.objects.filter(pk=claim_id)).first() if isinstance(claim_id, int) else None
    if claim is None:
        raise NotFound()
    require_denials(actor, location=claim.location_id, hide=True, resource_type="claim", resource_id=claim.pk,
                    patient_id=claim.patient_id)
    denial = _denial(claim)
    if denial is None:
        raise NotFound()
    record(actor, "denial.view", claim, patient=claim.patient_id)
    biller = has_perm(actor, Perm.BILLING_WRITE, location=claim.location_id)
    actions = []
    if biller and claim.status in ADJUDICATED and claim.payer_claim_number:
        actions.append(RESUBMIT)
    if biller and claim.status == ClaimStatus.REJECTED:
        actions.append(CORRECT)
    if biller and claim.status in ADJUDICATED:
        actions.append(APPEAL)
    if biller and denial.write_off is None:
        actions.append(WRITE_OFF)
    if (denial.write_off is not None and denial.write_off.status == WriteOffStatus.REQUESTED
            and has_perm(actor, Perm.BILLING_APPROVE, location=claim.location_id)):
        actions.append("approve")
    return DenialDetail(denial=denial, claim=claim,
                        lines=list(claim.lines.select_related("rendering").order_by("position")),
                        write_offs=list(claim.denial_write_offs.all()), actions=actions)


@dataclass
class RateRow:
    key: str
    label: str
    adjudicated: int
    denied: int

    @property
    def rate(self) -> Decimal:
        if not self.adjudicated:
            return ZERO
        return (Decimal(self.denied) * 100 / Decimal(self.adjudicated)).quantize(Decimal("0.1"))


@dataclass
class DenialRate:
    start: dt.date
    end: dt.date
    total: RateRow
    by_payer: list[RateRow]
    by_reason: list[RateRow]


@atomic_service
def denial_rate(*, actor: Actor, start: dt.date, end: dt.date) -> DenialRate:
    """Denied claims / claims adjudicated (a posted 835 claim payment, reversals aside) in [start, end], by the
    remittance's payment date: in all, by payer, and by the denial's main reason (of all claims adjudicated)."""
    require_denials(actor)
    rows = RemitClaim.objects.filter(posted=True, claim__isnull=False).exclude(status_code="22").filter(
        Q(remittance__paid_date__range=(start, end))
        | Q(remittance__paid_date__isnull=True, remittance__created_at__date__range=(start, end)))
    if not getattr(actor, "practice_wide", False):
        rows = rows.filter(claim__location_id__in=actor.location_ids())
    payers: dict[int, str] = {}
    adjudicated: dict[int, int] = {}  # claim -> payer
    denied: dict[int, str] = {}  # claim -> main reason
    for row in rows.values("claim_id", "claim__payer_id", "claim__payer__name", "status_code", "adjustments",
                           "pk").order_by("pk"):
        claim_id = row["claim_id"]
        payers[row["claim__payer_id"]] = row["claim__payer__name"]
        adjudicated[claim_id] = row["claim__payer_id"]
        if row["status_code"] == "4":
            amounts: dict[str, Decimal] = defaultdict(Decimal)
            for a in denial_adjustments(row["adjustments"]):
                amounts[a["reason"]] += Decimal(a["amount"])
            denied[claim_id] = sorted(amounts, key=lambda c: (-amounts[c], c))[0] if amounts else ""
        elif claim_id in denied:  # paid after all on a later payment in the range
            del denied[claim_id]
    by_payer = []
    for payer_id, name in sorted(payers.items(), key=lambda p: p[1]):
        claims = [c for c, p in adjudicated.items() if p == payer_id]
        by_payer.append(RateRow(str(payer_id), name, len(claims), sum(1 for c in claims if c in denied)))
    reasons: dict[str, int] = defaultdict(int)
    for code in denied.values():
        reasons[code] += 1
    by_reason = [RateRow(code, reason_words(code), len(adjudicated), n)
                 for code, n in sorted(reasons.items(), key=lambda r: (-r[1], r[0]))]
    record(actor, "denial.rate", detail={"start": start.isoformat(), "end": end.isoformat(),
                                         "claims": len(adjudicated)})
    return DenialRate(start, end, RateRow("", "", len(adjudicated), len(denied)), by_payer, by_reason)


def denial_as_json(denial: Denial) -> dict[str, Any]:
    claim = denial.claim
    write_off = denial.write_off
    return {
        "claim_id": claim.pk, "claim_number": claim.claim_number, "status": claim.status,
        "status_label": str(ClaimStatus(claim.status).label), "patient_id": claim.patient_id,
        "payer": {"id": claim.payer_id, "name": claim.payer.name}, "date_of_service": claim.date_of_service.isoformat(),
        "payer_claim_number": claim.payer_claim_number or None, "source": denial.kind,
        "amount": str(denial.amount), "reason": denial.code, "reasons": [{"code": c, "text": reason_words(c)}
                                                                       for c in denial.codes],
        "next_step": denial.step, "next_step_label": denial.step_label,
        "write_off": write_off_as_json(write_off) if write_off is not None else None,
        "appeal_letters": [{"id": a.pk, "document_id": a.document_id, "language": a.language,
                            "created_at": a.created_at.isoformat()} for a in denial.appeals],
    }


def write_off_as_json(w: DenialWriteOff) -> dict[str, Any]:
    return {"id": w.pk, "claim_id": w.claim_id, "amount": str(w.amount), "status": w.status,
            "status_label": str(WriteOffStatus(w.status).label), "reason": w.reason_code, "note": w.note,
            "requested_at": w.requested_at.isoformat(),
            "decided_at": w.decided_at.isoformat() if w.decided_at else None, "ledger_entry_id": w.entry_id}
