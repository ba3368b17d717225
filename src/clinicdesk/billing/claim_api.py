"""Claims in the JSON API (/api/v1/, #19 items 3-5): the claims list and one claim, building the claim of a posted
superbill, scrubbing again, sending the ready claims, and reading a 999, 277CA or 835 (its X12 text in the body).
Session sign-in with the CSRF header; errors are problem details; amounts are strings ("120.00")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, TEXT, WRITE_AUTH, body, errors, ok

from . import claim_selectors, services
from .models import ClaimStatus


def _detail(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    detail = claim_selectors.claim_detail(actor=request.user, claim_id=claim_id)
    return claim_selectors.claim_as_json(detail.claim, detail=detail)


@require_GET
@api_login_required
def claims(request: HttpRequest) -> JsonResponse:
    status = request.GET.get("status", "")
    if status and status not in ClaimStatus.values:
        raise ValidationFailed("bad-field", _("'status' is not a claim status."), fields={"status": [_("Unknown.")]})
    raw = request.GET.get("offset", "0")
    if not raw.isdigit() or len(raw) > 6:
        raise ValidationFailed("bad-field", _("'offset' must be a number."), fields={"offset": [_("A number.")]})
    worklist = claim_selectors.claims_worklist(actor=request.user, status=status, offset=int(raw))
    return JsonResponse({"total": worklist.total, "counts": worklist.counts,
                         "items": [claim_selectors.claim_as_json(row.claim) for row in worklist.rows]})


@require_GET
@api_login_required
def claim(request: HttpRequest, claim_id: int) -> JsonResponse:
    return JsonResponse(_detail(request, claim_id))


@require_POST
@api_login_required
def claim_build(request: HttpRequest, superbill_id: int) -> JsonResponse:
    data = json_body(request)
    sequence = data.get("sequence", 1)
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence not in (1, 2, 3):
        raise ValidationFailed("bad-field", _("'sequence' is 1, 2 or 3."), fields={"sequence": [_("1, 2 or 3.")]})
    built = services.claim_build(actor=request.user, superbill_id=superbill_id, sequence=sequence)
    return JsonResponse(_detail(request, built.pk), status=201)


@require_POST
@api_login_required
def claim_scrub(request: HttpRequest, claim_id: int) -> JsonResponse:
    services.claim_scrub(actor=request.user, claim_id=claim_id)
    return JsonResponse(_detail(request, claim_id))


@require_POST
@api_login_required
def claims_submit(request: HttpRequest) -> JsonResponse:
    report = services.claims_submit(actor=request.user)
    return JsonResponse({"file": report.file_name or None, "channel": report.channel or None,
                         "claims": [c.claim_number for c in report.claims], "total": f"{report.total:.2f}"})


@require_POST
@api_login_required
def claim_answers(request: HttpRequest) -> JsonResponse:
    data = json_body(request, required=True)
    content, name = data.get("content"), data.get("name", "answer.x12")
    if not isinstance(content, str) or not content.strip() or "\x00" in content:
        raise ValidationFailed("bad-field", _("'content' must be the X12 text."), fields={"content": [_("Required.")]})
    if not isinstance(name, str) or "\x00" in name:
        raise ValidationFailed("bad-field", _("'name' must be text."), fields={"name": [_("Text.")]})
    try:
        raw = content.encode("ascii")
    except UnicodeEncodeError as error:
        raise ValidationFailed("not-x12", _("An X12 file is plain ASCII text."),
                               fields={"content": [_("Not X12.")]}) from error
    report = services.answer_file_read(actor=request.user, name=name[:200], data=raw)
    return JsonResponse({"repeated": report.repeated, **report.summary}, status=200 if report.repeated else 201)


# --- OpenAPI -------------------------------------------------------------------------------------------------------

def _op(op: str, summary: str, *, method: str = "post", params: list[dict[str, Any]] | None = None,
        request: str | None = None, answer: str = "Claim", status: str = "200") -> dict[str, Any]:
    read = method == "get"
    operation: dict[str, Any] = {
        "operationId": op, "tags": ["claims"], "security": [SESSION] if read else [WRITE_AUTH], "summary": summary,
        "parameters": params or [],
        "responses": ok(summary, answer, status) | errors(*(("401", "403", "404", "422") if read else
                                                            ("400", "401", "403", "404", "409", "415", "422")))}
    if request:
        operation["requestBody"] = body(request)
    return operation


def _param(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": f"The {what}'s id."}


_AMOUNT = {"type": "string"}
_CLAIM = {"type": "object", "required": ["id", "claim_number", "status", "payer", "total_charge"], "properties": {
    "id": ID, "claim_number": TEXT, "status": {"type": "string", "enum": list(ClaimStatus.values)},
    "status_label": TEXT, "sequence": {"type": "integer"}, "frequency": TEXT,
    "payer": {"type": "object", "properties": {"id": ID, "name": TEXT}}, "patient_id": ID, "superbill_id": ID,
    "date_of_service": {"type": "string", "format": "date"}, "total_charge": _AMOUNT, "prior_paid": _AMOUNT,
    "paid": _AMOUNT, "patient_responsibility": _AMOUNT, "payer_claim_number": {"type": ["string", "null"]},
    "edits": {"type": "array", "items": {"type": "object", "properties": {"code": TEXT, "text": TEXT}}},
    "reasons": {"type": "array", "items": TEXT}, "batch": {"type": ["integer", "null"]},
    "lines": {"type": "array", "items": {"type": "object"}}, "diagnoses": {"type": "array", "items": TEXT},
    "events": {"type": "array", "items": {"type": "object"}}}}

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/claims": {
        "get": _op("claimList", "Claims of the user's locations, newest visit first (100 a page).", method="get",
                   params=[{"name": "status", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": list(ClaimStatus.values)}},
                           {"name": "offset", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 999999}}],
                   answer="ClaimList")},
    "/api/v1/claims/{claim_id}": {
        "get": _op("claimRead", "One claim with its lines and history.", method="get",
                   params=[_param("claim_id", "claim")])},
    "/api/v1/superbills/{superbill_id}/claims": {
        "post": _op("claimBuild", "Build (and scrub) the claim of a posted superbill for the coverage of a sequence.",
                    params=[_param("superbill_id", "superbill")], request="ClaimBuild", status="201")},
    "/api/v1/claims/{claim_id}/scrub": {
        "post": _op("claimScrub", "Scrub a held or rejected claim again.", params=[_param("claim_id", "claim")])},
    "/api/v1/claims/submit": {
        "post": _op("claimsSubmit", "Send every ready claim in one 837P batch.", answer="ClaimSubmit")},
    "/api/v1/claim-answers": {
        "post": _op("claimAnswerRead", "Read a 999, 277CA or 835 (a file read before changes nothing: 200).",
                    request="ClaimAnswer", answer="ClaimAnswerSummary", status="201")},
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "Claim": _CLAIM,
    "ClaimList": {"type": "object", "required": ["items"], "properties": {
        "total": {"type": "integer"}, "counts": {"type": "object"}, "items": {"type": "array", "items": _CLAIM}}},
    "ClaimBuild": {"type": "object", "properties": {"sequence": {"type": "integer", "enum": [1, 2, 3]}}},
    "ClaimSubmit": {"type": "object", "properties": {"file": {"type": ["string", "null"]},
                                                     "channel": {"type": ["string", "null"]},
                                                     "claims": {"type": "array", "items": TEXT}, "total": _AMOUNT}},
    "ClaimAnswer": {"type": "object", "required": ["content"], "properties": {
        "content": {"type": "string", "minLength": 1, "pattern": "^[\\x20-\\x7e\\r\\n]+$"},
        "name": {"type": "string", "maxLength": 200, "pattern": "^[^\u0000]*$"}}},
    "ClaimAnswerSummary": {"type": "object", "properties": {
        "repeated": {"type": "boolean"}, "kind": TEXT, "accepted": {"type": "array", "items": TEXT},
        "rejected": {"type": "array", "items": TEXT}, "posted": {"type": "array", "items": TEXT},
        "unmatched": {"type": "array", "items": TEXT}, "problems": {"type": "array", "items": {"type": "object"}}}},
}
