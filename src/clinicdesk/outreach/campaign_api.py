"""The JSON API of outreach campaigns (/api/v1/outreach-campaigns...; #24 item 4): the campaigns, one campaign with
its report, and sending a wave; over the same services and selectors as the screens."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import describe

from . import campaign_selectors as selectors
from . import campaign_services as services
from .models import Campaign, CampaignStatus

REPORT_COUNTS = ("cohort", "waiting", "contacted", "not_contactable", "delivered", "sent", "unreachable", "declined",
                 "booked", "sent_email", "sent_sms", "waves")
REPORT_RATES = ("reach_rate", "delivery_rate", "booking_rate", "decline_rate", "unreachable_rate")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {"id": campaign.pk, "location": campaign.location_id, "name": campaign.name, "purpose": campaign.purpose,
            "status": campaign.status, "filters": {_camel(k): v for k, v in campaign.filters.items()},
            "channels": [c for c in services.CHANNELS if campaign.wording(c, "en")[1]],
            "costEmail": str(campaign.cost_email), "costSms": str(campaign.cost_sms),
            "windowDays": campaign.window_days, "waves": campaign.waves,
            "createdAt": campaign.created_at.isoformat()}


def report_json(report: dict[str, Any]) -> dict[str, Any]:
    return ({_camel(k): report[k] for k in REPORT_COUNTS} | {_camel(k): report[k] for k in REPORT_RATES}
            | {"cost": str(report["cost"]), "costPerBooking": None if report["cost_per_booking"] is None
               else str(report["cost_per_booking"]), "notContactableBecause": report["refusals"]})


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


@require_GET
@api_login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"items": [campaign_json(c) for c in selectors.campaigns_for_api(actor=_actor(request))]})


@require_GET
@api_login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.campaign_detail(actor=actor, campaign_id=pk)
    return JsonResponse(campaign_json(found) | {"report": report_json(selectors.campaign_report(
        actor=actor, campaign_id=found.pk))})


@require_POST
@api_login_required
def waves(request: HttpRequest, pk: int) -> HttpResponse:
    size = json_body(request, required=True).get("size")
    if not isinstance(size, int) or isinstance(size, bool):
        raise ValidationFailed("bad-wave-size", "size: a whole number.", fields={"size": ["A whole number."]})
    result = services.wave_send(actor=_actor(request), campaign_id=pk, size=size)
    return JsonResponse({"wave": result["wave"], "contacted": result["contacted"],
                         "notContactable": result["not_contactable"]}, status=201)


urlpatterns = [
    path("outreach-campaigns", campaigns, name="outreach-campaigns"),
    path("outreach-campaigns/<int:pk>", campaign, name="outreach-campaign"),
    path("outreach-campaigns/<int:pk>/waves", waves, name="outreach-campaign-waves"),
]

_PK = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
       "description": "The campaign's id."}
_COUNT = {"type": "integer", "minimum": 0}
_MONEY = {"type": "string", "pattern": r"^\d+(\.\d+)?$"}
describe("outreach-campaigns", paths={
    "/api/v1/outreach-campaigns": {"get": {
        "operationId": "outreachCampaignsList", "tags": ["outreach"], "security": [SESSION],
        "summary": "The outreach campaigns of the locations the caller works at, newest first.",
        "responses": ok("The campaigns.", "OutreachCampaignList") | errors("401", "403")}},
    "/api/v1/outreach-campaigns/{pk}": {"get": {
        "operationId": "outreachCampaignRead", "tags": ["outreach"], "security": [SESSION],
        "summary": "One campaign with its report: reach, responses (booked, declined, unreachable), rates, cost.",
        "parameters": [_PK],
        "responses": ok("The campaign.", "OutreachCampaignWithReport") | errors("401", "403", "404")}},
    "/api/v1/outreach-campaigns/{pk}/waves": {"post": {
        "operationId": "outreachCampaignWaveSend", "tags": ["outreach"], "security": [WRITE_AUTH],
        "summary": "Contact the next `size` members still waiting, each by the channel they agreed to for outreach.",
        "description": "Members no channel allows are recorded not contactable and get nothing. 409 "
                       "`campaign-not-approved` before the review or after the end, `nobody-waiting`; 422 "
                       "`bad-wave-size`.",
        "parameters": [_PK], "requestBody": body("OutreachCampaignWave"),
        "responses": ok("What the wave did.", "OutreachCampaignWaveResult", "201")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
}, schemas={
    "OutreachCampaign": {"type": "object", "required": ["id", "name", "status"], "properties": {
        "id": {"type": "integer"}, "location": {"type": "integer"}, "name": {"type": "string"},
        "purpose": {"type": "string"}, "status": {"type": "string", "enum": list(CampaignStatus.values)},
        "filters": {"type": "object"}, "channels": {"type": "array", "items": {"type": "string",
                                                                              "enum": list(services.CHANNELS)}},
        "costEmail": _MONEY, "costSms": _MONEY, "windowDays": {"type": "integer"}, "waves": _COUNT,
        "createdAt": {"type": "string", "format": "date-time"}}},
    "OutreachCampaignList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/OutreachCampaign"}}}},
    "OutreachCampaignReport": {"type": "object", "properties": {
        **{_camel(k): _COUNT for k in REPORT_COUNTS}, **{_camel(k): {"type": "number"} for k in REPORT_RATES},
        "cost": _MONEY, "costPerBooking": {"oneOf": [_MONEY, {"type": "null"}]},
        "notContactableBecause": {"type": "object", "additionalProperties": _COUNT}}},
    "OutreachCampaignWithReport": {"allOf": [{"$ref": "#/components/schemas/OutreachCampaign"}, {
        "type": "object", "properties": {"report": {"$ref": "#/components/schemas/OutreachCampaignReport"}}}]},
    "OutreachCampaignWave": {"type": "object", "required": ["size"], "properties": {
        "size": {"type": "integer", "minimum": 1, "maximum": services.MAX_WAVE}}},
    "OutreachCampaignWaveResult": {"type": "object", "required": ["wave", "contacted", "notContactable"],
                                   "properties": {"wave": _COUNT, "contacted": _COUNT, "notContactable": _COUNT}},
})
