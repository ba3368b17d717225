"""Budgets (issue #21, item 11): the practice coordinator makes a yearly budget per location, sets each line's
amount per month (twelve amounts, or an annual amount spread evenly), and enters the actual expenses that the
system does not otherwise know (rent, utilities, equipment bought outside a purchase order, services, other).

Every change is audited in the same transaction. Bad input (a negative or malformed amount, a month outside 1-12,
a second budget for the same location and year) is refused with a clear message and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models_budget import (
    ENTERED_CATEGORIES,
    MONTHS,
    ActualEntry,
    Budget,
    BudgetCategory,
    BudgetLine,
    BudgetMonth,
)
from ..selectors import _known_location
from ._common import Errors, clean_text

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")  # a month's line below a billion: anything larger is a typing mistake
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _money_value(errors: Errors, name: str, value: Any, *, label: str, positive: bool = False) -> Decimal:
    """A sum of money as typed or sent: Decimal (or text, or an int), at most two decimal places, not negative
    (above zero when `positive`). Floats are refused: they are not exact."""
    try:
        if isinstance(value, (bool, float)):
            raise InvalidOperation
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add(name, _("%(label)s: enter an amount such as 1250.00.") % {"label": label})
        return Decimal("0.00")
    if amount < 0 or (positive and amount == 0):
        errors.add(name, (_("%(label)s must be more than zero.") if positive
                          else _("%(label)s cannot be negative.")) % {"label": label})
    elif amount >= MAX_AMOUNT:
        errors.add(name, _("%(label)s is too large.") % {"label": label})
    return amount.quantize(CENT)


def _month_value(errors: Errors, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in MONTHS:
        errors.add("month", _("The month must be a number from 1 to 12."))
        return 0
    return value


def spread(annual: Decimal) -> list[Decimal]:
    """An annual amount in twelve months that differ by at most a cent and add up to it exactly (the first
    months take the odd cents)."""
    base = (annual / 12).quantize(CENT, rounding=ROUND_DOWN)
    odd = int((annual - base * 12) / CENT)
    return [base + (CENT if month <= odd else 0) for month in MONTHS]


def _budget(actor: Actor, budget_id: int) -> Budget:
    budget = Budget.objects.select_for_update().filter(pk=budget_id).first()
    if budget is None:
        raise NotFound()
    require(actor, Perm.OPERATIONS_ADMIN, location=budget.location_id, resource_type="budget",
            resource_id=budget_id, hide=True)
    return budget


@atomic_service
def budget_create(*, actor: Actor, location_id: int, year: int) -> Budget:
    """An empty budget for a location and year (its lines are set next)."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="budget")
    _known_location(location_id)
    errors = Errors()
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors.add("year", _("The year must be from %(first)s to %(last)s.") % {"first": FIRST_YEAR,
                                                                                "last": LAST_YEAR})
    errors.raise_if_any("invalid-budget")
    if Budget.objects.filter(location_id=location_id, year=year).exists():
        raise Conflict("budget-exists", _("This location already has a budget for %(year)s: change that one.")
                       % {"year": year}, fields={"year": [_("Already budgeted.")]})
    budget = Budget.objects.create(location_id=location_id, year=year, created_at=clock.now(),
                                   created_by=staff_user(actor))
    record(actor, "budget.create", budget, detail={"location": location_id, "year": year})
    return budget


@atomic_service
def budget_line_set(*, actor: Actor, budget_id: int, category: str, monthly: Sequence[Any] | None = None,
                    annual: Any = None, hourly_cost: Any = None) -> BudgetLine:
    """Set one line of a budget: twelve monthly amounts, or an annual amount spread evenly over the months.
    The payroll line carries the blended hourly cost (wages, taxes, benefits) that turns paid hours into its
    actual cost; the other lines carry none."""
    budget = _budget(actor, budget_id)
    errors = Errors()
    if category not in BudgetCategory.values:
        errors.add("category", _("Choose a budget line."))
    amounts: list[Decimal] = []
    if (monthly is None) == (annual is None):
        errors.add("amounts", _("Enter twelve monthly amounts or one annual amount."))
    elif monthly is not None:
        if len(monthly) != 12:
            errors.add("amounts", _("Enter an amount for each of the twelve months."))
        else:
            amounts = [_money_value(errors, f"month-{m}", v, label=_("Month %(month)s") % {"month": m})
                       for m, v in zip(MONTHS, monthly, strict=True)]
    else:
        amounts = spread(_money_value(errors, "annual", annual, label=_("Annual amount")))
    cost = None
    if category == BudgetCategory.PAYROLL:
        if hourly_cost is None or str(hourly_cost).strip() == "":
            errors.add("hourly_cost", _("Enter the blended hourly cost of payroll (wages, taxes and benefits "
                                        "per paid hour)."))
        else:
            cost = _money_value(errors, "hourly_cost", hourly_cost, label=_("Blended hourly cost"), positive=True)
    errors.raise_if_any("invalid-budget-line")
    line, created = BudgetLine.objects.get_or_create(budget=budget, category=category)
    before = {m.month: str(m.amount) for m in line.months.all()}
    before_cost = str(line.hourly_cost) if line.hourly_cost is not None else None
    line.hourly_cost = cost
    line.save(update_fields=["hourly_cost"])
    line.months.all().delete()
    BudgetMonth.objects.bulk_create(BudgetMonth(line=line, month=m, amount=a) for m, a in zip(MONTHS, amounts,
                                                                                                  strict=True))
    changes: dict[str, Any] = {str(m): [before.get(m), str(a)] for m, a in zip(MONTHS, amounts, strict=True)
                               if before.get(m) != str(a)}
    if before_cost != (str(cost) if cost is not None else None):
        changes["hourly_cost"] = [before_cost, str(cost) if cost is not None else None]
    record(actor, "budget.line", budget, detail={"category": category, "created": created,
                                                 "total": str(sum(amounts, Decimal("0.00"))), "changes": changes})
    return line


@atomic_service
def budget_line_remove(*, actor: Actor, budget_id: int, category: str) -> Budget:
    budget = _budget(actor, budget_id)
    line = budget.lines.filter(category=category).first()
    if line is None:
        raise NotFound()
    total = str(sum((m.amount for m in line.months.all()), Decimal("0.00")))
    line.delete()
    record(actor, "budget.line.remove", budget, detail={"category": category, "total": total})
    return budget


@atomic_service
def actual_entry_add(*, actor: Actor, location_id: int, year: int, month: int, category: str, amount: Any,
                     note: str) -> ActualEntry:
    """An actual expense of a month that no other record holds (the rent paid, the power bill), with a note."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="actualentry")
    _known_location(location_id)
    errors = Errors()
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors.add("year", _("The year must be from %(first)s to %(last)s.") % {"first": FIRST_YEAR,
                                                                                "last": LAST_YEAR})
    month = _month_value(errors, month)
    if category not in ENTERED_CATEGORIES:
        errors.add("category", _("Actual amounts are entered for rent, utilities, equipment, purchased services "
                                 "and other expenses; the other lines are computed."))
    value = _money_value(errors, "amount", amount, label=_("Amount"), positive=True)
    note = clean_text(errors, "note", note, label=_("Note"), max_length=200, required=True)
    errors.raise_if_any("invalid-actual")
    entry = ActualEntry.objects.create(location_id=location_id, year=year, month=month, category=category,
                                       amount=value, note=note, entered_at=clock.now(),
                                       entered_by=staff_user(actor))
    record(actor, "budget.actual.add", entry, detail={"location": location_id, "year": year, "month": month,
                                                      "category": category, "amount": str(value), "note": note})
    return entry


@atomic_service
def actual_entry_remove(*, actor: Actor, entry_id: int) -> None:
    """Take back an actual entered by mistake (the audit trail keeps what it was)."""
    entry = ActualEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    require(actor, Perm.OPERATIONS_ADMIN, location=entry.location_id, resource_type="actualentry",
            resource_id=entry_id, hide=True)
    record(actor, "budget.actual.remove", entry, detail={
        "location": entry.location_id, "year": entry.year, "month": entry.month, "category": entry.category,
        "amount": str(entry.amount), "note": entry.note})
    entry.delete()
