"""The insight JSON API: GET /api/v1/insight/noshow-risk?date=YYYY-MM-DD&location=ID (reports.read there)."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinicdesk.core.api import api_login_required
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.openapi import SESSION, errors, ok
from clinicdesk.core.permissions import Actor
from clinicdesk.practice.selectors import locations_for
from clinicdesk.scheduling.selectors import appointment_ids_on_day

from .selectors import noshow_model_info, noshow_risk


def _query_location(request: HttpRequest, actor: Actor) -> Any:
    value = request.GET.get("location") or ""
    if not value.isdigit():
        raise ValidationFailed("bad-field", _("'%(name)s' must be a record id.") % {"name": "location"},
                               fields={"location": [_("Not a record id.")]})
    location = next((loc for loc in locations_for(actor) if str(loc.pk) == value), None)
    if location is None:
        raise NotFound()
    return location


@require_GET
@api_login_required
def noshow_risk_list(request: HttpRequest) -> JsonResponse:
    actor = cast(Actor, request.user)
    location = _query_location(request, actor)
    day = parse_day(request.GET.get("date"), name="date")
    ids = appointment_ids_on_day(actor=actor, location=location, day=day)
    info = noshow_model_info(actor=actor)
    risks = noshow_risk(actor=actor, appointment_ids=ids)
    model = None if info is None else {"trainedAt": info.get("trained_at"), "auc": info.get("auc"),
                                       "brier": info.get("brier"), "noshowRate": info.get("noshow_rate")}
    return JsonResponse({"date": day.isoformat(), "location": location.pk, "model": model,
                         "items": [{"appointment": r.appointment_id, "probability": r.probability, "band": r.band}
                                   for r in risks]})


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/insight/noshow-risk": {"get": {
        "operationId": "noshowRiskList", "tags": ["insight"], "security": [SESSION],
        "summary": "The no-show probability of each appointment at a location on a day.",
        "description": "From the model trained on the practice's own history (`clinicdesk insight "
                       "noshow-train-practice`). `band`: low below 0.15, medium below 0.30, high from 0.30. Before "
                       "the first training `model` is null and `items` is empty.",
        "parameters": [
            {"name": "date", "in": "query", "required": True, "schema": {"type": "string", "format": "date"},
             "description": "The day, YYYY-MM-DD, in the location's time zone."},
            {"name": "location", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1},
             "description": "The location's id."}],
        "responses": ok("The appointments' risk.", "NoshowRiskList") | errors("401", "403", "404", "422")}},
}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "NoshowRisk": {"type": "object", "required": ["appointment", "probability", "band"], "properties": {
        "appointment": {"type": "integer"}, "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "band": {"type": "string", "enum": ["low", "medium", "high"]}}},
    "NoshowRiskList": {"type": "object", "required": ["date", "location", "model", "items"], "properties": {
        "date": {"type": "string", "format": "date"}, "location": {"type": "integer"},
        "model": {"type": ["object", "null"], "properties": {
            "trainedAt": {"type": "string"}, "auc": {"type": ["number", "null"]},
            "brier": {"type": ["number", "null"]}, "noshowRate": {"type": "number"}}},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/NoshowRisk"}}}},
}
