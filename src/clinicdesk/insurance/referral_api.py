"""The JSON API for referrals, prior authorizations and payer rules (/api/v1/insurance/...), over the same
services as the screens. Session sign-in with the CSRF header for writes; errors are RFC 9457 problem details."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.permissions import Actor

from . import selectors, services
from .models import OutgoingReferral, PayerRule, PriorAuthorization, Referral


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def referral_json(r: Referral) -> dict[str, Any]:
    return {"id": r.pk, "patient": r.patient_id, "payer": r.payer_id, "referringName": r.referring_name,
            "referringNpi": r.referring_npi, "referralNumber": r.referral_number or None, "reason": r.reason,
            "diagnosisCodes": list(r.diagnosis_codes), "visitsAuthorized": r.visits_authorized,
            "visitsUsed": r.visits_used, "validFrom": _day(r.valid_from), "validTo": _day(r.valid_to),
            "document": r.document_id, "appointments": [v.appointment_id for v in r.visits.all()]}


def outgoing_json(o: OutgoingReferral) -> dict[str, Any]:
    return {"id": o.pk, "patient": o.patient_id, "location": o.location_id, "specialistName": o.specialist_name,
            "specialistNpi": o.specialist_npi or None, "specialty": o.specialty or None, "reason": o.reason,
            "diagnosisCodes": list(o.diagnosis_codes), "urgent": o.urgent, "status": o.status,
            "statusChangedAt": o.status_changed_at.isoformat()}


def authorization_json(a: PriorAuthorization) -> dict[str, Any]:
    return {"id": a.pk, "patient": a.patient_id, "payer": a.payer_id, "coverage": a.coverage_id,
            "appointmentType": a.appointment_type_id, "procedureCodes": list(a.procedure_codes),
            "unitsRequested": a.units_requested, "requestedFrom": _day(a.requested_from),
            "requestedTo": _day(a.requested_to), "clinicalReason": a.clinical_reason, "status": a.status,
            "authNumber": a.auth_number or None, "unitsApproved": a.units_approved, "unitsUsed": a.units_used,
            "validFrom": _day(a.valid_from), "validTo": _day(a.valid_to),
            "documents": [d.pk for d in a.documents.all()], "appointments": [v.appointment_id for v in a.visits.all()]}


def rule_json(r: PayerRule) -> dict[str, Any]:
    return {"id": r.pk, "payer": r.payer_id, "appointmentType": r.appointment_type_id,
            "procedureCode": r.procedure_code or None, "needsReferral": r.needs_referral,
            "needsPriorAuth": r.needs_prior_auth, "note": r.note or None}


@require_GET
@api_login_required
def patient_records(request: HttpRequest, patient_id: int) -> JsonResponse:
    page = selectors.patient_referrals(actor=_actor(request), patient_id=patient_id)
    return JsonResponse({"patient": page.patient.pk, "referrals": [referral_json(r) for r in page.referrals],
                         "outgoing": [outgoing_json(o) for o in page.outgoing],
                         "authorizations": [authorization_json(a) for a in page.authorizations]})


def _ints(value: Any) -> list[int]:
    return [v for v in (value or []) if isinstance(v, int) and not isinstance(v, bool)]


@require_POST
@api_login_required
def referral_create(request: HttpRequest) -> JsonResponse:
    data = json_body(request, required=True)
    referral = services.referral_add(actor=_actor(request), idempotency_key=request.headers.get("Idempotency-Key"),
                                     data=services.ReferralInput(
        patient_id=data.get("patient") or 0, referring_name=str(data.get("referringName") or ""),
        referring_npi=str(data.get("referringNpi") or ""), reason=str(data.get("reason") or ""),
        visits_authorized=data.get("visitsAuthorized"), valid_from=data.get("validFrom"),
        valid_to=data.get("validTo"), payer_id=data.get("payer"),
        referral_number=str(data.get("referralNumber") or ""), diagnosis_codes=data.get("diagnosisCodes") or [],
        document_id=data.get("document"), appointment_ids=_ints(data.get("appointments"))))
    return JsonResponse(referral_json(referral), status=201)


@require_POST
@api_login_required
def outgoing_create(request: HttpRequest) -> JsonResponse:
    data = json_body(request, required=True)
    referral = services.outgoing_referral_send(
        actor=_actor(request), idempotency_key=request.headers.get("Idempotency-Key"),
        data=services.OutgoingInput(
            patient_id=data.get("patient") or 0, location_id=data.get("location") or 0,
            specialist_name=str(data.get("specialistName") or ""), reason=str(data.get("reason") or ""),
            specialty=str(data.get("specialty") or ""), specialist_npi=str(data.get("specialistNpi") or ""),
            diagnosis_codes=data.get("diagnosisCodes") or [], urgent=data.get("urgent") is True))
    return JsonResponse(outgoing_json(referral), status=201)


@require_POST
@api_login_required
def outgoing_status(request: HttpRequest, referral_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    referral = services.outgoing_referral_set_status(actor=_actor(request), referral_id=referral_id,
                                                     status=str(data.get("status") or ""),
                                                     note=str(data.get("note") or ""))
    return JsonResponse(outgoing_json(referral))


def _decision(data: dict[str, Any] | None) -> services.Decision | None:
    if not data:
        return None
    return services.Decision(status=str(data.get("status") or ""), auth_number=str(data.get("authNumber") or ""),
                             units_approved=data.get("unitsApproved"), valid_from=data.get("validFrom"),
                             valid_to=data.get("validTo"), note=str(data.get("note") or ""))


@require_POST
@api_login_required
def authorization_create(request: HttpRequest) -> JsonResponse:
    data = json_body(request, required=True)
    found = services.authorization_request(
        actor=_actor(request), idempotency_key=request.headers.get("Idempotency-Key"),
        data=services.AuthorizationInput(
            patient_id=data.get("patient") or 0, procedure_codes=data.get("procedureCodes") or [],
            units_requested=data.get("unitsRequested"), requested_from=data.get("requestedFrom"),
            requested_to=data.get("requestedTo"), clinical_reason=str(data.get("clinicalReason") or ""),
            coverage_id=data.get("coverage"), appointment_type_id=data.get("appointmentType"),
            document_ids=_ints(data.get("documents")), appointment_ids=_ints(data.get("appointments")),
            decision=_decision(data.get("decision") if isinstance(data.get("decision"), dict) else None)))
    return JsonResponse(authorization_json(found), status=201)


@require_POST
@api_login_required
def authorization_decide(request: HttpRequest, authorization_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    decision = _decision(data) or services.Decision(status="")
    found = services.authorization_decide(actor=_actor(request), authorization_id=authorization_id,
                                          decision=decision)
    return JsonResponse(authorization_json(found))


@require_http_methods(["GET", "POST"])
@api_login_required
def rules(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        data = json_body(request, required=True)
        rule = services.payer_rule_save(actor=_actor(request), data=services.RuleInput(
            payer_id=data.get("payer") or 0, appointment_type_id=data.get("appointmentType"),
            procedure_code=str(data.get("procedureCode") or ""), needs_referral=data.get("needsReferral") is True,
            needs_prior_auth=data.get("needsPriorAuth") is True, note=str(data.get("note") or "")))
        return JsonResponse(rule_json(rule), status=201)
    page = selectors.payer_rules(actor=_actor(request))
    return JsonResponse({"rules": [rule_json(r) for r in page.rules]})


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


_W = ("400", "401", "403", "404", "409", "415", "422")
OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/insurance/patients/{patient_id}/referrals": {"get": {
        "operationId": "patientReferrals", "tags": ["referrals"], "security": [SESSION],
        "summary": "A patient's incoming and outgoing referrals and prior authorizations.",
        "parameters": [_path_id("patient_id")],
        "responses": ok("The patient's records.", "PatientReferrals") | errors("401", "403", "404")}},
    "/api/v1/insurance/referrals": {"post": {
        "operationId": "referralCreate", "tags": ["referrals"], "security": [WRITE_AUTH],
        "summary": "Record an incoming referral (NPI check digit checked; visits never above authorized).",
        "requestBody": body("Referral"), "responses": ok("The referral.", "Referral", "201") | errors(*_W)}},
    "/api/v1/insurance/outgoing-referrals": {"post": {
        "operationId": "outgoingReferralCreate", "tags": ["referrals"], "security": [WRITE_AUTH],
        "summary": "Refer a patient to a specialist (status sent).",
        "requestBody": body("OutgoingReferral"),
        "responses": ok("The referral.", "OutgoingReferral", "201") | errors(*_W)}},
    "/api/v1/insurance/outgoing-referrals/{referral_id}/status": {"post": {
        "operationId": "outgoingReferralStatus", "tags": ["referrals"], "security": [WRITE_AUTH],
        "summary": "Move an outgoing referral: sent, received, scheduled, seen, closed.",
        "parameters": [_path_id("referral_id")], "requestBody": body("StatusChange"),
        "responses": ok("The referral.", "OutgoingReferral") | errors(*_W)}},
    "/api/v1/insurance/authorizations": {"post": {
        "operationId": "authorizationCreate", "tags": ["authorizations"], "security": [WRITE_AUTH],
        "summary": "Request a prior authorization (optionally with the payer's answer).",
        "requestBody": body("Authorization"),
        "responses": ok("The authorization.", "Authorization", "201") | errors(*_W)}},
    "/api/v1/insurance/authorizations/{authorization_id}/decision": {"post": {
        "operationId": "authorizationDecide", "tags": ["authorizations"], "security": [WRITE_AUTH],
        "summary": "Record the payer's answer: approved, partial, denied, expired.",
        "parameters": [_path_id("authorization_id")], "requestBody": body("AuthorizationDecision"),
        "responses": ok("The authorization.", "Authorization") | errors(*_W)}},
    "/api/v1/insurance/payer-rules": {
        "get": {"operationId": "payerRules", "tags": ["payer rules"], "security": [SESSION],
                "summary": "Which payers need a referral or prior authorization for which types or codes.",
                "responses": ok("The rules.", "PayerRules") | errors("401", "403")},
        "post": {"operationId": "payerRuleCreate", "tags": ["payer rules"], "security": [WRITE_AUTH],
                 "summary": "Add a payer rule (practice coordinator or billing).", "requestBody": body("PayerRule"),
                 "responses": ok("The rule.", "PayerRule", "201") | errors(*_W)}},
}

_OBJ = {"type": "object"}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    name: {**_OBJ, "description": description} for name, description in (
        ("PatientReferrals", "{patient, referrals: [Referral], outgoing: [OutgoingReferral], "
                             "authorizations: [Authorization]}"),
        ("Referral", "patient, referringName, referringNpi, reason, visitsAuthorized, validFrom, validTo; "
                     "optional payer, referralNumber, diagnosisCodes, document, appointments."),
        ("OutgoingReferral", "patient, location, specialistName, reason; optional specialty, specialistNpi, "
                             "diagnosisCodes, urgent."),
        ("StatusChange", "{status, note}"),
        ("Authorization", "patient, procedureCodes, unitsRequested, requestedFrom, requestedTo, clinicalReason; "
                          "optional coverage, appointmentType, documents, appointments, decision."),
        ("AuthorizationDecision", "status; approved or partial: authNumber, unitsApproved, validFrom, validTo."),
        ("PayerRules", "{rules: [PayerRule]}"),
        ("PayerRule", "payer, appointmentType or procedureCode, needsReferral, needsPriorAuth, note."),
    )
}
