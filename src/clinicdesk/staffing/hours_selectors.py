"""Paid hours from the published rosters, for the budgets (operations.budget_selectors: payroll actuals).

Each assignment on a published roster counts its shift type's paid minutes on the assignment's date (the local
date of the roster's location). Drafts and superseded rosters do not count. No names leave this module: only
sums per location and month. The caller checks who may read them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractMonth

from .models import RosterAssignment, RosterStatus


def paid_hours_by_month(*, location_ids: list[int], year: int) -> dict[tuple[int, int], Decimal]:
    """{(location id, month): paid hours} from the published rosters' assignments in `year` (months without
    shifts are absent)."""
    rows = (RosterAssignment.objects
            .filter(roster__status=RosterStatus.PUBLISHED, roster__location_id__in=list(location_ids),
                    date__year=year)
            .annotate(month=ExtractMonth("date")).order_by()
            .values("roster__location_id", "month").annotate(minutes=Sum("shift_type__paid_minutes")))
    return {(row["roster__location_id"], row["month"]): (Decimal(row["minutes"] or 0) / 60).quantize(Decimal("0.01"))
            for row in rows}
