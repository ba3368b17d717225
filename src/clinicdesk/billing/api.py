"""The patient-account JSON API (/api/v1/...): post a charge, an adjustment, a reversal. Session sign-in with the
CSRF header, as the scheduling API; errors are RFC 9457 problem details. Amounts are strings ("45.00"), never
numbers, parsed here into Decimal; every rule (billing write at the location, the patient in reach, positive
charges, one reversal per entry) is the services'. Charges and adjustments take an `Idempotency-Key` header: a
retry returns the first entry (201 again). A reversal needs none: a second one is a 409 `already-reversed`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicdesk.core.api import api_login_required, idempotency_key, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, TEXT, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import MAX_ID, ApiField

from . import services
from .models import EntryKind, LedgerEntry

_AMOUNT = ApiField.decimal("amount")


def _amount(data: dict[str, Any]) -> Any:
    if data.get("amount") is None:
        raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": "amount"},
                               fields={"amount": [_("Required.")]})
    return _AMOUNT.parse(data["amount"])


def _location(data: dict[str, Any]) -> int:
    value = data.get("location")
    if value is None:
        raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": "location"},
                               fields={"location": [_("Required.")]})
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed("bad-field", _("'%(name)s' is not a record id.") % {"name": "location"},
                               fields={"location": [_("Not a record id.")]})
    return value


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationFailed("bad-field", _("'%(name)s' must be text.") % {"name": name},
                               fields={name: [_("Not text.")]})
    return value


_idempotency_key = idempotency_key  # core.api: the one reading of the header


def entry_json(e: LedgerEntry) -> dict[str, Any]:
    return {"id": e.pk, "patient": e.patient_id, "location": e.location_id, "kind": e.kind,
            "amount": f"{e.amount:.2f}", "description": e.description, "reverses": e.reverses_id,
            "createdAt": e.created_at.isoformat()}


@require_POST
@api_login_required
def charges(request: HttpRequest, patient_id: int) -> JsonResponse:
    data = json_body(request)
    entry = services.charge_post(actor=request.user, patient_id=patient_id, location_id=_location(data),
                                 amount=_amount(data), description=_text(data, "description"),
                                 idempotency_key=_idempotency_key(request))
    return JsonResponse(entry_json(entry), status=201)


@require_POST
@api_login_required
def adjustments(request: HttpRequest, patient_id: int) -> JsonResponse:
    data = json_body(request)
    entry = services.adjustment_post(actor=request.user, patient_id=patient_id, location_id=_location(data),
                                     amount=_amount(data), reason=_text(data, "reason"),
                                     idempotency_key=_idempotency_key(request))
    return JsonResponse(entry_json(entry), status=201)


@require_POST
@api_login_required
def reverse(request: HttpRequest, entry_id: int) -> JsonResponse:
    data = json_body(request)
    entry = services.entry_reverse(actor=request.user, entry_id=entry_id, reason=_text(data, "reason"))
    return JsonResponse(entry_json(entry), status=201)


# --- OpenAPI (registered in api_urls.py, next to the URL patterns) -----------------------------------------------

_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": TEXT,
                "description": "Any string without NUL; the first 80 characters (trimmed) are kept. A retry with the "
                               "same key returns the first entry (201 again)."}
_PATIENT = {"name": "patient_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": "The patient's id."}
_ENTRY = {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
          "description": "The ledger entry's id."}
_AMOUNT_SCHEMA = {"type": "string", "pattern": r"^-?\d{1,9}(\.\d{1,2})?$",
                  "description": "An amount as a string with at most two decimals, e.g. \"45.00\"."}


def _post(op: str, summary: str, request_body: str, parameters: list[dict[str, Any]],
          description: str = "") -> dict[str, Any]:
    operation = {"operationId": op, "tags": ["billing"], "security": [WRITE_AUTH], "summary": summary,
                 "parameters": parameters, "requestBody": body(request_body),
                 "responses": ok("The new ledger entry.", "LedgerEntry", "201") | errors(*_WRITE_ERRORS)}
    if description:
        operation["description"] = description
    return {"post": operation}


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/patients/{patient_id}/charges": _post(
        "chargePost", "Post a charge to a patient account (billing write).", "ChargeRequest",
        [_PATIENT, _IDEMPOTENCY]),
    "/api/v1/patients/{patient_id}/adjustments": _post(
        "adjustmentPost", "Adjust a patient's balance: negative lowers what they owe (billing write).",
        "AdjustmentRequest", [_PATIENT, _IDEMPOTENCY]),
    "/api/v1/ledger-entries/{entry_id}/reverse": _post(
        "entryReverse", "Reverse a ledger entry with its mirror image (billing write).", "ReversalRequest", [_ENTRY],
        "Nothing is edited or deleted. An entry is reversed once: again is a 409 `already-reversed`; a reversal "
        "cannot be reversed (409 `reverse-reversal`), nor a payment with refunds (409 `payment-refunded`)."),
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "LedgerEntry": {"type": "object", "required": ["id", "patient", "location", "kind", "amount", "description",
                                                   "reverses", "createdAt"], "properties": {
        "id": {"type": "integer"}, "patient": {"type": "integer"}, "location": {"type": "integer"},
        "kind": {"type": "string", "enum": list(EntryKind.values)},
        "amount": {"type": "string", "description": "The effect on what the patient owes: positive raises it."},
        "description": {"type": "string"}, "reverses": {"type": ["integer", "null"]},
        "createdAt": {"type": "string", "format": "date-time"}}},
    "ChargeRequest": {"type": "object", "required": ["location", "amount", "description"],
                      "description": "Members not listed are ignored.",
                      "properties": {"location": ID, "amount": _AMOUNT_SCHEMA | {"description": "Positive."},
                                     "description": TEXT | {"description": "Not blank; 200 characters are kept."}}},
    "AdjustmentRequest": {"type": "object", "required": ["location", "amount", "reason"],
                          "description": "Members not listed are ignored.",
                          "properties": {"location": ID, "amount": _AMOUNT_SCHEMA,
                                         "reason": TEXT | {"description": "Not blank; 200 characters are kept."}}},
    "ReversalRequest": {"type": "object", "required": ["reason"], "description": "Members not listed are ignored.",
                        "properties": {"reason": TEXT | {"description": "Not blank; 200 characters are kept."}}},
}

