"""Estimates in the JSON API (/api/v1/, #19 item 10): a patient's estimates, making one (a cost estimate, or the
Good Faith Estimate for a patient without coverage or paying for themself), one estimate, signing it (or marking
it received) and its PDF; the CMS-1500 of a claim is documented here too. Session sign-in with the CSRF header;
errors are problem details; amounts are strings ("120.00")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, TEXT, WRITE_AUTH, body, errors, ok

from . import estimate_selectors
from .estimate_models import EstimateKind, EstimateStatus, SignatureMethod
from .services import estimates


def _bad(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("bad-field", message, fields={field: [message]})


def _id(data: dict[str, Any], field: str) -> int | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 2**31:
        raise _bad(field, _("'%(field)s' must be a record id.") % {"field": field})
    return value


def _text(data: dict[str, Any], field: str, limit: int) -> str:
    value = data.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value or len(value) > limit:
        raise _bad(field, _("'%(field)s' must be text of at most %(n)s characters.") % {"field": field, "n": limit})
    return value


def _lines(data: dict[str, Any]) -> list[estimates.EstimateLine]:
    raw = data.get("lines", [])
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > estimates.MAX_LINES:
        raise _bad("lines", _("'lines' must be a list of at most 20 services."))
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise _bad("lines", _("Each line is an object with a code."))
        units = item.get("units", 1)
        if not isinstance(units, int) or isinstance(units, bool):
            raise _bad("lines", _("'units' must be a number."))
        out.append(estimates.EstimateLine(_text(item, "code", 5), _text(item, "modifiers", 11), units))
    return out


def _create_args(data: dict[str, Any]) -> dict[str, Any]:
    diagnoses = data.get("diagnoses", [])
    if diagnoses is None:
        diagnoses = []
    if not isinstance(diagnoses, list) or len(diagnoses) > 12 or not all(
            isinstance(d, str) and len(d) <= 8 and "\x00" not in d for d in diagnoses):
        raise _bad("diagnoses", _("'diagnoses' must be a list of at most 12 ICD-10-CM codes."))
    self_pay = data.get("self_pay", False)
    if not isinstance(self_pay, bool):
        raise _bad("self_pay", _("'self_pay' must be true or false."))
    language = _text(data, "language", 2)
    if language and language not in estimates.LANGUAGES:
        raise _bad("language", _("'language' is en or es."))
    raw_day = _text(data, "service_date", 10)
    try:
        day = dt.date.fromisoformat(raw_day) if raw_day else None
    except ValueError as error:
        raise _bad("service_date", _("'service_date' must be a date (YYYY-MM-DD).")) from error
    key = _text(data, "idempotency_key", 64)
    if not key:
        raise _bad("idempotency_key", _("'idempotency_key' is required."))
    return {"appointment_id": _id(data, "appointment_id"), "location_id": _id(data, "location_id"),
            "lines": _lines(data), "diagnoses": diagnoses, "self_pay": self_pay, "language": language,
            "service_date": day, "idempotency_key": key}


@require_http_methods(["GET", "POST"])
@api_login_required
def patient_estimates(request: HttpRequest, patient_id: int) -> JsonResponse:
    if request.method == "POST":
        args = _create_args(json_body(request, required=True))
        made = estimates.estimate_create(actor=request.user, patient_id=patient_id, **args)
        return JsonResponse(estimate_selectors.estimate_as_json(
            estimate_selectors.estimate_detail(actor=request.user, estimate_id=made.pk)), status=201)
    found = estimate_selectors.patient_estimates(actor=request.user, patient_id=patient_id)
    return JsonResponse({"items": [estimate_selectors.estimate_as_json(e) for e in found.estimates]})


@require_GET
@api_login_required
def estimate(request: HttpRequest, estimate_id: int) -> JsonResponse:
    return JsonResponse(estimate_selectors.estimate_as_json(
        estimate_selectors.estimate_detail(actor=request.user, estimate_id=estimate_id)))


@require_POST
@api_login_required
def estimate_sign(request: HttpRequest, estimate_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    method = _text(data, "method", 10)
    if method not in SignatureMethod.values:
        raise _bad("method", _("'method' is signed or received."))
    done = estimates.estimate_sign(actor=request.user, estimate_id=estimate_id, method=method,
                                   signed_name=_text(data, "signed_name", 120))
    return JsonResponse(estimate_selectors.estimate_as_json(done))


@require_GET
@api_login_required
def estimate_pdf(request: HttpRequest, estimate_id: int) -> HttpResponse:
    data, name = estimate_selectors.estimate_file(actor=request.user, estimate_id=estimate_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- OpenAPI -------------------------------------------------------------------------------------------------------

def _param(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": f"The {what}'s id."}


_READ_ERRORS = ("401", "403", "404", "422")
_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")
_PDF = {"200": {"description": "The PDF.", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}}
_AMOUNT = {"type": "string"}
_ESTIMATE = {"type": "object", "required": ["id", "number", "kind", "status", "lines", "patient_total"],
             "properties": {
                 "id": ID, "number": TEXT, "kind": {"type": "string", "enum": list(EstimateKind.values)},
                 "kind_label": TEXT, "status": {"type": "string", "enum": list(EstimateStatus.values)},
                 "status_label": TEXT, "patient_id": ID, "appointment_id": {"type": ["integer", "null"]},
                 "location_id": ID, "language": TEXT, "service_date": {"type": "string", "format": "date"},
                 "requested_on": {"type": "string", "format": "date"}, "due_by": {"type": "string", "format": "date"},
                 "payer": {"type": ["string", "null"]}, "benefits": {"type": "object"},
                 "diagnoses": {"type": "array", "items": TEXT},
                 "lines": {"type": "array", "items": {"type": "object", "properties": {
                     "code": TEXT, "modifiers": TEXT, "description": TEXT, "units": {"type": "integer"},
                     "charge": _AMOUNT, "allowed": _AMOUNT, "payer": _AMOUNT, "patient": _AMOUNT}}},
                 "total_charge": _AMOUNT, "total_allowed": _AMOUNT, "payer_total": _AMOUNT, "patient_total": _AMOUNT,
                 "assumptions": {"type": "array", "items": {"type": "object", "properties": {"code": TEXT,
                                                                                             "text": TEXT}}},
                 "signature": {"type": ["object", "null"]}, "document_id": {"type": ["integer", "null"]}}}

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/patients/{patient_id}/estimates": {
        "get": {"operationId": "estimateList", "tags": ["estimates"], "security": [SESSION],
                "summary": "The patient's cost estimates and Good Faith Estimates, newest first.",
                "parameters": [_param("patient_id", "patient")],
                "responses": ok("The estimates.", "EstimateList") | errors(*_READ_ERRORS)},
        "post": {"operationId": "estimateCreate", "tags": ["estimates"], "security": [WRITE_AUTH],
                 "summary": "Make an estimate before a visit (a Good Faith Estimate without coverage or for self-pay); "
                            "its PDF is stored on the chart.",
                 "parameters": [_param("patient_id", "patient")], "requestBody": body("EstimateCreate"),
                 "responses": ok("The estimate made.", "Estimate", "201") | errors(*_WRITE_ERRORS)}},
    "/api/v1/estimates/{estimate_id}": {
        "get": {"operationId": "estimateRead", "tags": ["estimates"], "security": [SESSION],
                "summary": "One estimate with its lines, assumptions and signature.",
                "parameters": [_param("estimate_id", "estimate")],
                "responses": ok("The estimate.", "Estimate") | errors(*_READ_ERRORS)}},
    "/api/v1/estimates/{estimate_id}/sign": {
        "post": {"operationId": "estimateSign", "tags": ["estimates"], "security": [WRITE_AUTH],
                 "summary": "The patient signed the estimate, or a staff member marks it received (once).",
                 "parameters": [_param("estimate_id", "estimate")], "requestBody": body("EstimateSign"),
                 "responses": ok("The signed estimate.", "Estimate") | errors(*_WRITE_ERRORS)}},
    "/api/v1/estimates/{estimate_id}/pdf": {
        "get": {"operationId": "estimatePdf", "tags": ["estimates"], "security": [SESSION],
                "summary": "The estimate as PDF, in its language.", "parameters": [_param("estimate_id", "estimate")],
                "responses": _PDF | errors(*_READ_ERRORS)}},
    "/api/v1/claims/{claim_id}/cms1500": {
        "get": {"operationId": "claimForm", "tags": ["claims"], "security": [SESSION],
                "summary": "The claim on the CMS-1500 (02/12) paper form, as PDF (six lines a page).",
                "parameters": [_param("claim_id", "claim")], "responses": _PDF | errors(*_READ_ERRORS)}},
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "Estimate": _ESTIMATE,
    "EstimateList": {"type": "object", "required": ["items"],
                     "properties": {"items": {"type": "array", "items": _ESTIMATE}}},
    "EstimateCreate": {"type": "object", "required": ["idempotency_key"], "properties": {
        "appointment_id": {**ID, "type": ["integer", "null"]}, "location_id": {**ID, "type": ["integer", "null"]},
        "service_date": {"type": "string", "format": "date"}, "self_pay": {"type": "boolean"},
        "language": {"type": "string", "enum": ["", "en", "es"]},
        "diagnoses": {"type": "array", "maxItems": 12, "items": {"type": "string", "maxLength": 8,
                                                                 "pattern": "^[^\u0000]*$"}},
        "lines": {"type": "array", "maxItems": 20, "items": {"type": "object", "required": ["code"], "properties": {
            "code": {"type": "string", "maxLength": 5, "pattern": "^[^\u0000]*$"},
            "modifiers": {"type": "string", "maxLength": 11, "pattern": "^[^\u0000]*$"},
            "units": {"type": "integer", "minimum": 1, "maximum": 99}}}},
        "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^\u0000]*$"}}},
    "EstimateSign": {"type": "object", "required": ["method"], "properties": {
        "method": {"type": "string", "enum": list(SignatureMethod.values)},
        "signed_name": {"type": "string", "maxLength": 120, "pattern": "^[^\u0000]*$"}}},
}
