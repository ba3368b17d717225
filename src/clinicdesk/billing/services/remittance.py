"""Posting an 835 (#19 item 5): each claim payment (CLP) matched to its claim by our claim number (CLP01) and
posted on the patient's ledger, the check or EFT (BPR/TRN) kept with its total reconciled to what was posted.

Per claim payment: the payer's payment is an insurance payment entry (negative: it lowers what the patient owes);
contractual (CO), other (OA), payer-initiated (PI) and correction (CR) adjustments are write-offs (adjustment
entries); patient responsibility (PR: deductible, co-insurance, co-pay) writes nothing, it is what the patient
still owes, kept on the claim. A denial (CLP02 4) posts no write-off: the denial is worked first. A reversal
(CLP02 22) reverses every entry an earlier payment of the claim posted (the ledger's `entry_reverse`: the ledger
stays append-only). PLB provider-level adjustments belong to no patient: kept on the remittance, counted in the
reconciliation (BPR02 = sum of CLP04 - sum of PLB).

Nothing is posted twice: the same check or EFT (payer id + trace number) is refused as already read, and each
posting carries an idempotency key. What cannot be posted stays on the worklist with its reason: a claim number
we do not know, a claim never sent, a file whose totals do not balance (then nothing of it is posted)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import record
from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor, Perm, has_perm, staff_user
from clinicdesk.insurance.services.claim_exchange import e835, remit_codes
from clinicdesk.patients.models import Payer

from ..models import (
    AnswerFile,
    Claim,
    ClaimPosting,
    ClaimStatus,
    EntryKind,
    LedgerEntry,
    RemitClaim,
    Remittance,
)
from ._common import _create
from .claims import move
from .ledger import entry_reverse

ZERO = Decimal("0.00")
WRITE_OFF_GROUPS = ("CO", "OA", "PI", "CR")
SENT = (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED,
        ClaimStatus.REJECTED)


def _adjustments(payment: e835.ClaimPayment) -> list[dict[str, str]]:
    out = [{"group": a.group, "reason": a.reason, "amount": str(a.amount), "level": "claim"}
           for a in payment.adjustments]
    for service in payment.services:
        out += [{"group": a.group, "reason": a.reason, "amount": str(a.amount), "level": service.code}
                for a in service.adjustments]
    return out


def _post(actor: Actor, remit: RemitClaim, claim: Claim, *, kind: str, amount: Decimal, description: str,
          key: str, group: str = "", reason: str = "") -> None:
    entry_kind = EntryKind.INSURANCE if kind == "payment" else EntryKind.ADJUSTMENT
    entry = _create(patient_id=claim.patient_id, location_id=claim.location_id, kind=entry_kind, amount=amount,
                    description=description[:200], appointment_id=claim.superbill.appointment_id,
                    idempotency_key=key, created_by=staff_user(actor))
    ClaimPosting.objects.create(remit_claim=remit, claim=claim, entry=entry, kind=kind, group=group, reason=reason,
                                amount=amount)
    action = "ledger.insurance_payment" if kind == "payment" else "ledger.insurance_adjustment"
    record(actor, action, entry, patient=claim.patient_id,
           detail={"claim": claim.pk, "amount": str(amount), "group": group, "reason": reason})


def _reverse(actor: Actor, remit: RemitClaim, claim: Claim, trace: str) -> bool:
    postings = list(ClaimPosting.objects.filter(claim=claim).exclude(kind="reversal")
                    .select_related("entry").order_by("pk"))
    done = False
    for posting in postings:
        if LedgerEntry.objects.filter(reverses_id=posting.entry_id).exists():
            continue
        reversal = entry_reverse(actor=actor, entry_id=posting.entry_id,
                                 reason=_("Payer reversed claim %(claim)s (%(trace)s)")
                                 % {"claim": claim.claim_number, "trace": trace})
        ClaimPosting.objects.create(remit_claim=remit, claim=claim, entry=reversal, kind="reversal",
                                    group=posting.group, reason=posting.reason, amount=reversal.amount)
        done = True
    return done


def _status_after(payment: e835.ClaimPayment) -> str:
    if payment.denied or (payment.paid <= 0 and not payment.patient_responsibility):
        return ClaimStatus.DENIED
    if payment.services and any(s.paid == 0 for s in payment.services):
        return ClaimStatus.PARTLY_PAID
    return ClaimStatus.PAID


def _apply(actor: Actor, remit: RemitClaim, claim: Claim, payment: e835.ClaimPayment, remittance: Remittance) -> None:
    trace = remittance.trace_number
    if payment.reversal:
        if not _reverse(actor, remit, claim, trace):
            remit.problem = "nothing-to-reverse"
            return
        claim.paid -= abs(payment.paid)
        claim.patient_responsibility = ZERO
        claim.save(update_fields=["paid", "patient_responsibility"])
        if claim.status != ClaimStatus.ACCEPTED:
            move(claim, ClaimStatus.ACCEPTED, source="835", note=_("Payment reversed"), actor=actor)
        remit.posted = True
        return
    payer = remittance.payer_name
    if payment.paid:
        _post(actor, remit, claim, kind="payment", amount=-payment.paid, key=f"era:{remit.pk}:pay",
              description=_("%(payer)s paid claim %(claim)s (%(trace)s)")
              % {"payer": payer, "claim": claim.claim_number, "trace": trace})
    if not payment.denied:
        for n, item in enumerate(remit.adjustments):
            amount = Decimal(item["amount"])
            if item["group"] not in WRITE_OFF_GROUPS or not amount:
                continue
            _post(actor, remit, claim, kind="contractual" if item["group"] == "CO" else "other", amount=-amount,
                  key=f"era:{remit.pk}:adj:{n}", group=item["group"], reason=item["reason"],
                  description=remit_codes.adjustment_words(item["group"], item["reason"]))
    claim.paid += payment.paid
    claim.patient_responsibility = payment.patient_responsibility or ZERO
    if payment.payer_claim_number and not claim.payer_claim_number:
        claim.payer_claim_number = payment.payer_claim_number
    claim.save(update_fields=["paid", "patient_responsibility", "payer_claim_number"])
    lines = list(claim.lines.order_by("position"))
    if len(lines) == len(payment.services):
        for line, service in zip(lines, payment.services, strict=True):
            line.paid = service.paid
            line.save(update_fields=["paid"])
    target = _status_after(payment)
    if claim.status == ClaimStatus.REJECTED:  # paid after all: the 277CA's rejection was overtaken
        claim.status = ClaimStatus.ACCEPTED
    if claim.status != target:
        move(claim, target, source="835", note=remit_codes.describe(remit_codes.CLAIM_STATUS, payment.status),
             actor=actor)
    remit.posted = True


def post_remittance(actor: Actor, answer: AnswerFile, remit: e835.Remittance, summary: dict[str, Any]) -> Remittance:
    """Store one 835 transaction set and post what can be posted (inside the caller's transaction)."""
    payer = Payer.objects.filter(payer_code=remit.payer_id).first() if remit.payer_id else None
    code = (remit.payer_id or remit.payer_name)[:80]
    if Remittance.objects.filter(payer_code=code, trace_number=remit.trace_number[:50]).exists():
        summary["problems"].append({"trace": remit.trace_number, "problem": "already-read"})
        existing = Remittance.objects.get(payer_code=code, trace_number=remit.trace_number[:50])
        return existing
    remittance = Remittance.objects.create(
        answer_file=answer, payer=payer, payer_name=remit.payer_name[:120] or code, payer_code=code,
        trace_number=remit.trace_number[:50], method=remit.method[:3], total_paid=remit.total_paid,
        paid_date=remit.payment_date, claims_paid=remit.claims_paid,
        provider_adjustments=[{"reason": a.reason, "reference": a.reference, "amount": str(a.amount),
                               "words": remit_codes.describe(remit_codes.PROVIDER_ADJUSTMENT, a.reason)}
                              for a in remit.provider_adjustments],
        provider_adjustment_total=remit.provider_adjustment_total, balanced=remit.balanced,
        created_at=clock.now())
    numbers = [c.claim_id for c in remit.claims]
    claims = {c.claim_number: c for c in Claim.objects.select_for_update(of=("self",))
              .select_related("superbill").filter(claim_number__in=numbers).order_by("pk")}
    allowed: dict[int, bool] = {}
    posted = ZERO
    for position, payment in enumerate(remit.claims, start=1):
        row = RemitClaim.objects.create(
            remittance=remittance, position=position, claim_ref=payment.claim_id[:38], status_code=payment.status[:2],
            charge=payment.charge, paid=payment.paid, patient_responsibility=payment.patient_responsibility or ZERO,
            payer_claim_number=payment.payer_claim_number[:50], adjustments=_adjustments(payment),
            remarks=list(payment.remarks))
        claim = claims.get(payment.claim_id)
        if claim is not None and claim.location_id not in allowed:
            allowed[claim.location_id] = has_perm(actor, Perm.BILLING_WRITE, location=claim.location_id)
        if not remit.balanced:
            row.problem = "unbalanced"
        elif claim is None or not allowed.get(claim.location_id):
            row.problem = "unmatched"
        elif claim.status not in SENT:
            row.problem = "not-sent"
        elif payer is not None and claim.payer_id != payer.pk:
            row.problem = "wrong-payer"
        else:
            row.claim = claim
            _apply(actor, row, claim, payment, remittance)
            if row.posted:
                posted += payment.paid
                summary["posted"].append(claim.claim_number)
                record(actor, "claim.remit", claim, patient=claim.patient_id,
                       detail={"remittance": remittance.pk, "status": payment.status, "paid": str(payment.paid)})
        if row.problem:
            summary["unmatched"].append(payment.claim_id)
            if row.claim is None and claim is not None and allowed.get(claim.location_id):
                row.claim = claim
        row.save(update_fields=["claim", "posted", "problem"])
    remittance.posted_total = posted
    remittance.reconciled = remit.balanced and posted - remit.provider_adjustment_total == remit.total_paid
    remittance.save(update_fields=["posted_total", "reconciled"])
    if not remit.balanced:
        summary["problems"].append({"trace": remit.trace_number, "problem": "unbalanced"})
    record(actor, "remittance.post", remittance, detail={"claims": len(remit.claims), "posted": str(posted),
                                                        "reconciled": remittance.reconciled})
    return remittance
