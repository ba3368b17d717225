"""What is still pending with insurance, and what the patient owes now (#19 items 8 and 11).

A patient's ledger balance is everything charged to their account, whoever is expected to pay it: a visit's charges
are posted on the patient's ledger when the superbill is posted, and the payer's payment and the contractual
adjustment come off it when the 835 is posted. Until then, the part of the balance on a claim that is still with a
payer is not the patient's to pay:

- a claim is **pending with insurance** while it is held by the scrubber or ready (not yet sent), sent or accepted
  (not yet adjudicated), or rejected by the clearinghouse or the payer's front end (to be corrected and sent again:
  a rejection is not an adjudication). Paid, partly paid and denied claims are adjudicated: what is left after the
  remittance is the patient's (a denial being worked comes back here when it is resubmitted as a new claim);
  replaced and voided claims are not live;
- the amount pending on a claim is its charge less what earlier payers and this payer paid, and at most what is
  still open on the visit in the ledger (every entry of a visit names its appointment: the charges less the co-pay
  collected at the desk, an earlier payer's payment and adjustments); a visit counts once (its live pending claim
  of the lowest sequence: the payer it is with now);
- the pending amount counted is at most the patient's balance: the patient owes `balance - pending`, never less
  than zero.

One definition for every face: the statement and the statement cycle (services/statements.py) bill only the
patient's part and show the rest as "Pending with insurance"; the A/R aging (report_selectors.aging) splits each
account between the payers and the patient the same way, so its payer filter picks a payer's part or the patients'.
Claim statuses are read as they are now (a claim's history is not replayed for a past "as of" day), counting the
claims built by the end of that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from clinicdesk.core.timezones import day_span_utc

from .claim_models import Claim, ClaimLine, ClaimStatus
from .models import LedgerEntry
from .report_aging import BUCKET_STARTS, BUCKETS

PENDING_WITH_INSURANCE: tuple[str, ...] = (ClaimStatus.HELD, ClaimStatus.READY, ClaimStatus.SUBMITTED,
                                           ClaimStatus.ACCEPTED, ClaimStatus.REJECTED)
ZERO = Decimal("0.00")
Buckets = list[Decimal]


def _bucket(service_day: dt.date, as_of: dt.date) -> int:
    age = (as_of - service_day).days
    return next((n for n, start in enumerate(BUCKET_STARTS) if age <= start), len(BUCKET_STARTS))


def pending_claims(*, as_of: dt.date, tz: Any, location_ids: Sequence[int] | None = None,
                   patient_ids: Sequence[int] | None = None,
                   payer_id: int | None = None) -> dict[int, dict[int, Buckets]]:
    """{patient id: {payer id: amount pending per aging bucket}} of the claims pending with insurance, aged from the
    date of service as of `as_of`. Two queries: the pending claims (the unanswered few, not the ledger), and what
    is open on their visits in the ledger (by the entries' appointment)."""
    end = day_span_utc(as_of, tz)[1]
    rows = Claim.objects.filter(status__in=PENDING_WITH_INSURANCE, created_at__lt=end,
                                total_charge__gt=F("prior_paid") + F("paid"))
    if location_ids is not None:
        rows = rows.filter(location_id__in=list(location_ids))
    if patient_ids is not None:
        rows = rows.filter(patient_id__in=list(patient_ids))
    per_visit: dict[int, tuple[int, int, int, dt.date, Decimal]] = {}
    for appointment_id, sequence, patient_id, payer, day, charge, prior, paid in rows.values_list(
            "superbill__appointment_id", "sequence", "patient_id", "payer_id", "date_of_service", "total_charge",
            "prior_paid", "paid").order_by():
        known = per_visit.get(appointment_id)
        if known is None or sequence < known[0]:
            per_visit[appointment_id] = (sequence, patient_id, payer, day, Decimal(charge - prior - paid))
    if not per_visit:
        return {}
    open_on_visit = dict(LedgerEntry.objects.filter(appointment_id__in=rows.values("superbill__appointment_id"),
                                                    created_at__lt=end)
                         .values("appointment_id").annotate(total=Sum("amount"))
                         .values_list("appointment_id", "total").order_by())
    out: dict[int, dict[int, Buckets]] = {}
    for appointment_id, (_sequence, patient_id, payer, day, claimed) in per_visit.items():
        amount = min(claimed, Decimal(open_on_visit.get(appointment_id) or 0))
        if amount <= 0 or (payer_id is not None and payer != payer_id):
            continue
        buckets = out.setdefault(patient_id, {}).setdefault(payer, [ZERO] * len(BUCKETS))
        buckets[_bucket(day, as_of)] += amount.quantize(Decimal("0.01"))
    return out


def _take_oldest(buckets: Buckets, amount: Decimal) -> Decimal:
    """Take up to `amount` out of `buckets` (in place), oldest first; what could not be taken."""
    for k in reversed(range(len(buckets))):
        if amount <= 0:
            break
        part = min(buckets[k], amount)
        buckets[k] -= part
        amount -= part
    return amount


def split(balance: Sequence[Decimal], pending: Mapping[int, Sequence[Decimal]]) -> tuple[Buckets, dict[int, Buckets]]:
    """One account's open balance per bucket split into (the patient's part per bucket, each payer's part per
    bucket). The payers' parts are capped to the balance (the oldest pending first), and the patient's part is
    the balance's buckets less them: a claim's date of service is never after its charge was posted, so what a
    bucket cannot cover moves to the newer buckets, and what is left over comes off the oldest."""
    left = sum(balance, ZERO)
    payers = {payer: list(amounts) for payer, amounts in sorted(pending.items())}
    excess = sum((sum(amounts, ZERO) for amounts in payers.values()), ZERO) - max(left, ZERO)
    for amounts in payers.values():
        if excess <= 0:
            break
        excess = _take_oldest(amounts, excess)
    own = list(balance)
    short = ZERO
    for k in reversed(range(len(own))):
        value = own[k] - sum((amounts[k] for amounts in payers.values()), ZERO) - short
        own[k], short = (value, ZERO) if value >= 0 else (ZERO, -value)
    _take_oldest(own, short)
    return [max(v, ZERO) for v in own], {payer: amounts for payer, amounts in payers.items() if any(amounts)}


def pending_entry_ids(*, patient_id: int) -> set[int]:
    """The ledger entries (charges) of a patient's visits whose claim is pending with insurance."""
    return set(ClaimLine.objects.filter(claim__patient_id=patient_id, claim__status__in=PENDING_WITH_INSURANCE,
                                        superbill_line__ledger_entry__isnull=False)
               .values_list("superbill_line__ledger_entry_id", flat=True))
