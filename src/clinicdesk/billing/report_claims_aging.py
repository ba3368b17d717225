"""Insurance A/R aging by payer (#19 item 11): what payers still owe on open claims, in the aging report's buckets.

The ledger's aging (report_aging.py) ages what each account owes; claims say which part of it a payer is expected
to pay. A claim is open with its payer while it is being prepared, sent, accepted, rejected (to be corrected) or
denied (to be worked): its balance is the charge less what earlier payers and this payer paid. A paid or partly paid
claim is settled by its remittance (the rest was adjusted or moved to the patient), and a replaced or voided one is
not live. Each claim is aged from its date of service, as practices age insurance A/R (0-30, 31-60, 61-90, 91-120,
over 120 days), as of the report's "to" day. One GROUP BY payer in the database; Decimal throughout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from clinicdesk.core.timezones import day_span_utc

from .claim_models import Claim, ClaimStatus
from .report_aging import BUCKET_STARTS, BUCKETS

OPEN_WITH_PAYER = (ClaimStatus.HELD, ClaimStatus.READY, ClaimStatus.SUBMITTED,
                   ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.DENIED)
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def insurance_aging(*, as_of: dt.date, tz: Any, location_ids: list[int] | None,
                    payer_id: int | None = None) -> list[tuple[int, str, list[Decimal], int]]:
    """(payer id, payer name, open amount per bucket, open claims) for every payer owed something, largest first."""
    end = day_span_utc(as_of, tz)[1]
    rows = Claim.objects.filter(status__in=OPEN_WITH_PAYER, created_at__lt=end, date_of_service__lte=as_of)
    if location_ids is not None:
        rows = rows.filter(location_id__in=location_ids)
    if payer_id is not None:
        rows = rows.filter(payer_id=payer_id)
    open_amount = ExpressionWrapper(F("total_charge") - F("prior_paid") - F("paid"), output_field=_MONEY)
    starts = [as_of - dt.timedelta(days=days) for days in BUCKET_STARTS]  # the oldest service day of each bucket
    conditions = ([Q(date_of_service__gte=starts[0])]
                  + [Q(date_of_service__lt=newer, date_of_service__gte=older)
                     for newer, older in zip(starts, starts[1:], strict=False)]  # noqa: RUF007
                  + [Q(date_of_service__lt=starts[-1])])
    sums = {f"b{n}": Coalesce(Sum(Case(When(condition, then=open_amount), default=Value(ZERO), output_field=_MONEY)),
                              Value(ZERO), output_field=_MONEY) for n, condition in enumerate(conditions)}
    found = (rows.filter(total_charge__gt=F("prior_paid") + F("paid")).values("payer_id", "payer__name")
             .annotate(claims=Count("pk"), **sums).order_by())
    out = []
    for row in found:
        values: dict[str, Any] = dict(row)
        out.append((int(values["payer_id"]), str(values["payer__name"]),
                    [Decimal(values[f"b{n}"]).quantize(Decimal("0.01")) for n in range(len(BUCKETS))],
                    int(values["claims"])))
    out.sort(key=lambda r: (-sum(r[2], ZERO), r[1]))
    return out


def insurance_aging_table(f: Any, bucket_labels: list[str]) -> Any:
    """The aging report's "Insurance A/R by payer" table (with its stacked chart and CSV like the others)."""
    from django.utils.translation import gettext as _

    from .report_filters import PATIENT_PAYER
    from .report_selectors import COUNT, MONEY, TEXT, ReportTable, _chart

    if f.payer == PATIENT_PAYER:
        found: list[tuple[int, str, list[Decimal], int]] = []
    else:
        found = insurance_aging(as_of=f.last_day, tz=f.tz, location_ids=f.location_ids,
                                payer_id=int(f.payer) if f.payer else None)
    rows: list[list[Any]] = [[name, claims, *buckets, sum(buckets, ZERO)] for _pk, name, buckets, claims in found]
    totals = [sum((r[i] for r in rows), ZERO) for i in range(2, 8)]
    return ReportTable(
        "insurance-by-payer", _("Insurance A/R by payer (open claims)"),
        [_("Payer"), _("Open claims"), *bucket_labels, _("Total")], [TEXT, COUNT, *[MONEY] * 6], rows,
        totals=[_("Total"), sum((r[1] for r in rows), 0), *totals] if rows else None,
        chart=_chart(bucket_labels, [(r[0], r[2:7]) for r in rows], stacked=True),
        note=_("What payers are expected to pay on claims not yet settled, aged from the date of service."),
        wide=True)  # eight columns: the whole width of the page
