"""Budget against actuals in the JSON API: GET /api/v1/budgets/{location_id}/{year} (route in api_urls.py, its
description below). The same computation as the screen and the CSV (budget_selectors.variance_report); money as
decimal strings, never floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from clinicdesk.core.api import api_login_required
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.openapi import SESSION, errors, ok
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import describe

from . import budget_selectors as selectors
from .services.budgets import FIRST_YEAR, LAST_YEAR


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _cell(cell: selectors.Cell) -> dict[str, Any]:
    return {"budget": _money(cell.budget), "actual": _money(cell.actual), "variance": _money(cell.variance),
            "variancePercent": _money(cell.percent), "unfavourable": cell.unfavourable}


def _row(row: selectors.Row) -> dict[str, Any]:
    out = {"line": row.category, "label": row.label, "revenue": row.revenue, "budgeted": row.budgeted,
           "months": [{"month": m, **_cell(c)} for m, c in enumerate(row.months, start=1)],
           "yearToDate": _cell(row.ytd), "year": _cell(row.year)}
    if row.category == "payroll":
        out["hourlyCost"] = _money(row.hourly_cost)
        out["paidHours"] = {str(m): str(h) for m, h in sorted(row.hours.items())}
    return out


@require_GET
@api_login_required
def budget(request: HttpRequest, location_id: int, year: int) -> HttpResponse:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound()
    report = selectors.variance_report(actor=cast(Actor, request.user), location_id=location_id, year=year)
    return JsonResponse({
        "location": location_id, "year": year, "budget": report.budget.pk if report.budget else None,
        "throughMonth": report.through_month,
        "lines": [_row(r) for r in [*report.expenses, *report.revenue]],
        "totals": {"expenses": _row(report.total_expenses), "revenue": _row(report.total_revenue),
                   "net": _row(report.net)}})


_MONEY = {"oneOf": [{"type": "string", "pattern": r"^-?\d+\.\d{1,2}$"}, {"type": "null"}]}
_CELL = {"type": "object", "properties": {
    "budget": _MONEY, "actual": _MONEY, "variance": _MONEY,
    "variancePercent": {"oneOf": [{"type": "string"}, {"type": "null"}]},
    "unfavourable": {"type": "boolean", "description": "Over budget for an expense, below it for revenue."}}}
_ROW = {"type": "object", "properties": {
    "line": {"type": "string", "description": "payroll, supplies, rent, utilities, equipment, services, other, "
                                              "patient-pay, insurance-pay; or total / net."},
    "label": {"type": "string"}, "revenue": {"type": "boolean"}, "budgeted": {"type": "boolean"},
    "months": {"type": "array", "items": _CELL, "minItems": 12, "maxItems": 12}, "yearToDate": _CELL,
    "year": _CELL, "hourlyCost": _MONEY, "paidHours": {"type": "object"}}}

describe("operations-budgets", paths={
    "/api/v1/budgets/{location_id}/{year}": {"get": {
        "operationId": "budgetVarianceRead", "tags": ["budgets"], "security": [SESSION],
        "summary": "A location's budget against its actuals for a year: per line and month, the budget, the "
                   "actual, the variance and the variance %, with totals, the net and the year to date.",
        "description": "Actuals are computed: supplies and equipment from purchase orders received, payroll from "
                       "the published rosters' paid hours times the payroll line's blended hourly cost, "
                       "collections from the patient ledger; rent, utilities, services and other expenses as "
                       "entered. Months after the current one have no actual (null). Money is a decimal string.",
        "parameters": [
            {"name": "location_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
             "description": "The location's id."},
            {"name": "year", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
             "description": "The budget year (2000-2100)."}],
        "responses": ok("Budget against actuals.", "BudgetVariance") | errors("401", "403", "404")}},
}, schemas={
    "BudgetVariance": {"type": "object", "required": ["location", "year", "lines", "totals"], "properties": {
        "location": {"type": "integer"}, "year": {"type": "integer"},
        "budget": {"oneOf": [{"type": "integer"}, {"type": "null"}]},
        "throughMonth": {"type": "integer", "minimum": 0, "maximum": 12},
        "lines": {"type": "array", "items": _ROW},
        "totals": {"type": "object", "properties": {"expenses": _ROW, "revenue": _ROW, "net": _ROW}}}},
})
