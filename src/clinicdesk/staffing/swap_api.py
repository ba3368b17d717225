"""Shift swaps, open shifts and training in the JSON API (/api/v1/...): offer a shift, take, approve, decline and
withdraw a swap, claim an open shift, list the trainings and record a completion (no certificate: the screen takes
the file). Described operations (api_urls.py); the services decide everything, and a swap that breaks a hard rule
is a 422 `swap-breaks-rule` whose `rule` names it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_actor, api_login_required, json_body, object_view
from clinicdesk.core.resources import ApiField, parse_members

from . import swap_selectors, swap_services, training_selectors, training_services
from .models import ShiftSwap, TrainingRecord

_OFFER_FIELDS = (ApiField.ref("assignment", required=True), ApiField.ref("offeredTo"),
                 ApiField.text("note", max_length=300))
_CLAIM_FIELDS = (ApiField.ref("roster", required=True), ApiField.date("date", required=True),
                 ApiField.ref("shiftType", required=True), ApiField.ref("skill"))
_RECORD_FIELDS = (ApiField.ref("user", required=True), ApiField.ref("training", required=True),
                  ApiField.date("completedOn", required=True), ApiField.text("note", max_length=300))


def swap_json(swap: ShiftSwap) -> dict[str, Any]:
    return {"id": swap.pk, "roster": swap.roster_id, "kind": swap.kind, "date": swap.date.isoformat(),
            "shiftType": swap.shift_type_id, "skill": swap.skill_id, "fromStaff": swap.from_staff_id,
            "offeredTo": swap.offered_to_id, "takenBy": swap.taken_by_id, "status": swap.status, "note": swap.note,
            "decisionNote": swap.decision_note}


def record_json(record: TrainingRecord) -> dict[str, Any]:
    return {"id": record.pk, "user": record.user_id, "training": record.training_id,
            "completedOn": record.completed_on.isoformat(), "validUntil": record.valid_until.isoformat(),
            "hasCertificate": bool(record.evidence), "note": record.note}


@require_POST
@api_login_required
def swap_offer(request: HttpRequest) -> HttpResponse:
    values = parse_members(_OFFER_FIELDS, json_body(request, required=True))
    made = swap_services.swap_offer(actor=api_actor(request), **values)
    return JsonResponse(swap_json(made), status=201)


swap_item = object_view("GET", swap_selectors.swap_detail, swap_json, id_arg="swap_id")
swap_take = object_view("POST", swap_services.swap_take, swap_json, id_arg="swap_id")
swap_approve = object_view("POST", swap_services.swap_approve, swap_json, id_arg="swap_id")


@require_POST
@api_login_required
def swap_decline(request: HttpRequest, pk: int) -> HttpResponse:
    data = json_body(request) or {}
    note = data.get("note") if isinstance(data, dict) else None
    return JsonResponse(swap_json(swap_services.swap_decline(actor=api_actor(request), swap_id=pk,
                                                             note=note if isinstance(note, str) else "")))


swap_cancel = object_view("POST", swap_services.swap_cancel, swap_json, id_arg="swap_id")


@require_POST
@api_login_required
def open_shift_claim(request: HttpRequest) -> HttpResponse:
    values = parse_members(_CLAIM_FIELDS, json_body(request, required=True))
    made = swap_services.open_shift_claim(actor=api_actor(request), **values)
    return JsonResponse(swap_json(made), status=201)


@require_GET
@api_login_required
def trainings(request: HttpRequest) -> HttpResponse:
    found = training_selectors.trainings_list(actor=api_actor(request))
    return JsonResponse({"items": [{
        "id": t.pk, "code": t.code, "name": t.name, "validMonths": t.valid_months, "roles": list(t.roles or []),
        "skills": [s.pk for s in t.skills.all()], "shiftTypes": [s.pk for s in t.shift_types.all()]}
        for t in found]})


@require_POST
@api_login_required
def training_record_create(request: HttpRequest) -> HttpResponse:
    values = parse_members(_RECORD_FIELDS, json_body(request, required=True))
    made = training_services.training_record_create(actor=api_actor(request), **values)
    return JsonResponse(record_json(made), status=201)
