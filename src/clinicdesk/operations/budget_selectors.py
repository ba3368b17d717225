"""Budget against actuals, by month (issue #21, item 11). Actuals are computed here from the records that hold
them, never stored twice:

- supplies and equipment: what arrived on purchase orders at the location, in the month it was received (local
  calendar), at the invoiced price when the order line was invoiced (the average, when several invoices bill it)
  and else at the ordered price; items of the category "Equipment" count as equipment, the rest as supplies;
- payroll: the paid hours of the published rosters (staffing.hours_selectors) times the blended hourly cost on
  the budget's payroll line;
- revenue: the patients' and the insurers' payments posted on the patient ledger (billing.budget_selectors);
- rent, utilities, equipment, purchased services and other expenses: the amounts the coordinator entered.

Variance = actual - budget; variance % = variance / the budget's size (its absolute value). An expense line is
unfavourable when it is over budget, a revenue line when it is below. Months after the current one have no actual
yet. Budgets are the practice coordinator's (operations.admin at the location); they hold sums, not patient data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from clinicdesk.billing.selectors import collections_by_month
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.practice.selectors import locations_for
from clinicdesk.staffing.selectors import paid_hours_by_month

from .models import InvoiceLine, ItemCategory, ReceiptLine
from .models_budget import (
    ENTERED_CATEGORIES,
    MONTHS,
    REVENUE_CATEGORIES,
    ActualEntry,
    Budget,
    BudgetCategory,
    BudgetLine,
    BudgetMonth,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
Key = tuple[int, str]  # (month, category)


def _location(location_id: int) -> object:
    location = locations_for(SystemActor("budgets", frozenset())).filter(pk=location_id).first()
    if location is None:
        raise NotFound()
    return location


def require_budgets(actor: Actor, location_id: int) -> object:
    """Budgets are read and changed by the practice coordinator at the location; an unknown location is 404."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="budget")
    return _location(location_id)


def budget_for(*, actor: Actor, location_id: int, year: int) -> Budget | None:
    require_budgets(actor, location_id)
    return _budget_of(location_id, year)


def _budget_of(location_id: int, year: int) -> Budget | None:
    return (Budget.objects.filter(location_id=location_id, year=year)
            .prefetch_related(Prefetch("lines", queryset=BudgetLine.objects.prefetch_related("months"))).first())


def budget_detail(*, actor: Actor, budget_id: int) -> Budget:
    budget = (Budget.objects.select_related("location")
              .prefetch_related(Prefetch("lines", queryset=BudgetLine.objects.prefetch_related("months")))
              .filter(pk=budget_id).first())
    if budget is None:
        raise NotFound()
    require(actor, Perm.OPERATIONS_ADMIN, location=budget.location_id, resource_type="budget",
            resource_id=budget_id, hide=True)
    return budget


def actual_entries(*, actor: Actor, location_id: int, year: int) -> list[ActualEntry]:
    require_budgets(actor, location_id)
    return list(ActualEntry.objects.filter(location_id=location_id, year=year).select_related("entered_by")
                .order_by("month", "category", "pk"))


def years_budgeted(*, actor: Actor, location_id: int) -> list[int]:
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="budget")
    return list(Budget.objects.filter(location_id=location_id).order_by("-year").values_list("year", flat=True))


# --- actuals ------------------------------------------------------------------------------------------------------

def purchases_by_month(*, location_id: int, year: int, tz: ZoneInfo) -> dict[Key, Decimal]:
    """{(month, supplies or equipment): cost of what was received on purchase orders} at the location (`tz`:
    its time zone)."""
    start = day_span_utc(dt.date(year, 1, 1), tz)[0]
    end = day_span_utc(dt.date(year + 1, 1, 1), tz)[0]
    received = list(ReceiptLine.objects.filter(receipt__order__location_id=location_id, receipt__at__gte=start,
                                               receipt__at__lt=end)
                    .values_list("receipt__at", "packs", "order_line_id", "order_line__unit_price",
                                 "order_line__item__category"))
    billed: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for line_id, packs, price in InvoiceLine.objects.filter(
            order_line_id__in={row[2] for row in received}).values_list("order_line_id", "packs", "unit_price"):
        billed[line_id].append((packs, price))
    out: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for at, packs, line_id, ordered_price, item_category in received:
        entries = billed.get(line_id)
        invoiced = sum(p for p, _x in entries) if entries else 0
        price = (sum((p * x for p, x in entries or []), ZERO) / invoiced) if invoiced else ordered_price
        category = BudgetCategory.EQUIPMENT if item_category == ItemCategory.EQUIPMENT else BudgetCategory.SUPPLIES
        out[(at.astimezone(tz).month, category)] += (price * packs).quantize(CENT)
    return dict(out)


def entered_by_month(*, location_id: int, year: int) -> dict[Key, Decimal]:
    out: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for month, category, amount in ActualEntry.objects.filter(location_id=location_id, year=year).values_list(
            "month", "category", "amount"):
        out[(month, category)] += amount
    return dict(out)


def actuals_by_month(*, location_id: int, year: int, hourly_cost: Decimal | None, tz: ZoneInfo
                     ) -> tuple[dict[Key, Decimal], dict[int, Decimal]]:
    """Every actual of the location's year by (month, category), and the paid hours by month."""
    actual: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for source in (purchases_by_month(location_id=location_id, year=year, tz=tz),
                   entered_by_month(location_id=location_id, year=year)):
        for key, amount in source.items():
            actual[key] += amount
    hours = {month: value for (loc, month), value in
             paid_hours_by_month(location_ids=[location_id], year=year).items() if loc == location_id}
    if hourly_cost is not None:
        for month, value in hours.items():
            actual[(month, BudgetCategory.PAYROLL)] += (value * hourly_cost).quantize(CENT)
    for (loc, month), money in collections_by_month(location_ids=[location_id], year=year).items():
        if loc == location_id:
            actual[(month, BudgetCategory.PATIENT_COLLECTIONS)] += money.patient
            actual[(month, BudgetCategory.INSURANCE_COLLECTIONS)] += money.insurance
    return dict(actual), hours


# --- the variance report ------------------------------------------------------------------------------------------

@dataclass
class Cell:
    budget: Decimal
    actual: Decimal | None  # None: a month still to come
    revenue: bool = False

    @property
    def variance(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.budget

    @property
    def percent(self) -> Decimal | None:
        if self.variance is None or not self.budget:
            return None
        return (100 * self.variance / abs(self.budget)).quantize(Decimal("0.1"))  # against the size of the plan

    @property
    def unfavourable(self) -> bool:
        """Over budget (an expense), or below it (revenue)."""
        if self.variance is None:
            return False
        return self.variance < 0 if self.revenue else self.variance > 0


@dataclass
class Row:
    category: str
    label: str
    revenue: bool
    months: list[Cell]
    ytd: Cell
    year: Cell
    hourly_cost: Decimal | None = None
    hours: dict[int, Decimal] = field(default_factory=dict)
    budgeted: bool = True

    @property
    def entered(self) -> bool:
        return self.category in ENTERED_CATEGORIES


@dataclass
class VarianceReport:
    location: object
    year: int
    budget: Budget | None
    through_month: int  # the last month with actuals: 12 for a past year, 0 for a future one
    expenses: list[Row]
    revenue: list[Row]
    total_expenses: Row
    total_revenue: Row
    net: Row  # revenue - expenses

    @property
    def rows(self) -> list[Row]:
        return [*self.expenses, self.total_expenses, *self.revenue, self.total_revenue, self.net]


def _through(year: int, today: dt.date) -> int:
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def _row(category: str, label: str, revenue: bool, budget: dict[int, Decimal], actual: dict[int, Decimal],
         through: int) -> Row:
    months = [Cell(budget.get(m, ZERO), actual.get(m, ZERO) if m <= through else None, revenue) for m in MONTHS]
    ytd = Cell(sum((c.budget for c in months[:through]), ZERO), sum((c.actual or ZERO for c in months[:through]),
                                                                   ZERO) if through else None, revenue)
    year = Cell(sum((c.budget for c in months), ZERO),
                sum((c.actual or ZERO for c in months), ZERO) if through else None, revenue)
    return Row(category, label, revenue, months, ytd, year)


def _total(label: str, rows: list[Row], revenue: bool, through: int, *, key: str = "total") -> Row:
    budget = {m: sum((r.months[m - 1].budget for r in rows), ZERO) for m in MONTHS}
    actual = {m: sum((r.months[m - 1].actual or ZERO for r in rows), ZERO) for m in MONTHS}
    return _row(key, label, revenue, budget, actual, through)


def variance_report(*, actor: Actor, location_id: int, year: int, today: dt.date | None = None) -> VarianceReport:
    """Budget, actual, variance and variance % per line and month, the totals, the net, and the year to date."""
    from django.utils.translation import gettext as _

    location = require_budgets(actor, location_id)
    tz = location.tz  # type: ignore[attr-defined]
    today = today or clock.now().astimezone(tz).date()
    through = _through(year, today)
    budget = _budget_of(location_id, year)
    lines = {line.category: line for line in budget.lines.all()} if budget else {}
    payroll = lines.get(BudgetCategory.PAYROLL)
    actual, hours = actuals_by_month(location_id=location_id, year=year, tz=tz,
                                     hourly_cost=payroll.hourly_cost if payroll else None)
    expenses: list[Row] = []
    revenue: list[Row] = []
    for category in BudgetCategory:
        line = lines.get(category)
        per_month = {m: a for (m, c), a in actual.items() if c == category}
        if line is None and not any(per_month.values()):
            continue
        planned: dict[int, Decimal] = {m.month: m.amount for m in line.months.all()} if line else {}
        row = _row(category.value, str(category.label), category in REVENUE_CATEGORIES, planned, per_month, through)
        row.budgeted = line is not None
        if category == BudgetCategory.PAYROLL:
            row.hourly_cost, row.hours = (line.hourly_cost if line else None), hours
        (revenue if row.revenue else expenses).append(row)
    total_expenses = _total(_("Total expenses"), expenses, False, through)
    total_revenue = _total(_("Total revenue"), revenue, True, through)
    net_budget = {m: total_revenue.months[m - 1].budget - total_expenses.months[m - 1].budget for m in MONTHS}
    net_actual = {m: (total_revenue.months[m - 1].actual or ZERO) - (total_expenses.months[m - 1].actual or ZERO)
                  for m in MONTHS}
    net = _row("net", _("Net (revenue less expenses)"), True, net_budget, net_actual, through)
    return VarianceReport(location, year, budget, through, expenses, revenue, total_expenses, total_revenue, net)


def budget_amounts(budget: Budget) -> dict[str, list[Decimal]]:
    """{category: the twelve monthly amounts} of a budget (from budget_detail, prefetched)."""
    out = {}
    for line in budget.lines.all():
        by_month = {m.month: m.amount for m in line.months.all()}
        out[line.category] = [by_month.get(m, ZERO) for m in MONTHS]
    return out


__all__ = ["BudgetMonth", "Cell", "Row", "VarianceReport", "actual_entries", "actuals_by_month", "budget_amounts",
           "budget_detail", "budget_for", "variance_report", "years_budgeted"]
