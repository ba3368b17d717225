"""The eligibility JSON API (/api/v1/eligibility/...): verify a coverage, read a result, read a coverage's latest
result. Session sign-in with the CSRF header for the POST, like the pages; errors are RFC 9457 problem details.
Amounts are decimal strings (never floats)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicdesk.core.api import api_actor, api_login_required, json_body, object_view
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, WRITE_AUTH, body, errors, ok, optional

from . import selectors, services
from .models import EligibilityChannel, EligibilityResult, EligibilityStatus
from .x12 import codes


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def result_json(result: EligibilityResult) -> dict[str, Any]:
    return {
        "id": result.pk, "status": result.status, "failure": result.failure or None,
        "failureDetail": result.failure_detail or None, "channel": result.channel, "coverage": result.coverage_id,
        "patient": result.patient_id, "appointment": result.appointment_id, "traceNumber": result.trace_number,
        "serviceDate": result.service_date.isoformat(), "serviceTypes": list(result.service_types),
        "payer": result.payer_name, "memberId": result.member_id, "plan": result.plan or None,
        "groupNumber": result.group_number or None,
        "planBegin": result.plan_begin.isoformat() if result.plan_begin else None,
        "planEnd": result.plan_end.isoformat() if result.plan_end else None,
        "copay": _money(result.copay), "coinsurancePercent": _money(result.coinsurance_percent),
        "deductibleRemaining": _money(result.deductible_remaining),
        "outOfPocketRemaining": _money(result.out_of_pocket_remaining),
        "rejections": [{"code": r.get("code"), "action": r.get("action"), "level": r.get("level"),
                        "reason": codes.word(codes.REJECT_REASON, r.get("code", "")),
                        "followUp": codes.word(codes.FOLLOW_UP, r.get("action", ""))} for r in result.rejections],
        "benefits": [{"info": b.info, "coverageLevel": b.coverage_level or None, "serviceTypes": b.service_types,
                      "insuranceType": b.insurance_type or None, "plan": b.plan or None, "period": b.period or None,
                      "amount": _money(b.amount), "percent": _money(b.percent), "inNetwork": b.in_network}
                     for b in result.benefits.all()],
        "requestedAt": result.requested_at.isoformat(),
        "answeredAt": result.answered_at.isoformat() if result.answered_at else None,
        "ageDays": selectors.result_age_days(result),
    }


def _id(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**63 - 1:
        raise ValidationFailed("bad-field", _("'%(name)s' must be a record id.") % {"name": name},
                               fields={name: [_("Not an id.")]})
    return value


@require_POST
@api_login_required
def verify(request: HttpRequest) -> JsonResponse:
    """{coverage | patient | appointment, [channel, serviceDate]}: ask the payer now (real time: the answer is in
    the reply; batch channels: status pending)."""
    data = json_body(request, required=True)
    channel = data.get("channel")
    if channel is not None and channel not in EligibilityChannel.values:
        raise ValidationFailed("bad-channel", _("Choose a channel: real time, SFTP or local folder."),
                               fields={"channel": [_("Unknown channel.")]})
    service_date = None
    if (text := data.get("serviceDate")) is not None:
        try:
            service_date = dt.date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
        except ValueError:
            service_date = None
        if service_date is None or not 1900 <= service_date.year <= 8999:
            raise ValidationFailed("bad-date", _("'serviceDate' must be a date (YYYY-MM-DD)."),
                                   fields={"serviceDate": [_("Not a date.")]})
    coverage, patient, appointment = _id(data, "coverage"), _id(data, "patient"), _id(data, "appointment")
    if coverage is None and patient is None and appointment is None:
        raise ValidationFailed("missing-field", _("Name a coverage, a patient or an appointment."),
                               fields={"coverage": [_("Required.")]})
    result = services.eligibility_verify(actor=api_actor(request), coverage_id=coverage, patient_id=patient,
                                         appointment_id=appointment, channel=channel or services.default_channel(),
                                         service_date=service_date)
    return JsonResponse(result_json(result), status=201)


result = object_view("GET", selectors.eligibility_result_detail, result_json, id_arg="result_id")
latest = object_view("GET", selectors.eligibility_latest, result_json, id_arg="coverage_id")


def _path_id(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": what}


_NULL_STRING = {"type": ["string", "null"]}
_DECIMAL = {"type": ["string", "null"], "description": "A decimal number as text (money: two places)."}

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/eligibility/verify": {"post": {
        "operationId": "eligibilityVerify", "tags": ["eligibility"], "security": [WRITE_AUTH],
        "summary": "Check a coverage with the payer (X12 270/271 through the clearinghouse).",
        "description": "Name a coverage, a patient (their first coverage active on the day) or an appointment "
                       "(its patient, its date, its type's service types). Real time: the payer's answer is in "
                       "the reply (status active, inactive, rejected, failed or mismatch; never active unless the "
                       "payer said so). Batch channels: status pending until the answers are collected.",
        "requestBody": body("EligibilityVerify"),
        "responses": ok("The stored result.", "EligibilityResult", "201")
        | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/eligibility/results/{result_id}": {"get": {
        "operationId": "eligibilityResult", "tags": ["eligibility"], "security": [SESSION],
        "summary": "One eligibility result with its benefits.",
        "parameters": [_path_id("result_id", "The result's id.")],
        "responses": ok("The result.", "EligibilityResult") | errors("401", "403", "404")}},
    "/api/v1/eligibility/coverages/{coverage_id}/latest": {"get": {
        "operationId": "eligibilityLatest", "tags": ["eligibility"], "security": [SESSION],
        "summary": "The newest eligibility result of a coverage.",
        "parameters": [_path_id("coverage_id", "The coverage's id.")],
        "responses": ok("The newest result.", "EligibilityResult") | errors("401", "403", "404")}},
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "EligibilityVerify": {
        "type": "object", "description": "At least one of coverage, patient, appointment. Null is the same as "
                                         "leaving a member out; members not listed are ignored.",
        "properties": {
            "coverage": optional(ID), "patient": optional(ID), "appointment": optional(ID),
            "channel": optional({"type": "string", "enum": list(EligibilityChannel.values),
                                 "description": "realtime, sftp or folder; left out: real time when the "
                                                "practice has a real-time clearinghouse, else its batch channel."}),
            "serviceDate": optional({"type": "string", "format": "date"}),
        }},
    "EligibilityResult": {"type": "object", "required": ["id", "status", "serviceDate", "benefits", "rejections"],
                          "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": list(EligibilityStatus.values)},
        "failure": {"type": ["string", "null"], "enum": ["timeout", "transport", "refused", "malformed", "mismatch",
                                                         None]},
        "failureDetail": _NULL_STRING, "channel": {"type": "string"}, "coverage": {"type": ["integer", "null"]},
        "patient": {"type": "integer"}, "appointment": {"type": ["integer", "null"]},
        "traceNumber": {"type": "string"}, "serviceDate": {"type": "string", "format": "date"},
        "serviceTypes": {"type": "array", "items": {"type": "string"}}, "payer": {"type": "string"},
        "memberId": {"type": "string"}, "plan": _NULL_STRING, "groupNumber": _NULL_STRING,
        "planBegin": _NULL_STRING, "planEnd": _NULL_STRING, "copay": _DECIMAL, "coinsurancePercent": _DECIMAL,
        "deductibleRemaining": _DECIMAL, "outOfPocketRemaining": _DECIMAL,
        "rejections": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "action": {"type": "string"}, "level": {"type": "string"},
            "reason": {"type": "string"}, "followUp": {"type": "string"}}}},
        "benefits": {"type": "array", "items": {"type": "object", "properties": {
            "info": {"type": "string"}, "coverageLevel": _NULL_STRING,
            "serviceTypes": {"type": "array", "items": {"type": "string"}}, "insuranceType": _NULL_STRING,
            "plan": _NULL_STRING, "period": _NULL_STRING, "amount": _DECIMAL, "percent": _DECIMAL,
            "inNetwork": {"type": ["boolean", "null"]}}}},
        "requestedAt": {"type": "string", "format": "date-time"},
        "answeredAt": {"type": ["string", "null"], "format": "date-time"}, "ageDays": {"type": "integer"}}},
}
