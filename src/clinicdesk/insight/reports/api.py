"""The insight JSON API for scheduled reports and overbook advice (session; the same services as the screens).

GET /api/v1/insight/report-subscriptions          the reader's scheduled reports (reports.read)
GET /api/v1/insight/overbook-advice?date=&location=&provider=   a provider's booked slots with their expected
    attendance and which to overbook (schedule.overbook with the risk's readers; empty while the practice does not
    allow suggested overbooking)
"""

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
from clinicdesk.practice.selectors import locations_for, practitioners_at

from ..overbook import overbook_advice, overbook_policy
from .services import subscriptions_list


@require_GET
@api_login_required
def report_subscriptions(request: HttpRequest) -> JsonResponse:
    items = [{"id": s.pk, "name": s.name, "figures": s.figures, "location": s.location_id,
              "provider": s.practitioner_id, "type": s.appointment_type_id, "weeks": s.weeks, "weekday": s.weekday,
              "hour": s.hour, "timeZone": s.time_zone, "active": s.active,
              "nextSendAt": s.next_send_at.isoformat().replace("+00:00", "Z"),
              "recipients": [u.pk for u in s.recipients.all()]}
             for s in subscriptions_list(actor=cast(Actor, request.user))]
    return JsonResponse({"items": items})


def _record_id(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name) or ""
    if not value.isdigit():
        raise ValidationFailed("bad-field", _("'%(name)s' must be a record id.") % {"name": name},
                               fields={name: [_("Not a record id.")]})
    return value


@require_GET
@api_login_required
def overbook_advice_list(request: HttpRequest) -> JsonResponse:
    actor = cast(Actor, request.user)
    location_id, provider_id = _record_id(request, "location"), _record_id(request, "provider")
    location = next((loc for loc in locations_for(actor) if str(loc.pk) == location_id), None)
    if location is None:
        raise NotFound()
    if all(str(p.pk) != provider_id for p in practitioners_at([location])):
        raise NotFound()
    day = parse_day(request.GET.get("date"), name="date")
    policy = overbook_policy()
    advice = overbook_advice(actor=actor, location=location, day=day, practitioner_id=int(provider_id),
                             policy=policy)
    return JsonResponse({"date": day.isoformat(), "location": location.pk, "provider": int(provider_id),
                         "allowed": policy.allow_suggested, "threshold": float(policy.threshold),
                         "items": [{"start": a.start_iso, "end": a.end.isoformat().replace("+00:00", "Z"),
                                    "booked": a.booked, "expectedAttendance": a.expected, "suggested": a.suggested}
                                   for a in advice]})


_ID = {"type": "integer", "minimum": 1}
OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/insight/report-subscriptions": {"get": {
        "operationId": "reportSubscriptionList", "tags": ["insight"], "security": [SESSION],
        "summary": "The caller's scheduled reports (every one for a practice-wide reports reader).",
        "description": "Each report e-mails the dashboards' figures (`figures`: dashboard figure keys, empty for "
                       "every one) as a PDF on `weekday` (0 = Monday) at `hour` in `timeZone`, covering the `weeks` "
                       "before the send day. Figures only: no patient data.",
        "responses": ok("The scheduled reports.", "ReportSubscriptionList") | errors("401", "403")}},
    "/api/v1/insight/overbook-advice": {"get": {
        "operationId": "overbookAdviceList", "tags": ["insight"], "security": [SESSION],
        "summary": "A provider's booked slots on a day, their expected attendance and which to overbook.",
        "description": "Expected attendance = the sum of (1 - no-show probability) over the slot's appointments; a "
                       "slot with one appointment below the practice's threshold is `suggested`. Empty while the "
                       "practice does not allow suggested overbooking (`allowed`). Book a suggestion with "
                       "POST /api/v1/appointments and its overbook flag and reason.",
        "parameters": [
            {"name": "date", "in": "query", "required": True, "schema": {"type": "string", "format": "date"},
             "description": "The day, YYYY-MM-DD, in the location's time zone."},
            {"name": "location", "in": "query", "required": True, "schema": _ID, "description": "The location's id."},
            {"name": "provider", "in": "query", "required": True, "schema": _ID,
             "description": "The practitioner's id."}],
        "responses": ok("The slots.", "OverbookAdviceList") | errors("401", "403", "404", "422")}},
}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "ReportSubscription": {"type": "object", "required": ["id", "name", "figures", "weeks", "weekday", "hour",
                                                          "timeZone", "active", "nextSendAt", "recipients"],
                           "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "figures": {"type": "array", "items": {"type": "string"}},
        "location": {"type": ["integer", "null"]}, "provider": {"type": ["integer", "null"]},
        "type": {"type": ["integer", "null"]}, "weeks": {"type": "integer", "minimum": 1, "maximum": 52},
        "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23}, "timeZone": {"type": "string"},
        "active": {"type": "boolean"}, "nextSendAt": {"type": "string", "format": "date-time"},
        "recipients": {"type": "array", "items": {"type": "integer"}}}},
    "ReportSubscriptionList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ReportSubscription"}}}},
    "OverbookAdvice": {"type": "object", "required": ["start", "end", "booked", "expectedAttendance", "suggested"],
                       "properties": {
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
        "booked": {"type": "integer"}, "expectedAttendance": {"type": "number"}, "suggested": {"type": "boolean"}}},
    "OverbookAdviceList": {"type": "object", "required": ["date", "location", "provider", "allowed", "threshold",
                                                          "items"], "properties": {
        "date": {"type": "string", "format": "date"}, "location": {"type": "integer"},
        "provider": {"type": "integer"}, "allowed": {"type": "boolean"}, "threshold": {"type": "number"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/OverbookAdvice"}}}},
}
