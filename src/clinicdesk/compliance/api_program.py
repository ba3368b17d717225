"""The compliance program in the JSON API (/api/v1/): the calendar at a location, adding a recurring duty,
recording an occurrence done (with an evidence note), acknowledging a policy version. The services decide."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import ApiField

from . import selectors_program, services
from .api import _day, _parse
from .models import Occurrence, Recurrence


def occurrence_json(o: Occurrence) -> dict[str, Any]:
    return {"id": o.pk, "duty": o.duty_id, "dueOn": _day(o.due_on), "owner": o.owner_id, "doneOn": _day(o.done_on),
            "evidenceNote": o.evidence_note, "escalated": o.escalated_at is not None}


@require_GET
@api_login_required
def calendar(request: HttpRequest, location_id: int) -> HttpResponse:
    found = selectors_program.compliance_calendar(actor=cast(Actor, request.user), location_id=location_id)
    return JsonResponse({"location": location_id, "today": found.today.isoformat(), "due": [
        {"area": str(r.area_label), "title": str(r.title), "owner": r.owner, "dueOn": r.due_on.isoformat(),
         "state": r.state, "daysLeft": r.days_left, "escalated": r.escalated,
         "occurrence": r.occurrence.pk if r.occurrence else None} for r in found.rows]})


_DUTY = (ApiField.ref("location", required=True), ApiField.text("title", required=True, max_length=160),
         ApiField.ref("owner", required=True), ApiField.choice("recurrence", Recurrence.values, required=True),
         ApiField.date("startsOn", required=True))


@require_POST
@api_login_required
def duties(request: HttpRequest) -> HttpResponse:
    values = _parse(_DUTY, json_body(request, required=True))
    duty = services.duty_add(actor=cast(Actor, request.user), **values)
    return JsonResponse(occurrence_json(duty.occurrences.get()), status=201)


_DONE = (ApiField.date("doneOn", required=True), ApiField.text("evidenceNote", required=True, max_length=500))


@require_POST
@api_login_required
def occurrence_complete(request: HttpRequest, pk: int) -> HttpResponse:
    values = _parse(_DONE, json_body(request, required=True))
    done = services.occurrence_complete(actor=cast(Actor, request.user), occurrence_id=pk, **values)
    return JsonResponse(occurrence_json(done))


@require_POST
@api_login_required
def policy_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    ack = services.policy_acknowledge(actor=cast(Actor, request.user), version_id=pk)
    return JsonResponse({"version": ack.version_id, "acknowledgedAt": ack.acknowledged_at.isoformat()
                         if ack.acknowledged_at else None})
