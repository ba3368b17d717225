"""Leave in the JSON API (/api/v1/leave...): list and ask, approve, decline, cancel, the cover proposals of a
provider's approved leave and applying them. Described operations (leave_api_urls in api_urls.py); the services
decide everything. Proposals carry ids and times only, no patient data."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import ApiField, parse_members
from clinicdesk.practice.selectors import locations_for

from . import leave_selectors, leave_services
from .leave_services import CoverMove
from .models import LeaveKind, LeaveRequest, LeaveStatus

_ASK_FIELDS = (ApiField.choice("kind", LeaveKind.values, required=True), ApiField.date("firstDay", required=True),
               ApiField.date("lastDay", required=True), ApiField.text("note", max_length=300),
               ApiField.ref("user"), ApiField.ref("practitioner"), ApiField.ref("location"))
_MOVE_FIELDS = (ApiField.ref("appointment", required=True), ApiField.datetime("start", required=True),
                ApiField.ref("practitioner", required=True))


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def leave_json(leave: LeaveRequest) -> dict[str, Any]:
    return {"id": leave.pk, "user": leave.user_id, "practitioner": leave.practitioner_id,
            "location": leave.location_id, "kind": leave.kind, "firstDay": leave.first_day.isoformat(),
            "lastDay": leave.last_day.isoformat(), "note": leave.note, "status": leave.status,
            "decidedAt": leave.decided_at.isoformat() if leave.decided_at else None,
            "decisionNote": leave.decision_note}


@require_http_methods(["GET", "POST"])
@api_login_required
def leave_collection(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method == "POST":
        values = parse_members(_ASK_FIELDS, json_body(request, required=True))
        made = leave_services.leave_request(actor=actor, **values)
        return JsonResponse(leave_json(made), status=201)
    raw = request.GET.get("location")
    location = None
    if raw is not None:
        if not raw.isdigit():
            raise ValidationFailed("bad-location", "location must be a location id.")
        location = next((loc for loc in locations_for(actor) if loc.pk == int(raw)), None)
        if location is None:
            raise NotFound()
    status = request.GET.get("status")
    if status is not None and status not in LeaveStatus.values:
        raise ValidationFailed("bad-status", "status must be one of " + ", ".join(LeaveStatus.values) + ".",
                               fields={"status": ["Not a leave status."]})
    found = leave_selectors.leave_list(actor=actor, location=location, status=status or "")
    return JsonResponse({"items": [leave_json(leave) for leave in found]})


@require_GET
@api_login_required
def leave_item(request: HttpRequest, pk: int) -> HttpResponse:
    return JsonResponse(leave_json(leave_selectors.leave_get(actor=_actor(request), leave_id=pk)))


@require_POST
@api_login_required
def leave_approve(request: HttpRequest, pk: int) -> HttpResponse:
    data = json_body(request) or {}
    return JsonResponse(leave_json(leave_services.leave_approve(actor=_actor(request), leave_id=pk,
                                                                note=str(data.get("note") or ""))))


@require_POST
@api_login_required
def leave_decline(request: HttpRequest, pk: int) -> HttpResponse:
    data = json_body(request) or {}
    return JsonResponse(leave_json(leave_services.leave_decline(actor=_actor(request), leave_id=pk,
                                                                note=str(data.get("note") or ""))))


@require_POST
@api_login_required
def leave_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return JsonResponse(leave_json(leave_services.leave_cancel(actor=_actor(request), leave_id=pk)))


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@require_GET
@api_login_required
def leave_cover_proposals(request: HttpRequest, pk: int) -> HttpResponse:
    proposals = leave_selectors.leave_cover_proposals(actor=_actor(request), leave_id=pk)
    return JsonResponse({"items": [{
        "appointment": p.appointment.pk, "bookedFor": p.appointment.start.isoformat(), "proposal": p.kind,
        "start": _iso(p.option.start if p.option else None), "end": _iso(p.option.end if p.option else None),
        "practitioner": p.option.practitioner.pk if p.option else None} for p in proposals]})


@require_POST
@api_login_required
def leave_cover_apply(request: HttpRequest, pk: int) -> HttpResponse:
    data = json_body(request, required=True)
    raw = data.get("moves")
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ValidationFailed("bad-moves", "moves must be a list of {appointment, start, practitioner}.",
                               fields={"moves": ["A list of objects."]})
    moves = []
    for item in raw:
        values = parse_members(_MOVE_FIELDS, item)
        moves.append(CoverMove(values["appointment_id"], values["start"], values["practitioner_id"]))
    report = leave_services.leave_cover_apply(actor=_actor(request), leave_id=pk, moves=moves)
    return JsonResponse({"moved": report.moved})
