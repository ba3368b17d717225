"""Statements, disputes and credit refunds in the JSON API (/api/v1/, #19 items 8-9). Session sign-in with the CSRF
header; errors are problem details; amounts are strings ("120.00"); every rule is the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, idempotency_key, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, TEXT, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import MAX_ID, ApiField

from . import services, statement_selectors
from .models import CreditRefund, Dispute, DisputeOutcome, DisputeStatus, RefundStatus, Statement

_AMOUNT_FIELD = ApiField.decimal("amount")


def statement_json(s: Statement) -> dict[str, Any]:
    return {"id": s.pk, "patient": s.patient_id, "statement_date": s.statement_date.isoformat(),
            "balance": f"{s.balance:.2f}", "aging": {
                "0-30": f"{s.aged_0_30:.2f}", "31-60": f"{s.aged_31_60:.2f}", "61-90": f"{s.aged_61_90:.2f}",
                "91-120": f"{s.aged_91_120:.2f}", "120+": f"{s.aged_over_120:.2f}"},
            "language": s.language, "delivery": s.delivery, "printed": s.printed_at is not None,
            "createdAt": s.created_at.isoformat()}


def dispute_json(d: Dispute) -> dict[str, Any]:
    return {"id": d.pk, "patient": d.patient_id, "entry": d.entry_id, "amount": f"{d.amount:.2f}",
            "reason": d.reason, "status": d.status, "due_on": d.due_on.isoformat(), "outcome": d.outcome or None,
            "response": d.response or None, "language": d.language or None, "letter": d.document_id is not None}


def refund_json(r: CreditRefund) -> dict[str, Any]:
    return {"id": r.pk, "patient": r.patient_id, "amount": f"{r.amount:.2f}", "reason": r.reason,
            "status": r.status, "entries": list(r.entry_ids)}


def _text(data: dict[str, Any], name: str, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or "\x00" in value or (required and not value.strip()):
        raise ValidationFailed("bad-field", _("'%(name)s' must be text.") % {"name": name},
                               fields={name: [_("Not text.")]})
    return value


def _id(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed("bad-field", _("'%(name)s' is not a record id.") % {"name": name},
                               fields={name: [_("Not a record id.")]})
    return value


@require_http_methods(["GET", "POST"])
@api_login_required
def patient_statements(request: HttpRequest, patient_id: int) -> JsonResponse:
    if request.method == "GET":
        rows = statement_selectors.patient_statements(actor=request.user, patient_id=patient_id)
        return JsonResponse({"items": [statement_json(s) for s in rows]})
    data = json_body(request)
    raw = data.get("statement_date")
    day = None
    if raw is not None:
        try:
            day = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            day = None
        if day is None:
            raise ValidationFailed("bad-field", _("'%(name)s' must be a date (YYYY-MM-DD).") % {
                "name": "statement_date"}, fields={"statement_date": [_("A date.")]})
    statement = services.statement_create(actor=request.user, patient_id=patient_id, as_of=day)
    return JsonResponse(statement_json(statement), status=201)


@require_GET
@api_login_required
def disputes(request: HttpRequest) -> JsonResponse:
    status = request.GET.get("status", DisputeStatus.OPEN)
    if status not in DisputeStatus.values:
        raise ValidationFailed("bad-field", _("'status' is not a dispute status."), fields={"status": [_("Unknown.")]})
    rows = statement_selectors.disputes_worklist(actor=request.user, status=status)
    return JsonResponse({"items": [dispute_json(d) for d in rows]})


@require_POST
@api_login_required
def dispute_open(request: HttpRequest, patient_id: int) -> JsonResponse:
    data = json_body(request)
    amount = _AMOUNT_FIELD.parse(data["amount"]) if data.get("amount") is not None else None
    found = services.dispute_open(actor=request.user, patient_id=patient_id, reason=_text(data, "reason"),
                                  amount=amount, entry_id=_id(data, "entry"))
    return JsonResponse(dispute_json(found), status=201)


@require_GET
@api_login_required
def dispute(request: HttpRequest, dispute_id: int) -> JsonResponse:
    return JsonResponse(dispute_json(statement_selectors.dispute_detail(actor=request.user, dispute_id=dispute_id)))


@require_POST
@api_login_required
def dispute_close(request: HttpRequest, dispute_id: int) -> JsonResponse:
    data = json_body(request)
    found = services.dispute_close(actor=request.user, dispute_id=dispute_id, outcome=_text(data, "outcome"),
                                   response=_text(data, "response"), language=_text(data, "language", False))
    return JsonResponse(dispute_json(found))


@require_POST
@api_login_required
def refund_request(request: HttpRequest, patient_id: int) -> JsonResponse:
    data = json_body(request)
    if data.get("amount") is None:
        raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": "amount"},
                               fields={"amount": [_("Required.")]})
    refund = services.credit_refund_request(actor=request.user, patient_id=patient_id,
                                            amount=_AMOUNT_FIELD.parse(data["amount"]),
                                            reason=_text(data, "reason"), idempotency_key=idempotency_key(request))
    return JsonResponse(refund_json(refund), status=201)


@require_POST
@api_login_required
def refund_decide(request: HttpRequest, refund_id: int, action: str) -> JsonResponse:
    decide = services.credit_refund_approve if action == "approve" else services.credit_refund_decline
    return JsonResponse(refund_json(decide(actor=request.user, refund_id=refund_id)))


# --- OpenAPI (registered in api_urls.py) ---------------------------------------------------------------------------

_READ_ERRORS = ("400", "401", "403", "404", "422")
_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")


def _op(op: str, summary: str, answer: str, *, read: bool = False, params: list[dict[str, Any]] | None = None,
        request: str | None = None, status: str = "200") -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": op, "tags": ["statements"], "security": [SESSION] if read else [WRITE_AUTH],
        "summary": summary, "parameters": params or [],
        "responses": ok(summary, answer, status) | errors(*(_READ_ERRORS if read else _WRITE_ERRORS))}
    if request:
        operation["requestBody"] = body(request)
    return operation


def _param(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": f"The {what}'s id."}


_AMOUNT = {"type": "string", "pattern": r"^-?\d{1,9}(\.\d{1,2})?$", "description": "An amount, e.g. \"45.00\"."}
_STATEMENT = {"type": "object", "required": ["id", "patient", "statement_date", "balance", "aging"], "properties": {
    "id": ID, "patient": ID, "statement_date": {"type": "string", "format": "date"}, "balance": _AMOUNT,
    "aging": {"type": "object", "properties": {k: _AMOUNT for k in ("0-30", "31-60", "61-90", "91-120", "120+")}},
    "language": TEXT, "delivery": {"type": "string", "enum": ["email", "print"]}, "printed": {"type": "boolean"},
    "createdAt": {"type": "string", "format": "date-time"}}}
_DISPUTE = {"type": "object", "required": ["id", "patient", "amount", "status", "due_on"], "properties": {
    "id": ID, "patient": ID, "entry": {"type": ["integer", "null"]}, "amount": _AMOUNT, "reason": TEXT,
    "status": {"type": "string", "enum": list(DisputeStatus.values)}, "due_on": {"type": "string", "format": "date"},
    "outcome": {"type": ["string", "null"]}, "response": {"type": ["string", "null"]},
    "language": {"type": ["string", "null"]}, "letter": {"type": "boolean"}}}
_REFUND = {"type": "object", "required": ["id", "patient", "amount", "status"], "properties": {
    "id": ID, "patient": ID, "amount": _AMOUNT, "reason": TEXT,
    "status": {"type": "string", "enum": list(RefundStatus.values)}, "entries": {"type": "array", "items": ID}}}

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/patients/{patient_id}/statements": {
        "get": _op("statementList", "A patient's statements, newest first (billing read).", "StatementList",
                   read=True, params=[_param("patient_id", "patient")]),
        "post": _op("statementCreate", "Make a statement now: refused (409) for a zero or credit balance, a "
                    "collections hold, an open dispute or a payment plan (billing write).", "Statement",
                    params=[_param("patient_id", "patient")], request="StatementCreate", status="201")},
    "/api/v1/disputes": {
        "get": _op("disputeList", "Billing disputes of the user's locations by due date (billing read).",
                   "DisputeList", read=True, params=[{"name": "status", "in": "query", "required": False,
                                                      "schema": {"type": "string",
                                                                 "enum": list(DisputeStatus.values)}}])},
    "/api/v1/patients/{patient_id}/disputes": {
        "post": _op("disputeOpen", "Record a patient's dispute of a charge or of the balance (desk or billing).",
                    "Dispute", params=[_param("patient_id", "patient")], request="DisputeOpen", status="201")},
    "/api/v1/disputes/{dispute_id}": {
        "get": _op("disputeRead", "One dispute.", "Dispute", read=True, params=[_param("dispute_id", "dispute")])},
    "/api/v1/disputes/{dispute_id}/close": {
        "post": _op("disputeClose", "Answer and close a dispute: the response letter (PDF) goes on the chart.",
                    "Dispute", params=[_param("dispute_id", "dispute")], request="DisputeClose")},
    "/api/v1/patients/{patient_id}/credit-refunds": {
        "post": _op("creditRefundRequest", "Request a refund of a credit balance (billing write; Idempotency-Key).",
                    "CreditRefund", params=[_param("patient_id", "patient")], request="CreditRefundRequest",
                    status="201")},
    "/api/v1/credit-refunds/{refund_id}/approve": {
        "post": _op("creditRefundApprove", "Approve a refund request and post it on the ledger (once).",
                    "CreditRefund", params=[_param("refund_id", "refund request")])},
    "/api/v1/credit-refunds/{refund_id}/decline": {
        "post": _op("creditRefundDecline", "Decline a refund request.", "CreditRefund",
                    params=[_param("refund_id", "refund request")])},
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "Statement": _STATEMENT,
    "StatementList": {"type": "object", "required": ["items"],
                      "properties": {"items": {"type": "array", "items": _STATEMENT}}},
    "StatementCreate": {"type": "object", "properties": {"statement_date": {"type": "string", "format": "date"}}},
    "Dispute": _DISPUTE,
    "DisputeList": {"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": _DISPUTE}}},
    "DisputeOpen": {"type": "object", "required": ["reason"], "properties": {
        "reason": TEXT, "amount": _AMOUNT, "entry": ID}},
    "DisputeClose": {"type": "object", "required": ["outcome", "response"], "properties": {
        "outcome": {"type": "string", "enum": list(DisputeOutcome.values)}, "response": TEXT,
        "language": {"type": "string", "enum": ["en", "es"]}}},
    "CreditRefund": _REFUND,
    "CreditRefundRequest": {"type": "object", "required": ["amount", "reason"], "properties": {
        "amount": _AMOUNT, "reason": TEXT}},
}
