"""GET /api/v1/insight/forecast?location=ID&type=ID&grain=week|day: the stored demand forecast (reports.read, the
dashboards' reach: practice-wide roles every location, everyone else their own)."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinicdesk.core.api import api_login_required
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, errors, ok
from clinicdesk.core.permissions import Actor

from .selectors import GRAINS, forecast_read

PARAMS = ("location", "type", "grain")


@require_GET
@api_login_required
def forecast_list(request: HttpRequest) -> JsonResponse:
    for name in PARAMS:
        if name in request.GET and not request.GET[name]:
            raise ValidationFailed("empty-field", _("'%(name)s' is empty: leave it out or give a value.") % {
                "name": name}, fields={name: [_("Empty.")]})
    view = forecast_read(actor=cast(Actor, request.user), params=request.GET)
    run = view.run
    return JsonResponse({
        "computedAt": run.computed_at.isoformat() if run else None,
        "firstWeek": run.first_week.isoformat() if run else None,
        "grain": view.grain,
        "location": view.location.pk if view.location else None,
        "type": view.appointment_type.pk if view.appointment_type else None,
        "mase": view.mase, "naiveMase": view.naive_mase,
        "items": [{"start": p.start.isoformat(), "mean": p.mean, "lo80": p.lo80, "hi80": p.hi80, "lo95": p.lo95,
                   "hi95": p.hi95, "overCapacity": p.flagged} for p in view.points],
        "overCapacity": [{"location": s.location.pk, "weekStart": s.week_start.isoformat(),
                          "demandMinutes": s.demand_minutes, "capacityMinutes": s.capacity_minutes,
                          "sessions": [{"type": kind.pk, "sessions": n} for kind, n in s.sessions]}
                         for s in view.shortfalls]})


_NUMBER = {"type": "number", "minimum": 0}
OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/insight/forecast": {"get": {
        "operationId": "demandForecast", "tags": ["insight"], "security": [SESSION],
        "summary": "The demand forecast: appointment requests expected per week (or day) for the next 12 weeks.",
        "description": "Computed weekly (`clinicdesk insight forecast`). `mean` is the expected number of "
                       "requests of the chosen location and type (all in reach when left out); `lo80`..`hi95` the "
                       "80 % and 95 % prediction intervals. `overCapacity` lists the locations' weeks whose demand "
                       "exceeds the availability templates, with suggested extra half-day sessions per type. "
                       "Before the first computation `computedAt` is null and `items` is empty. A parameter given "
                       "empty is a 422; a location or type out of reach is a 404.",
        "parameters": [
            {"name": "location", "in": "query", "required": False, "schema": ID, "description": "A location's id."},
            {"name": "type", "in": "query", "required": False, "schema": ID,
             "description": "An appointment type's id."},
            {"name": "grain", "in": "query", "required": False,
             "schema": {"type": "string", "enum": list(GRAINS)}, "description": "week (default) or day."}],
        "responses": ok("The forecast.", "DemandForecast") | errors("401", "403", "404", "422")}},
}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "DemandForecastPoint": {"type": "object", "required": ["start", "mean", "lo80", "hi80", "lo95", "hi95",
                                                           "overCapacity"], "properties": {
        "start": {"type": "string", "format": "date"}, "mean": _NUMBER, "lo80": _NUMBER, "hi80": _NUMBER,
        "lo95": _NUMBER, "hi95": _NUMBER, "overCapacity": {"type": "boolean"}}},
    "DemandShortfall": {"type": "object", "required": ["location", "weekStart", "demandMinutes", "capacityMinutes",
                                                       "sessions"], "properties": {
        "location": {"type": "integer"}, "weekStart": {"type": "string", "format": "date"},
        "demandMinutes": _NUMBER, "capacityMinutes": _NUMBER,
        "sessions": {"type": "array", "items": {"type": "object", "required": ["type", "sessions"], "properties": {
            "type": {"type": "integer"}, "sessions": {"type": "integer", "minimum": 1}}}}}},
    "DemandForecast": {"type": "object", "required": ["computedAt", "firstWeek", "grain", "location", "type", "mase",
                                                      "naiveMase", "items", "overCapacity"], "properties": {
        "computedAt": {"type": ["string", "null"], "format": "date-time"},
        "firstWeek": {"type": ["string", "null"], "format": "date"},
        "grain": {"type": "string", "enum": list(GRAINS)},
        "location": {"type": ["integer", "null"]}, "type": {"type": ["integer", "null"]},
        "mase": {"type": ["number", "null"]}, "naiveMase": {"type": ["number", "null"]},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/DemandForecastPoint"}},
        "overCapacity": {"type": "array", "items": {"$ref": "#/components/schemas/DemandShortfall"}}}},
}
