"""Access-matrix rows for budgets (#21 item 11, in the operations app). See matrix.py for what a row means.

Who: the practice coordinator (operations.admin) alone reads and changes budgets and enters actual amounts; every
other role is refused (403), or answered 404 where the service hides a budget or an entry from anyone who may not
act on it. Pages of a location are asked with ?location=<Downtown>; a user of another location gets 404 for the
location (`outsider`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .matrix import PRC, Row, api, page

ADMINS = frozenset({PRC})
B = "/operations/budgets"
AT = "?location={home.pk}&year=2026"
HIDDEN = {"denied": 404}  # a budget or an entry answers like a missing one to a caller who may not act on it


def _at(w: Any, **data: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), "year": "2026", **data}


ROWS: list[Row] = [
    page("GET", f"{B}/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{B}/new/", 302, ADMINS, outsider=404, data=lambda w: _at(w, year="2027")),
    page("GET", f"{B}/export.csv{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{B}/{{budget.pk}}/lines/", 200, ADMINS, **HIDDEN),
    page("POST", f"{B}/{{budget.pk}}/lines/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"category": "utilities", "mode": "annual", "annual": "7800.00"}),
    page("POST", f"{B}/{{budget.pk}}/lines/rent/remove/", 302, ADMINS, **HIDDEN),
    page("GET", f"{B}/actuals/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{B}/actuals/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, month="10", category="utilities", amount="612.40", note="Electricity, October")),
    page("POST", f"{B}/actuals/{{budget_actual.pk}}/remove/", 302, ADMINS, **HIDDEN, data=_at),
    api("GET", "/api/v1/budgets/{home.pk}/2026", 200, ADMINS),
]


def objects(world: Any) -> dict[str, Any]:
    """Downtown's 2026 budget with a rent line, and an entered rent actual."""
    from clinicdesk.operations.services import budgets

    coordinator = world.users[PRC]
    budget = budgets.budget_create(actor=coordinator, location_id=world.home.pk, year=2026)
    budgets.budget_line_set(actor=coordinator, budget_id=budget.pk, category="rent", annual=Decimal("54000.00"))
    actual = budgets.actual_entry_add(actor=coordinator, location_id=world.home.pk, year=2026, month=11,
                                      category="rent", amount=Decimal("4500.00"), note="November rent")
    return {"budget": budget, "budget_actual": actual}
