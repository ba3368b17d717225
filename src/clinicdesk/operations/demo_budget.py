"""The demo practice's budgets (#21 item 11): the demo builder calls `budgets_demo` after the rosters and the supply
room exist.

Each location gets a budget for the current year, every line set through the services (audited): payroll at a
blended $34.50 an hour, supplies, rent, utilities, equipment, purchased services, other expenses and both kinds
of collections. The coordinator's entered actuals cover the months so far: the rent (raised in September), the
utility bills (the winter ones over budget), the cleaning and IT services, a replaced autoclave (over its budget)
and small other expenses. The computed actuals are what the demo's records hold: this month's opening supply
orders run far over the supplies budget, the published roster's paid hours make this month's payroll, the
payments on the ledger make the collections (read when the page is shown): the co-pays the desk took for the
visits billing's demos charge (billing.demo `desk_copay`) and today's desk, and the insurers' payments posted
from the 835 remittances of billing's revenue history. No money is taken for a visit that was never charged: the
payment reports' collection rate would divide it by charges that do not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor

from .models_budget import BudgetCategory as C
from .services import budgets as services

HOURLY_COST = Decimal("34.50")
# Per location (the first is the larger one): monthly budget of each line.
MONTHLY = (
    {C.PAYROLL: "29500.00", C.SUPPLIES: "1800.00", C.RENT: "4500.00", C.UTILITIES: "650.00", C.SERVICES: "950.00",
     C.OTHER: "300.00", C.PATIENT_COLLECTIONS: "9500.00", C.INSURANCE_COLLECTIONS: "61000.00"},
    {C.PAYROLL: "28000.00", C.SUPPLIES: "1300.00", C.RENT: "3800.00", C.UTILITIES: "520.00", C.SERVICES: "700.00",
     C.OTHER: "250.00", C.PATIENT_COLLECTIONS: "7000.00", C.INSURANCE_COLLECTIONS: "45000.00"},
)
EQUIPMENT_MONTH, EQUIPMENT_BUDGET, EQUIPMENT_SPENT = 3, Decimal("2500.00"), Decimal("3150.00")
# Utility bills by month as a share of the budget: heating and cooling months run over.
UTILITY_SHARE = {1: "1.18", 2: "1.12", 3: "0.97", 4: "0.88", 5: "0.85", 6: "0.96", 7: "1.09", 8: "1.11", 9: "0.93",
                 10: "0.86", 11: "0.98", 12: "1.15"}
RENT_RAISE_MONTH, RENT_RAISE = 9, Decimal("150.00")
# The lines Clinicdesk computes from its own records are budgeted from the month the practice started keeping
# them here (its first published roster): before that the records, and so the actuals, are elsewhere.
COMPUTED = frozenset({C.PAYROLL, C.SUPPLIES, C.PATIENT_COLLECTIONS, C.INSURANCE_COLLECTIONS})


def budgets_demo(*, actor: Actor, location_ids: Sequence[int], today: dt.date | None = None) -> None:
    """A budget for the current year at each location, and the actuals entered so far. `actor` holds
    operations.admin."""
    today = today or clock.now().date()
    with transaction.atomic():
        for index, location_id in enumerate(location_ids):
            _location(actor, location_id, MONTHLY[min(index, len(MONTHLY) - 1)], today)


def _location(actor: Actor, location_id: int, monthly: dict[C, str], today: dt.date) -> None:
    from zoneinfo import ZoneInfo

    from .budget_selectors import actuals_by_month

    year = today.year
    budget = services.budget_create(actor=actor, location_id=location_id, year=year)
    _actual, hours = actuals_by_month(location_id=location_id, year=year, hourly_cost=None, tz=ZoneInfo("UTC"))
    start = min((month for month, value in hours.items() if value), default=1)
    for category, amount in monthly.items():
        if category in COMPUTED:
            plan = [Decimal(amount) if month >= start else Decimal("0.00") for month in range(1, 13)]
            services.budget_line_set(actor=actor, budget_id=budget.pk, category=category, monthly=plan,
                                     hourly_cost=HOURLY_COST if category == C.PAYROLL else None)
        else:
            services.budget_line_set(actor=actor, budget_id=budget.pk, category=category,
                                     annual=Decimal(amount) * 12)
    equipment = [Decimal("0.00")] * 12
    equipment[EQUIPMENT_MONTH - 1] = EQUIPMENT_BUDGET
    services.budget_line_set(actor=actor, budget_id=budget.pk, category=C.EQUIPMENT, monthly=equipment)

    def enter(month: int, category: C, amount: Decimal, note: str) -> None:
        services.actual_entry_add(actor=actor, location_id=location_id, year=year, month=month, category=category,
                                  amount=amount.quantize(Decimal("0.01")), note=note)

    rent, utilities = Decimal(monthly[C.RENT]), Decimal(monthly[C.UTILITIES])
    services_budget, other = Decimal(monthly[C.SERVICES]), Decimal(monthly[C.OTHER])
    for month in range(1, today.month + 1):
        name = dt.date(year, month, 1).strftime("%B")
        enter(month, C.RENT, rent + (RENT_RAISE if month >= RENT_RAISE_MONTH else 0), f"{name} rent")
        if month == today.month:
            continue  # this month's bills have not come in yet
        enter(month, C.UTILITIES, utilities * Decimal(UTILITY_SHARE[month]), f"Electricity and water, {name}")
        enter(month, C.SERVICES, services_budget * Decimal("0.7"), f"Cleaning service, {name}")
        enter(month, C.SERVICES, services_budget * Decimal("0.28") + month * 3, f"IT support, {name}")
        if month % 3 == 0:
            enter(month, C.OTHER, other * Decimal("1.4"), f"Staff training and postage, {name}")
        else:
            enter(month, C.OTHER, other * Decimal("0.6"), f"Postage, {name}")
    if today.month >= EQUIPMENT_MONTH:
        enter(EQUIPMENT_MONTH, C.EQUIPMENT, EQUIPMENT_SPENT, "Autoclave replaced (the old one failed inspection)")
