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
we do not know, a claim never sent, a file whose totals do not balance (then nothing of it is posted).

Posted by the set (#19: 10,000 claim payments read and posted in under a minute): the claim payments are stored
in bulk, and the plain ones (a payment of a claim named once in the file) have their ledger entries, postings,
audit records (each with its patient), claim updates and status events written in bulk too; a reversal, a claim
paid twice in one file or a status move the claim refuses goes through `_apply` alone, in the file's order.

Then the next payer's claim: when a primary (secondary) claim's answer leaves a balance (a denial, the patient's
share) and the patient has a secondary (tertiary) coverage on the day of service, its claim is built by
`claim_build`, carrying what the earlier payers paid; one that cannot be built does not undo the posting."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils.translation import gettext as _

from clinicdesk.audit.services import record, record_many
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, staff_user
from clinicdesk.insurance.services.claim_exchange import e835, remit_codes
from clinicdesk.patients.models import Payer

from ..claim_models import CLAIM_TRANSITIONS, LIVE_EXCLUDED
from ..models import (
    AnswerFile,
    Claim,
    ClaimEvent,
    ClaimLine,
    ClaimPosting,
    ClaimStatus,
    EntryKind,
    LedgerEntry,
    RemitClaim,
    Remittance,
)
from ._common import _create
from .claim_core import coverages_of, event
from .claims import ADJUDICATED, claim_build, move
from .ledger import entry_reverse

ZERO = Decimal("0.00")
BATCH = 2000
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


def _postings(remit: RemitClaim, claim: Claim, payment: e835.ClaimPayment,
              remittance: Remittance) -> list[dict[str, Any]]:
    """The ledger postings one claim payment makes (one rule for the one-by-one and the bulk path): the payer's
    payment, then each write-off (CO, OA, PI, CR) unless the claim was denied; each with its idempotency key."""
    postings: list[dict[str, Any]] = []
    if payment.paid:
        postings.append({"kind": "payment", "amount": -payment.paid, "key": f"era:{remit.pk}:pay",
                         "description": _("%(payer)s paid claim %(claim)s (%(trace)s)") % {
                             "payer": remittance.payer_name, "claim": claim.claim_number,
                             "trace": remittance.trace_number}})
    if not payment.denied:
        for n, item in enumerate(remit.adjustments):
            amount = Decimal(item["amount"])
            if item["group"] not in WRITE_OFF_GROUPS or not amount:
                continue
            postings.append({"kind": "contractual" if item["group"] == "CO" else "other", "amount": -amount,
                             "key": f"era:{remit.pk}:adj:{n}", "group": item["group"], "reason": item["reason"],
                             "description": remit_codes.adjustment_words(item["group"], item["reason"])})
    return postings


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
    for posting in _postings(remit, claim, payment, remittance):
        _post(actor, remit, claim, **posting)
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


def _plain(claim: Claim, payment: e835.ClaimPayment, times: int) -> bool:
    """A claim payment posted with the others in bulk: a payment (not a reversal, not negative) of a claim named
    once in the file whose status may move to the payer's answer. Any other (a reversal, a claim paid twice in
    one file, a move the claim's status refuses) is posted on its own by `_apply`, in the file's order, exactly
    as before (refusing the file when it must)."""
    if payment.reversal or payment.paid < 0 or times > 1:
        return False
    start = ClaimStatus.ACCEPTED if claim.status == ClaimStatus.REJECTED else claim.status
    target = _status_after(payment)
    return target == start or target in CLAIM_TRANSITIONS.get(start, frozenset())


def _apply_many(actor: Actor, plain: list[tuple[RemitClaim, e835.ClaimPayment]], remittance: Remittance) -> None:
    """`_apply` of many plain claim payments at once: their ledger entries, postings, audit records, claims,
    claim lines and status events written in bulk (the rows are saved, marked posted, by the caller)."""
    if not plain:
        return
    now, by = clock.now(), staff_user(actor)
    entries: list[LedgerEntry] = []
    made: list[tuple[RemitClaim, Claim, str, str, str]] = []  # remit, claim, kind, group, reason (per entry)

    def entry(remit: RemitClaim, claim: Claim, *, kind: str, amount: Decimal, description: str, key: str,
              group: str = "", reason: str = "") -> None:
        entries.append(LedgerEntry(
            patient_id=claim.patient_id, location_id=claim.location_id,
            kind=EntryKind.INSURANCE if kind == "payment" else EntryKind.ADJUSTMENT, amount=amount,
            description=description[:200], appointment_id=claim.superbill.appointment_id, idempotency_key=key,
            created_by=by, created_at=now))
        made.append((remit, claim, kind, group, reason))

    events: list[ClaimEvent] = []
    for remit, payment in plain:
        claim = remit.claim
        assert claim is not None
        for posting in _postings(remit, claim, payment, remittance):
            entry(remit, claim, **posting)
        claim.paid += payment.paid
        claim.patient_responsibility = payment.patient_responsibility or ZERO
        if payment.payer_claim_number and not claim.payer_claim_number:
            claim.payer_claim_number = payment.payer_claim_number
        start = ClaimStatus.ACCEPTED if claim.status == ClaimStatus.REJECTED else claim.status
        target = _status_after(payment)
        claim.status = start
        if target != start:
            events.append(event(claim, target, source="835", at=now, actor=actor, from_status=start,
                                note=remit_codes.describe(remit_codes.CLAIM_STATUS, payment.status)))
            claim.status, claim.updated_at = target, now
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    ClaimPosting.objects.bulk_create(
        (ClaimPosting(remit_claim=remit, claim=claim, entry=e, kind=kind, group=group, reason=reason,
                      amount=e.amount) for e, (remit, claim, kind, group, reason) in zip(entries, made, strict=True)),
        batch_size=BATCH)
    audited = [(e, kind, claim.patient_id, {"claim": claim.pk, "amount": str(e.amount), "group": group,
                                            "reason": reason})
               for e, (_remit, claim, kind, group, reason) in zip(entries, made, strict=True)]
    record_many(actor, "ledger.insurance_payment",
                [(e, patient, detail) for e, kind, patient, detail in audited if kind == "payment"])
    record_many(actor, "ledger.insurance_adjustment",
                [(e, patient, detail) for e, kind, patient, detail in audited if kind != "payment"])
    _save_many(Claim, [remit.claim for remit, _payment in plain if remit.claim is not None],
               ["paid", "patient_responsibility", "payer_claim_number", "status", "updated_at"])
    ClaimEvent.objects.bulk_create(events, batch_size=BATCH)
    services = {remit.claim_id: payment.services for remit, payment in plain}
    lines: dict[int, list[int]] = defaultdict(list)
    for pk, claim_id in ClaimLine.objects.filter(claim_id__in=list(services)).order_by(
            "claim_id", "position").values_list("pk", "claim_id"):
        lines[claim_id].append(pk)
    paid_lines: list[ClaimLine] = []  # each line paid as its service was, when the payer answered line by line
    for claim_id, line_ids in lines.items():
        if len(line_ids) == len(services[claim_id]):
            paid_lines += [ClaimLine(pk=pk, paid=service.paid)
                           for pk, service in zip(line_ids, services[claim_id], strict=True)]
    _save_many(ClaimLine, paid_lines, ["paid"])


def _save_many(model: type[Model], rows: list[Any], fields: list[str]) -> None:
    """`save(update_fields=fields)` of many rows as one batch of UPDATEs by id (`executemany`: psycopg pipelines
    them; `bulk_update`'s CASE expressions take minutes for 10,000 rows)."""
    if not rows:
        return
    columns = [cast(Field, model._meta.get_field(name)) for name in fields]
    pk = cast(Field, model._meta.pk)
    table, key = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(pk.column or pk.name)
    assignments = ", ".join(f"{connection.ops.quote_name(c.column or c.name)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {key} = %s",  # noqa: S608 (the model's own table and columns)
            [[c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk]
             for row in rows])


def _left_to_pay(payment: e835.ClaimPayment) -> bool:
    """Whether the payer's answer leaves part of the claim unpaid for the next payer: a denial, or a charge the
    payment and the write-offs do not cover (the patient's share: deductible, co-insurance, co-pay)."""
    if payment.denied or (payment.patient_responsibility or ZERO) > 0:
        return True
    written = sum((a.amount for a in payment.adjustments if a.group in WRITE_OFF_GROUPS), ZERO)
    written += sum((a.amount for s in payment.services for a in s.adjustments if a.group in WRITE_OFF_GROUPS), ZERO)
    return payment.charge - payment.paid - written > 0


def _next_claims(actor: Actor, paid: list[Claim]) -> list[Claim]:
    """After the posting: the claim of the next payer (secondary after the primary, tertiary after the secondary)
    of each claim whose answer left a balance, when the patient has a coverage of that sequence on the day of
    service and the visit has no such claim yet, built by `claim_build` (scrubbed: ready, or held on the held
    worklist). A claim that cannot be built is left unbuilt; the posting stands (each build is its own
    savepoint)."""
    made: list[Claim] = []
    for sequence in (2, 3):
        earlier = {c.superbill_id: c for c in paid if c.sequence == sequence - 1}
        if not earlier:
            continue
        coverages = coverages_of({c.patient_id for c in earlier.values()}, sequence)
        billed = set(Claim.objects.filter(superbill_id__in=list(earlier), sequence=sequence)
                     .exclude(status__in=LIVE_EXCLUDED).values_list("superbill_id", flat=True))
        for superbill_id, claim in earlier.items():
            if superbill_id in billed or not any(c.is_active_on(claim.date_of_service)
                                                 for c in coverages.get(claim.patient_id, [])):
                continue
            try:
                made.append(claim_build(actor=actor, superbill_id=superbill_id, sequence=sequence))
            except (ValidationFailed, InvalidTransition, Conflict, NotFound):
                continue
    return made


def post_remittance(actor: Actor, answer: AnswerFile, remit: e835.Remittance, summary: dict[str, Any]) -> Remittance:
    """Store one 835 transaction set and post what can be posted (inside the caller's transaction), then build the
    next payer's claims of what it left unpaid."""
    summary.setdefault("secondary", [])  # the next payers' claims built after the posting
    payer = Payer.objects.filter(payer_code=remit.payer_id).first() if remit.payer_id else None
    code = (remit.payer_id or remit.payer_name)[:80]
    balanced = remit.balanced  # worked out from every claim payment: once, not once a claim
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
        provider_adjustment_total=remit.provider_adjustment_total, balanced=balanced,
        created_at=clock.now())
    numbers = [c.claim_id for c in remit.claims]
    claims = {c.claim_number: c for c in Claim.objects.select_for_update(of=("self",))
              .select_related("superbill").filter(claim_number__in=numbers).order_by("pk")}
    allowed: dict[int, bool] = {}
    rows: list[RemitClaim] = []
    for position, payment in enumerate(remit.claims, start=1):
        row = RemitClaim(
            remittance=remittance, position=position, claim_ref=payment.claim_id[:38], status_code=payment.status[:2],
            charge=payment.charge, paid=payment.paid, patient_responsibility=payment.patient_responsibility or ZERO,
            payer_claim_number=payment.payer_claim_number[:50], adjustments=_adjustments(payment),
            remarks=list(payment.remarks))
        claim = claims.get(payment.claim_id)
        if claim is not None and claim.location_id not in allowed:
            allowed[claim.location_id] = has_perm(actor, Perm.BILLING_WRITE, location=claim.location_id)
        if not balanced:
            row.problem = "unbalanced"
        elif claim is None or not allowed.get(claim.location_id):
            row.problem = "unmatched"
        elif claim.status not in SENT:
            row.problem = "not-sent"
        elif payer is not None and claim.payer_id != payer.pk:
            row.problem = "wrong-payer"
        if claim is not None and allowed.get(claim.location_id):
            row.claim = claim  # the worklist names the claim it would have been
        rows.append(row)
    times = Counter(row.claim_id for row in rows if not row.problem)
    plain: list[tuple[RemitClaim, e835.ClaimPayment]] = []
    alone: list[tuple[RemitClaim, e835.ClaimPayment]] = []
    for row, payment in zip(rows, remit.claims, strict=True):
        if row.problem or row.claim is None:
            continue
        if _plain(row.claim, payment, times[row.claim_id]):
            row.posted = True
            plain.append((row, payment))
        else:
            alone.append((row, payment))
    RemitClaim.objects.bulk_create(rows, batch_size=BATCH)
    _apply_many(actor, plain, remittance)
    for row, payment in alone:  # in the file's order
        assert row.claim is not None
        _apply(actor, row, row.claim, payment, remittance)
        row.save(update_fields=["posted", "problem"])
    posted = ZERO
    done: list[tuple[Claim, e835.ClaimPayment]] = []
    for row, payment in zip(rows, remit.claims, strict=True):
        if row.posted and row.claim is not None:
            posted += payment.paid
            summary["posted"].append(row.claim.claim_number)
            done.append((row.claim, payment))
        if row.problem:
            summary["unmatched"].append(payment.claim_id)
    record_many(actor, "claim.remit", [
        (claim, claim.patient_id, {"remittance": remittance.pk, "status": payment.status, "paid": str(payment.paid)})
        for claim, payment in done])
    remittance.posted_total = posted
    remittance.reconciled = balanced and posted - remit.provider_adjustment_total == remit.total_paid
    remittance.save(update_fields=["posted_total", "reconciled"])
    if not balanced:
        summary["problems"].append({"trace": remit.trace_number, "problem": "unbalanced"})
    last = {claim.pk: (claim, payment) for claim, payment in done}  # a claim paid twice: its last answer
    built = _next_claims(actor, [claim for claim, payment in last.values() if not payment.reversal
                                 and claim.status in ADJUDICATED and _left_to_pay(payment)])
    summary["secondary"].extend(c.claim_number for c in built)
    record(actor, "remittance.post", remittance, detail={"claims": len(remit.claims), "posted": str(posted),
                                                        "reconciled": remittance.reconciled,
                                                        "next_claims": len(built)})
    return remittance
