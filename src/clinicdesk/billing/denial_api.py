"""Denials in the JSON API (/api/v1/, #19 item 7): the worklist grouped by reason, one denial, the replacement
claim, the appeal letter, the write-off asked, approved or refused, and the denial rate. Session sign-in with the
CSRF header; errors are problem details; amounts are strings ("120.00")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, TEXT, WRITE_AUTH, body, errors, ok

from . import claim_selectors, denial_selectors, services
from .money import parse_amount


def _denial(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    return denial_selectors.denial_as_json(denial_selectors.denial_detail(actor=request.user, claim_id=claim_id).denial)


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value or len(value) > limit:
        raise ValidationFailed("bad-field", _("'%(field)s' must be text of at most %(limit)s characters.")
                               % {"field": name, "limit": limit}, fields={name: [_("Text.")]})
    return value


@require_GET
@api_login_required
def denials(request: HttpRequest) -> JsonResponse:
    worklist = denial_selectors.denials_worklist(actor=request.user)
    return JsonResponse({
        "total": worklist.total, "amount": str(worklist.amount),
        "groups": [{"reason": g.code, "reason_label": g.words, "next_step": g.step, "next_step_label": g.step_label,
                    "amount": str(g.amount), "items": [denial_selectors.denial_as_json(d) for d in g.denials]}
                   for g in worklist.groups],
        "pending_write_offs": [denial_selectors.write_off_as_json(w) for w in worklist.pending]})


@require_GET
@api_login_required
def denial(request: HttpRequest, claim_id: int) -> JsonResponse:
    return JsonResponse(_denial(request, claim_id))


@require_POST
@api_login_required
def resubmit(request: HttpRequest, claim_id: int) -> JsonResponse:
    json_body(request)
    new = services.claim_replace(actor=request.user, claim_id=claim_id)
    return JsonResponse(claim_selectors.claim_as_json(new), status=201)


@require_POST
@api_login_required
def appeal(request: HttpRequest, claim_id: int) -> JsonResponse:
    data = json_body(request)
    language = _text(data, "language", 8)
    letter = services.appeal_letter_create(actor=request.user, claim_id=claim_id, language=language,
                                           note=_text(data, "note", 1000))
    return JsonResponse({"id": letter.pk, "claim_id": letter.claim_id, "document_id": letter.document_id,
                         "language": letter.language, "created_at": letter.created_at.isoformat()}, status=201)


@require_POST
@api_login_required
def write_off(request: HttpRequest, claim_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    raw = data.get("amount")
    if not isinstance(raw, str):
        raise ValidationFailed("bad-field", _("'amount' is a string like \"25.00\"."), fields={"amount": [_("Text.")]})
    made = services.write_off_request(actor=request.user, claim_id=claim_id, amount=parse_amount(raw),
                                      note=_text(data, "note", 300))
    return JsonResponse(denial_selectors.write_off_as_json(made), status=201)


@require_POST
@api_login_required
def write_off_decide(request: HttpRequest, write_off_id: int, decision: str) -> JsonResponse:
    data = json_body(request)
    note = _text(data, "note", 300)
    if decision == "approve":
        done = services.write_off_approve(actor=request.user, write_off_id=write_off_id, note=note)
    else:
        done = services.write_off_refuse(actor=request.user, write_off_id=write_off_id, note=note)
    return JsonResponse(denial_selectors.write_off_as_json(done))


def _date(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationFailed("bad-field", _("'%(field)s' must be a date (YYYY-MM-DD).") % {"field": name},
                               fields={name: [_("A date.")]}) from error


@require_GET
@api_login_required
def denial_rate(request: HttpRequest) -> JsonResponse:
    today = dt.date.today()
    start, end = _date(request, "start", today - dt.timedelta(days=90)), _date(request, "end", today)
    if start > end:
        raise ValidationFailed("bad-range", _("'start' is after 'end'."), fields={"start": [_("After the end.")]})
    rate = denial_selectors.denial_rate(actor=request.user, start=start, end=end)

    def row(r: denial_selectors.RateRow, key: str) -> dict[str, Any]:
        return {key: r.key, "label": r.label, "adjudicated": r.adjudicated, "denied": r.denied, "rate": str(r.rate)}

    return JsonResponse({"start": start.isoformat(), "end": end.isoformat(),
                         "adjudicated": rate.total.adjudicated, "denied": rate.total.denied,
                         "rate": str(rate.total.rate),
                         "by_payer": [row(r, "payer_id") for r in rate.by_payer],
                         "by_reason": [row(r, "reason") for r in rate.by_reason]})


# --- OpenAPI -------------------------------------------------------------------------------------------------------

def _op(op: str, summary: str, *, method: str = "post", params: list[dict[str, Any]] | None = None,
        request: str | None = None, answer: str = "Denial", status: str = "200") -> dict[str, Any]:
    read = method == "get"
    operation: dict[str, Any] = {
        "operationId": op, "tags": ["denials"], "security": [SESSION] if read else [WRITE_AUTH], "summary": summary,
        "parameters": params or [],
        "responses": ok(summary, answer, status) | errors(*(("400", "401", "403", "404", "422") if read else
                                                            ("400", "401", "403", "404", "409", "415", "422")))}
    if request:
        operation["requestBody"] = body(request) | {"required": request == "DenialWriteOffAsk"}
    return operation


def _param(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": f"The {what}'s id."}


_AMOUNT = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_WRITE_OFF = {"type": "object", "required": ["id", "claim_id", "amount", "status"], "properties": {
    "id": ID, "claim_id": ID, "amount": _AMOUNT, "status": {"type": "string", "enum": ["requested", "approved",
                                                                                       "refused"]},
    "status_label": TEXT, "reason": TEXT, "note": TEXT, "requested_at": TEXT,
    "decided_at": {"type": ["string", "null"]}, "ledger_entry_id": {"type": ["integer", "null"]}}}
_DENIAL = {"type": "object", "required": ["claim_id", "claim_number", "amount", "reason", "next_step"],
           "properties": {
               "claim_id": ID, "claim_number": TEXT, "status": TEXT, "status_label": TEXT, "patient_id": ID,
               "payer": {"type": "object", "properties": {"id": ID, "name": TEXT}}, "date_of_service": _DATE,
               "payer_claim_number": {"type": ["string", "null"]}, "source": {"type": "string",
                                                                              "enum": ["835", "277ca"]},
               "amount": _AMOUNT, "reason": TEXT,
               "reasons": {"type": "array", "items": {"type": "object", "properties": {"code": TEXT, "text": TEXT}}},
               "next_step": {"type": "string", "enum": ["resubmit", "appeal", "write-off", "correct"]},
               "next_step_label": TEXT, "write_off": {"oneOf": [_WRITE_OFF, {"type": "null"}]},
               "appeal_letters": {"type": "array", "items": {"type": "object"}}}}
_RATE_ROW = {"type": "object", "properties": {"payer_id": TEXT, "reason": TEXT, "label": TEXT,
                                              "adjudicated": {"type": "integer"}, "denied": {"type": "integer"},
                                              "rate": _AMOUNT}}
_CLAIM_ID = [_param("claim_id", "denied claim")]
_NOTE = {"type": "string", "maxLength": 300, "pattern": "^[^\u0000]*$"}

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/denials": {
        "get": _op("denialList", "Open denials of the user's locations grouped by reason, with the next step.",
                   method="get", answer="DenialWorklist")},
    "/api/v1/denials/{claim_id}": {
        "get": _op("denialRead", "One denial: its reasons in words, next step, write-off and appeal letters.",
                   method="get", params=_CLAIM_ID)},
    "/api/v1/denials/{claim_id}/resubmit": {
        "post": _op("denialResubmit", "Make the replacement claim (frequency 7, the payer's claim number in REF*F8).",
                    params=_CLAIM_ID, answer="Claim", status="201")},
    "/api/v1/denials/{claim_id}/appeal-letters": {
        "post": _op("denialAppeal", "Write the appeal letter (PDF, English or Spanish) onto the patient's documents.",
                    params=_CLAIM_ID, request="DenialAppeal", answer="DenialAppealLetter", status="201")},
    "/api/v1/denials/{claim_id}/write-offs": {
        "post": _op("denialWriteOffAsk", "Ask to write off the denied amount (posted only when approved).",
                    params=_CLAIM_ID, request="DenialWriteOffAsk", answer="DenialWriteOff", status="201")},
    "/api/v1/denial-write-offs/{write_off_id}/approve": {
        "post": _op("denialWriteOffApprove", "Approve a write-off someone else asked: the adjustment is posted once.",
                    params=[_param("write_off_id", "write-off")], request="DenialDecision",
                    answer="DenialWriteOff")},
    "/api/v1/denial-write-offs/{write_off_id}/refuse": {
        "post": _op("denialWriteOffRefuse", "Refuse a write-off: nothing is posted.",
                    params=[_param("write_off_id", "write-off")], request="DenialDecision",
                    answer="DenialWriteOff")},
    "/api/v1/denial-rate": {
        "get": _op("denialRate", "Denied claims / claims adjudicated in a date range, by payer and by reason.",
                   method="get", answer="DenialRate",
                   params=[{"name": n, "in": "query", "required": False, "schema": _DATE} for n in ("start", "end")])},
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "Denial": _DENIAL,
    "DenialWriteOff": _WRITE_OFF,
    "DenialWorklist": {"type": "object", "required": ["groups"], "properties": {
        "total": {"type": "integer"}, "amount": _AMOUNT,
        "groups": {"type": "array", "items": {"type": "object", "properties": {
            "reason": TEXT, "reason_label": TEXT, "next_step": TEXT, "next_step_label": TEXT, "amount": _AMOUNT,
            "items": {"type": "array", "items": _DENIAL}}}},
        "pending_write_offs": {"type": "array", "items": _WRITE_OFF}}},
    "DenialAppeal": {"type": "object", "properties": {"language": {"type": "string", "enum": ["", "en", "es"]},
                                                      "note": {"type": "string", "maxLength": 1000,
                                                               "pattern": "^[^\u0000]*$"}}},
    "DenialAppealLetter": {"type": "object", "properties": {"id": ID, "claim_id": ID, "document_id": ID,
                                                            "language": TEXT, "created_at": TEXT}},
    "DenialWriteOffAsk": {"type": "object", "required": ["amount"], "properties": {
        "amount": {"type": "string", "pattern": "^[0-9]{1,5}(\\.[0-9]{1,2})?$"}, "note": _NOTE}},
    "DenialDecision": {"type": "object", "properties": {"note": _NOTE}},
    "DenialRate": {"type": "object", "properties": {
        "start": _DATE, "end": _DATE, "adjudicated": {"type": "integer"}, "denied": {"type": "integer"},
        "rate": _AMOUNT, "by_payer": {"type": "array", "items": _RATE_ROW},
        "by_reason": {"type": "array", "items": _RATE_ROW}}},
}
