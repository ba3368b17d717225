"""Money collected per location and month, for the budgets (operations.budget_selectors: revenue actuals).

Patient collections are the patients' payments net of refunds, with reversed payments and refunds netted out;
insurance collections are the insurance payments posted on the ledger, net of their reversals. Both are shown
positive (money in). An entry counts in the month it was posted, on the local calendar of its location.
Only sums leave this module (no patient is named); the caller checks who may read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from clinicdesk.core.timezones import day_span_utc
from clinicdesk.practice.models import Location

from .models import EntryKind, LedgerEntry

ZERO = Decimal("0.00")
PATIENT_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)
INSURANCE_KINDS = (EntryKind.INSURANCE,)


@dataclass(frozen=True)
class Collections:
    patient: Decimal = ZERO
    insurance: Decimal = ZERO


def collections_by_month(*, location_ids: list[int], year: int) -> dict[tuple[int, int], Collections]:
    """{(location id, month): money collected from patients and from insurers} in `year` (one query per
    location, grouped by the local month)."""
    kinds = (*PATIENT_KINDS, *INSURANCE_KINDS)
    out: dict[tuple[int, int], Collections] = {}
    for location in Location.objects.filter(pk__in=list(location_ids)).order_by("pk"):
        tz = location.tz
        start = day_span_utc(dt.date(year, 1, 1), tz)[0]
        end = day_span_utc(dt.date(year + 1, 1, 1), tz)[0]
        rows = (LedgerEntry.objects
                .filter(location_id=location.pk, created_at__gte=start, created_at__lt=end)
                .filter(Q(kind__in=kinds) | Q(kind=EntryKind.REVERSAL, reverses__kind__in=kinds))
                .annotate(effective=Coalesce(F("reverses__kind"), F("kind")),
                          month=TruncMonth("created_at", tzinfo=tz))
                .values("month", "effective").annotate(total=Sum("amount")).order_by())
        for row in rows:
            month = row["month"].month if hasattr(row["month"], "month") else int(str(row["month"])[5:7])
            key = (location.pk, month)
            have = out.get(key, Collections())
            money_in = -(row["total"] or ZERO)
            if row["effective"] in INSURANCE_KINDS:
                have = Collections(have.patient, have.insurance + money_in)
            else:
                have = Collections(have.patient + money_in, have.insurance)
            out[key] = have
    return out
