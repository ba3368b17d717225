"""Compliance in the JSON API (/api/v1/): the dashboard of clocks at a location, logging a complaint and
reporting an incident (any staff member), marking a grievance. The services decide everything."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import ApiField

from . import selectors, services
from .models import Channel, Complaint, ComplaintTopic, GrievanceBasis, Incident, IncidentKind, Severity


def _parse(fields: tuple[ApiField, ...], data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        raw = data.get(field.name)
        if raw is None:
            if field.required:
                raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": field.name},
                                       fields={field.name: [_("Required.")]})
            continue
        values[field.attr] = field.parse(raw)
    return values


def _moment(data: dict[str, Any], name: str) -> dt.datetime | None:
    raw = data.get(name)
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:  # well formed but impossible, e.g. minute 99
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed("bad-field", _("'%(name)s' must be a date and time with its offset.") % {"name": name},
                               fields={name: [_("Must be an ISO 8601 date and time with an offset.")]})
    return moment


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@require_GET
@api_login_required
def dashboard(request: HttpRequest, location_id: int) -> HttpResponse:
    board = selectors.compliance_dashboard(actor=cast(Actor, request.user), location_id=location_id)

    def item(c: selectors.Clock) -> dict[str, Any]:
        return {"area": c.area, "reference": c.ref, "what": str(c.what), "dueOn": _day(c.due_on),
                "doneOn": _day(c.done_on), "state": c.state, "daysLeft": c.days_left}

    return JsonResponse({"location": location_id, "today": board.today.isoformat(), "counts": board.counts,
                         "open": [item(c) for c in board.clocks], "late": [item(c) for c in board.late]})


def complaint_json(c: Complaint) -> dict[str, Any]:
    return {"id": c.pk, "reference": str(c), "location": c.location_id, "patient": c.patient_id,
            "channel": c.channel, "topic": c.topic, "status": c.status, "receivedAt": c.received_at.isoformat(),
            "highLevel": c.high_level, "escalated": c.escalated_at is not None,
            "acknowledgementDue": _day(c.ack_due_on), "acknowledgementSent": _day(c.ack_sent_on),
            "resolutionDue": _day(c.resolution_due_on), "resolutionSent": _day(c.resolution_sent_on)}


_COMPLAINT = (ApiField.ref("location", required=True), ApiField.text("patientMrn", required=True, max_length=12),
              ApiField.choice("channel", Channel.values, required=True),
              ApiField.choice("topic", ComplaintTopic.values, required=True),
              ApiField.text("summary", required=True, max_length=4000), ApiField.flag("highLevel"),
              ApiField.text("idempotencyKey", max_length=64))


@require_POST
@api_login_required
def complaints(request: HttpRequest) -> HttpResponse:
    data = json_body(request, required=True)
    values = _parse(_COMPLAINT, data)
    key = values.pop("idempotency_key", "") or request.headers.get("Idempotency-Key", "")
    complaint = services.complaint_log(actor=cast(Actor, request.user), received_at=_moment(data, "receivedAt"),
                                       idempotency_key=key[:64], **values)
    return JsonResponse(complaint_json(complaint), status=201)


@require_POST
@api_login_required
def grievance(request: HttpRequest, pk: int) -> HttpResponse:
    values = _parse((ApiField.choice("basis", GrievanceBasis.values, required=True),), json_body(request,
                                                                                                 required=True))
    complaint = services.grievance_mark(actor=cast(Actor, request.user), complaint_id=pk, **values)
    return JsonResponse(complaint_json(complaint))


_INCIDENT = (ApiField.ref("location", required=True), ApiField.choice("kind", IncidentKind.values, required=True),
             ApiField.choice("severity", Severity.values, required=True),
             ApiField.text("what", required=True, max_length=2000), ApiField.text("place", required=True,
                                                                                   max_length=120),
             ApiField.text("staffInvolved", max_length=300), ApiField.text("patientMrn", max_length=12),
             ApiField.text("idempotencyKey", max_length=64))


def incident_json(i: Incident) -> dict[str, Any]:
    return {"id": i.pk, "reference": str(i), "location": i.location_id, "kind": i.kind, "severity": i.severity,
            "status": i.status, "occurredAt": i.occurred_at.isoformat(), "place": i.place,
            "patient": i.patient_id}


@require_POST
@api_login_required
def incidents(request: HttpRequest) -> HttpResponse:
    data = json_body(request, required=True)
    values = _parse(_INCIDENT, data)
    key = values.pop("idempotency_key", "") or request.headers.get("Idempotency-Key", "")
    incident = services.incident_report(actor=cast(Actor, request.user), occurred_at=_moment(data, "occurredAt"),
                                        idempotency_key=key[:64], **values)
    return JsonResponse(incident_json(incident), status=201)
