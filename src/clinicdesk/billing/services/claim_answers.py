"""Reading the answers to our claims (#19 items 4-5): a 999 (the clearinghouse accepted or rejected each
transaction set of a batch), a 277CA (the payer took each claim into adjudication or rejected it, with its
reasons) and an 835 (the remittance, posted by `remittance`). One entry point reads any of them, uploaded on
the worklist, sent to the API or named to `clinicdesk claims read FILE`.

Idempotent twice over: a file read before (same SHA-256) is answered with its first summary and changes nothing,
and a claim already moved by an equal answer is not moved again."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.insurance.services.claim_exchange import X12Error, e277ca, e835, e999, envelope

from ..models import AnswerFile, Claim, ClaimBatch, ClaimStatus
from .claims import move
from .remittance import post_remittance

MAX_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass
class AnswerReport:
    answer: AnswerFile
    repeated: bool = False

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.answer.summary)


def _allowed(actor: Actor, claim: Claim, cache: dict[int, bool]) -> bool:
    if claim.location_id not in cache:
        cache[claim.location_id] = has_perm(actor, Perm.BILLING_WRITE, location=claim.location_id)
    return cache[claim.location_id]


def _read_999(actor: Actor, interchange: envelope.Interchange, transaction: envelope.Transaction,
              summary: dict[str, Any]) -> None:
    ack = e999.read_transaction(transaction, interchange)
    batch = ClaimBatch.objects.filter(control_number=int(ack.group_control_number)).first() \
        if ack.group_control_number.isdigit() else None
    if batch is None:
        summary["unmatched"].append(ack.group_control_number)
        return
    if batch.acknowledged != ack.status:
        batch.acknowledged = ack.status
        batch.save(update_fields=["acknowledged"])
    allowed: dict[int, bool] = {}
    for answer in ack.sets:
        claims = list(Claim.objects.select_for_update(of=("self",)).filter(batch=batch, batch_set=answer.control_number)
                      .order_by("pk"))
        for claim in claims:
            if not _allowed(actor, claim, allowed):
                continue
            if answer.accepted:
                summary["accepted"].append(claim.claim_number)
                continue
            if claim.status != ClaimStatus.SUBMITTED:
                continue
            claim.answer_reasons = [{"kind": "999", "status": answer.status,
                                     "errors": [{"segment": e.segment, "code": e.code} for e in answer.errors]}]
            claim.save(update_fields=["answer_reasons"])
            move(claim, ClaimStatus.REJECTED, source="999", note=answer.status, actor=actor)
            record(actor, "claim.reject", claim, patient=claim.patient_id, detail={"by": "999"})
            summary["rejected"].append(claim.claim_number)


def _read_277ca(actor: Actor, interchange: envelope.Interchange, transaction: envelope.Transaction,
                summary: dict[str, Any]) -> None:
    ack = e277ca.read_transaction(transaction, interchange)
    numbers = [c.claim_id for c in ack.claims]
    found = {c.claim_number: c for c in Claim.objects.select_for_update(of=("self",))
             .filter(claim_number__in=numbers).order_by("pk")}
    allowed: dict[int, bool] = {}
    for answer in ack.claims:
        claim = found.get(answer.claim_id)
        if claim is None or not _allowed(actor, claim, allowed):
            summary["unmatched"].append(answer.claim_id)
            continue
        if answer.rejected:
            if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED):
                continue
            claim.answer_reasons = [{"kind": "277ca", "category": s.category, "code": s.code, "entity": s.entity}
                                    for s in answer.statuses if s.rejected]
            claim.save(update_fields=["answer_reasons"])
            move(claim, ClaimStatus.REJECTED, source="277ca",
                 note=", ".join(f"{s.category}:{s.code}" for s in answer.statuses), actor=actor)
            record(actor, "claim.reject", claim, patient=claim.patient_id, detail={"by": "277ca"})
            summary["rejected"].append(claim.claim_number)
        elif answer.accepted:
            if answer.payer_claim_number and not claim.payer_claim_number:
                claim.payer_claim_number = answer.payer_claim_number
                claim.save(update_fields=["payer_claim_number"])
            if claim.status == ClaimStatus.SUBMITTED:
                move(claim, ClaimStatus.ACCEPTED, source="277ca", actor=actor)
                record(actor, "claim.accept", claim, patient=claim.patient_id, detail={"by": "277ca"})
            summary["accepted"].append(claim.claim_number)


def _kind(interchange: envelope.Interchange) -> str:
    codes = {t.code for t in interchange.transactions}
    if codes == {"999"}:
        return "999"
    if codes == {"277"}:
        return "277ca"
    if codes == {"835"}:
        return "835"
    raise ValidationFailed("not-an-answer", _("This file is not a 999, a 277CA or an 835."),
                           fields={"file": [_("Not a claim answer.")]})


@atomic_service
def answer_file_read(*, actor: Actor, name: str, data: bytes) -> AnswerReport:
    """Read a 999, 277CA or 835 and apply it. A file read before changes nothing and returns its first summary."""
    require(actor, Perm.BILLING_WRITE)
    if not data or len(data) > MAX_BYTES:
        raise ValidationFailed("bad-file", _("The file is empty or too large."), fields={"file": [_("Choose a file.")]})
    digest = hashlib.sha256(data).hexdigest()
    prior = AnswerFile.objects.filter(sha256=digest).first()
    if prior is not None:
        return AnswerReport(prior, repeated=True)
    try:
        interchange = envelope.read(data)
    except X12Error as error:
        raise ValidationFailed("not-x12", _("This file cannot be read as X12: %(why)s") % {"why": str(error)[:200]},
                               fields={"file": [_("Not an X12 file.")]}) from error
    kind = _kind(interchange)
    answer = AnswerFile.objects.create(kind=kind, name=(name or "answer.x12")[:200], sha256=digest,
                                       received_at=clock.now(), received_by=staff_user(actor))
    summary: dict[str, Any] = {"kind": kind, "accepted": [], "rejected": [], "unmatched": [], "posted": [],
                               "problems": []}
    try:
        for transaction in interchange.transactions:
            if kind == "999":
                _read_999(actor, interchange, transaction, summary)
            elif kind == "277ca":
                _read_277ca(actor, interchange, transaction, summary)
            else:
                post_remittance(actor, answer, e835.read_transaction(transaction, interchange), summary)
    except X12Error as error:
        raise ValidationFailed("not-x12", _("This file cannot be read: %(why)s") % {"why": str(error)[:200]},
                               fields={"file": [_("Not readable.")]}) from error
    answer.summary = summary
    answer.save(update_fields=["summary"])
    record(actor, "claim.answer_read", answer, detail={"kind": kind, "accepted": len(summary["accepted"]),
                                                       "rejected": len(summary["rejected"]),
                                                       "unmatched": len(summary["unmatched"])})
    return AnswerReport(answer)
