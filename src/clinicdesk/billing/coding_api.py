"""The coded visit in the JSON API (/api/v1/, #19): the fee schedule, the ICD-10-CM search, superbills (open,
read, save, post, reverse) and a patient's ledger. Session sign-in with the CSRF header; errors are problem
details; amounts are strings ("120.00"). A superbill's JSON is what a claim is built from: diagnoses in order,
lines with code, modifiers, units, pointers, place of service, rendering provider (with NPI) and charge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import ID, SESSION, TEXT, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import ApiField

from . import selectors, services
from .api import entry_json
from .codesets import icd_describe, icd_dotted
from .models import PLACES_OF_SERVICE, FeeItem, Superbill, SuperbillStatus

_FEE_FIELDS = (ApiField.text("code", required=True, max_length=10), ApiField.texts("modifiers"),
               ApiField.text("description", required=True, max_length=200),
               ApiField.decimal("price", required=True), ApiField.date("effectiveFrom", required=True),
               ApiField.date("effectiveTo"))


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


def fee_json(item: FeeItem) -> dict[str, Any]:
    return {"id": item.pk, "code": item.code, "modifiers": item.modifier_list, "description": item.description,
            "price": f"{item.price:.2f}", "effectiveFrom": item.effective_from.isoformat(),
            "effectiveTo": item.effective_to.isoformat() if item.effective_to else None,
            "contracts": [{"payer": c.payer_id, "payerName": c.payer.name, "amount": f"{c.amount:.2f}"}
                          for c in item.contracts.all()]}


def superbill_json(s: Superbill) -> dict[str, Any]:
    lines = list(s.lines.all())
    charged = [line.charge for line in lines if line.charge is not None]
    return {"id": s.pk, "appointment": s.appointment_id, "patient": s.patient_id, "location": s.location_id,
            "dateOfService": s.date_of_service.isoformat(), "status": s.status,
            "diagnoses": [{"position": d.position, "code": d.code, "display": icd_dotted(d.code),
                           "description": icd_describe(d.code)} for d in s.diagnoses.all()],
            "lines": [{"position": line.position, "code": line.code, "modifiers": line.modifier_list,
                       "units": line.units, "pointers": list(line.pointers), "placeOfService": line.place_of_service,
                       "rendering": line.rendering_id, "renderingNpi": line.rendering.npi,
                       "description": line.description,
                       "charge": f"{line.charge:.2f}" if line.charge is not None else None,
                       "ledgerEntry": line.ledger_entry_id} for line in lines],
            "total": f"{sum(charged):.2f}" if charged else None}


@require_http_methods(["GET", "POST"])
@api_login_required
def fee_schedule(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        return JsonResponse({"items": [fee_json(i) for i in selectors.fee_schedule_list(actor=request.user)]})
    values = _parse(_FEE_FIELDS, json_body(request, required=True))
    item = services.fee_item_create(actor=request.user, **values)
    return JsonResponse(fee_json(selectors.fee_item_detail(actor=request.user, item_id=item.pk)), status=201)


_CONTRACT_FIELDS = (ApiField.ref("payer", required=True), ApiField.decimal("amount", nullable=True))


@require_POST
@api_login_required
def fee_contract(request: HttpRequest, item_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    values = _parse(_CONTRACT_FIELDS, data)
    services.contract_set(actor=request.user, item_id=item_id, payer_id=values["payer_id"],
                          amount=values.get("amount"))
    return JsonResponse(fee_json(selectors.fee_item_detail(actor=request.user, item_id=item_id)))


@require_GET
@api_login_required
def icd10(request: HttpRequest) -> JsonResponse:
    query = request.GET.get("q", "")
    if "\x00" in query:
        raise ValidationFailed("bad-field", _("'%(name)s' must be text.") % {"name": "q"})
    codes = selectors.icd10_search(actor=request.user, query=query)
    return JsonResponse({"items": [{"code": c.code, "display": c.dotted, "description": c.description}
                                   for c in codes]})


@require_POST
@api_login_required
def superbill_open(request: HttpRequest, appointment_id: int) -> JsonResponse:
    superbill = services.superbill_open(actor=request.user, appointment_id=appointment_id)
    return JsonResponse(superbill_json(selectors.superbill_detail(actor=request.user, superbill_id=superbill.pk)),
                        status=201)


def _int_list(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationFailed("bad-field", _("'%(name)s' must be a list of numbers.") % {"name": name},
                               fields={name: [_("A list of numbers.")]})
    return tuple(value)


def _lines(data: Any) -> list[services.LineInput]:
    if not isinstance(data, list) or len(data) > 50:
        raise ValidationFailed("bad-field", _("'lines' must be a list of at most 50 lines."),
                               fields={"lines": [_("A list.")]})
    parsed = []
    for n, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            raise ValidationFailed("bad-field", _("Line %(n)s must be an object.") % {"n": n})
        code = raw.get("code")
        modifiers = raw.get("modifiers") or []
        units = raw.get("units", 1)
        place = raw.get("placeOfService", "11")
        rendering = raw.get("rendering")
        if not isinstance(code, str) or not isinstance(place, str) or \
                not (isinstance(modifiers, list) and all(isinstance(m, str) for m in modifiers)) or \
                not isinstance(units, int) or isinstance(units, bool) or \
                not (rendering is None or (isinstance(rendering, int) and not isinstance(rendering, bool))):
            raise ValidationFailed("bad-field", _("Line %(n)s: code and placeOfService are text, modifiers a list "
                                                  "of text, units and rendering numbers.") % {"n": n},
                                   fields={f"line{n}": [_("Not a line.")]})
        parsed.append(services.LineInput(code=code[:10], modifiers=[m[:4] for m in modifiers[:8]], units=units,
                                         pointers=_int_list(raw.get("pointers", []), f"lines[{n}].pointers"),
                                         place_of_service=place[:4], rendering_id=rendering))
    return parsed


@require_http_methods(["GET", "PUT"])
@api_login_required
def superbill(request: HttpRequest, superbill_id: int) -> JsonResponse:
    if request.method == "PUT":
        data = json_body(request, required=True)
        diagnoses = data.get("diagnoses", [])
        if not isinstance(diagnoses, list) or not all(isinstance(d, str) for d in diagnoses):
            raise ValidationFailed("bad-field", _("'diagnoses' must be a list of codes."),
                                   fields={"diagnoses": [_("A list of codes.")]})
        services.superbill_save(actor=request.user, superbill_id=superbill_id,
                                diagnoses=[d[:10] for d in diagnoses[:13]], lines=_lines(data.get("lines", [])))
    return JsonResponse(superbill_json(selectors.superbill_detail(actor=request.user, superbill_id=superbill_id)))


@require_POST
@api_login_required
def superbill_post(request: HttpRequest, superbill_id: int) -> JsonResponse:
    services.superbill_post(actor=request.user, superbill_id=superbill_id)
    return JsonResponse(superbill_json(selectors.superbill_detail(actor=request.user, superbill_id=superbill_id)))


@require_POST
@api_login_required
def superbill_reverse(request: HttpRequest, superbill_id: int) -> JsonResponse:
    data = json_body(request)
    reason = data.get("reason")
    if not isinstance(reason, str) or "\x00" in reason:
        raise ValidationFailed("reason-required", _("Say why the charges are reversed."),
                               fields={"reason": [_("A reason is required.")]})
    services.superbill_reverse(actor=request.user, superbill_id=superbill_id, reason=reason)
    return JsonResponse(superbill_json(selectors.superbill_detail(actor=request.user, superbill_id=superbill_id)))


@require_GET
@api_login_required
def ledger(request: HttpRequest, patient_id: int) -> JsonResponse:
    account = selectors.patient_account(actor=request.user, patient_id=patient_id)
    return JsonResponse({"patient": account.patient.pk, "balance": f"{account.balance:.2f}",
                         "entries": [entry_json(line.entry) | {"balance": f"{line.balance:.2f}"}
                                     for line in account.lines]})


# --- OpenAPI -------------------------------------------------------------------------------------------------------

_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")
_READ_ERRORS = ("401", "403", "404")


def _param(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": f"The {what}'s id."}


_AMOUNT = {"type": "string", "pattern": r"^-?\d{1,9}(\.\d{1,2})?$", "description": "An amount, e.g. \"120.00\"."}
_DATE = {"type": "string", "format": "date"}
_NULL_DATE = {"type": ["string", "null"], "format": "date"}
_CODES = {"type": "array", "items": {"type": "string", "pattern": "^[^\u0000]*$"}, "maxItems": 8}


def _op(op: str, summary: str, *, method: str = "post", params: list[dict[str, Any]] | None = None,
        request: str | None = None, answer: str = "Superbill", status: str = "200",
        description: str = "") -> dict[str, Any]:
    read = method == "get"
    operation: dict[str, Any] = {
        "operationId": op, "tags": ["coding"], "security": [SESSION] if read else [WRITE_AUTH], "summary": summary,
        "parameters": params or [],
        "responses": ok(summary, answer, status) | errors(*(_READ_ERRORS if read else _WRITE_ERRORS))}
    if request:
        operation["requestBody"] = body(request)
    if description:
        operation["description"] = description
    return operation


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/fee-schedule": {
        "get": _op("feeScheduleList", "The fee schedule: every code's periods and prices.", method="get",
                   answer="FeeSchedule"),
        "post": _op("feeItemCreate", "Add a procedure (CPT or HCPCS) priced over a period (billing write).",
                    request="FeeItemCreate", answer="FeeItem", status="201",
                    description="Periods of one code with the same modifiers may not overlap (422 "
                                "`fee-period-overlap`).")},
    "/api/v1/fee-schedule/{item_id}/contracts": {
        "post": _op("feeContractSet", "Set (or with a null amount remove) a payer's contracted amount.",
                    params=[_param("item_id", "fee schedule line")], request="ContractSet", answer="FeeItem")},
    "/api/v1/codes/icd10": {
        "get": _op("icd10Search", "Billable ICD-10-CM codes by code prefix or words (at most 20).", method="get",
                   params=[{"name": "q", "in": "query", "required": False, "schema": TEXT,
                            "description": "A code ('E11.6') or words ('diab kidney')."}], answer="IcdCodes")
        | {"responses": ok("Billable ICD-10-CM codes by code prefix or words (at most 20).", "IcdCodes")
           | errors("401", "403", "404", "422")}},
    "/api/v1/appointments/{appointment_id}/superbill": {
        "post": _op("superbillOpen", "Open the superbill of a fulfilled visit (the usual codes pre-filled).",
                    params=[_param("appointment_id", "appointment")], status="201",
                    description="Returns the visit's live superbill when there is one (a draft or posted). A visit "
                                "that is not fulfilled is a 409 `visit-not-fulfilled`.")},
    "/api/v1/superbills/{superbill_id}": {
        "get": _op("superbillRead", "One superbill.", method="get", params=[_param("superbill_id", "superbill")]),
        "put": _op("superbillSave", "Replace a draft's diagnoses (in order) and lines.",
                   params=[_param("superbill_id", "superbill")], request="SuperbillSave",
                   description="Diagnoses: 1 to 12 billable ICD-10-CM codes; each line's pointers name listed "
                               "diagnoses by position. A posted superbill is a 409 `superbill-not-draft`.")},
    "/api/v1/superbills/{superbill_id}/post": {
        "post": _op("superbillPost", "Post one charge per line to the patient's ledger, once.",
                    params=[_param("superbill_id", "superbill")],
                    description="Priced from the fee schedule in effect on the date of service. Posting again "
                                "writes nothing and returns the superbill.")},
    "/api/v1/superbills/{superbill_id}/reverse": {
        "post": _op("superbillReverse", "Reverse a posted superbill's charges (billing write).",
                    params=[_param("superbill_id", "superbill")], request="ReversalRequest")},
    "/api/v1/patients/{patient_id}/ledger": {
        "get": _op("ledgerRead", "A patient's ledger with the running balance.", method="get",
                   params=[_param("patient_id", "patient")], answer="Ledger")},
}

_FEE_ITEM = {"type": "object", "required": ["id", "code", "modifiers", "description", "price", "effectiveFrom"],
             "properties": {"id": ID, "code": TEXT, "modifiers": _CODES, "description": TEXT, "price": _AMOUNT,
                            "effectiveFrom": _DATE, "effectiveTo": _NULL_DATE,
                            "contracts": {"type": "array", "items": {"type": "object", "properties": {
                                "payer": ID, "payerName": TEXT, "amount": _AMOUNT}}}}}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "FeeItem": _FEE_ITEM,
    "FeeSchedule": {"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": _FEE_ITEM}}},
    "FeeItemCreate": {"type": "object", "required": ["code", "description", "price", "effectiveFrom"],
                      "description": "Members not listed are ignored.", "properties": {
                          "code": TEXT | {"maxLength": 10}, "modifiers": _CODES,
                          "description": TEXT | {"maxLength": 200}, "price": _AMOUNT, "effectiveFrom": _DATE,
                          "effectiveTo": _NULL_DATE}},
    "ContractSet": {"type": "object", "required": ["payer"], "properties": {
        "payer": ID, "amount": {"type": ["string", "null"], "pattern": _AMOUNT["pattern"]}}},
    "IcdCodes": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {"code": TEXT, "display": TEXT, "description": TEXT}}}}},
    "Superbill": {"type": "object", "required": ["id", "appointment", "patient", "status", "diagnoses", "lines"],
                  "properties": {
                      "id": ID, "appointment": ID, "patient": ID, "location": ID, "dateOfService": _DATE,
                      "status": {"type": "string", "enum": list(SuperbillStatus.values)},
                      "diagnoses": {"type": "array", "items": {"type": "object", "properties": {
                          "position": {"type": "integer"}, "code": TEXT, "display": TEXT, "description": TEXT}}},
                      "lines": {"type": "array", "items": {"type": "object", "properties": {
                          "position": {"type": "integer"}, "code": TEXT, "modifiers": _CODES,
                          "units": {"type": "integer"}, "pointers": {"type": "array", "items": {"type": "integer"}},
                          "placeOfService": {"type": "string", "enum": list(PLACES_OF_SERVICE)},
                          "rendering": ID, "renderingNpi": TEXT, "description": TEXT,
                          "charge": {"type": ["string", "null"]}, "ledgerEntry": {"type": ["integer", "null"]}}}},
                      "total": {"type": ["string", "null"]}}},
    "SuperbillSave": {"type": "object", "description": "Members not listed are ignored.", "properties": {
        "diagnoses": {"type": "array", "maxItems": 13, "items": {"type": "string", "pattern": "^[^\u0000]*$"}},
        "lines": {"type": "array", "maxItems": 50, "items": {"type": "object", "required": ["code"], "properties": {
            "code": TEXT, "modifiers": _CODES, "units": {"type": "integer", "minimum": 1, "maximum": 999},
            "pointers": {"type": "array", "maxItems": 4, "items": {"type": "integer", "minimum": 1, "maximum": 12}},
            "placeOfService": {"type": "string", "enum": list(PLACES_OF_SERVICE)},
            "rendering": {"type": ["integer", "null"], "minimum": 1}}}}}},
    "Ledger": {"type": "object", "required": ["patient", "balance", "entries"], "properties": {
        "patient": ID, "balance": _AMOUNT, "entries": {"type": "array", "items": {"type": "object"}}}},
}
