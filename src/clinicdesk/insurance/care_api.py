"""The JSON API for readiness packets and admissions and transfers (/api/v1/insurance/...), over the same
services as the screens. Session sign-in with the CSRF header for writes; errors are RFC 9457 problem details."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.permissions import Actor

from . import care_selectors, services
from .models import Facility, ReadinessItem, ReadinessPacket, Transfer
from .transfer_bundle import transfer_bundle


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _ints(value: Any) -> list[int]:
    return [v for v in (value or []) if isinstance(v, int) and not isinstance(v, bool)]


def item_json(i: ReadinessItem) -> dict[str, Any]:
    return {"id": i.pk, "kind": i.kind, "title": i.title, "status": i.status, "document": i.document_id,
            "note": i.note or None, "confirmedAt": _when(i.confirmed_at), "confirmedBy": i.confirmed_by_id,
            "instructionsEn": i.instructions_en or None, "instructionsEs": i.instructions_es or None}


def packet_json(p: ReadinessPacket, items: list[ReadinessItem]) -> dict[str, Any]:
    return {"id": p.pk, "appointment": p.appointment_id, "patient": p.patient_id, "location": p.location_id,
            "sentAt": _when(p.sent_at), "sentChannel": p.sent_channel or None,
            "acknowledgedAt": _when(p.acknowledged_at), "complete": services.is_complete(items),
            "items": [item_json(i) for i in items]}


def facility_json(f: Facility) -> dict[str, Any]:
    return {"id": f.pk, "name": f.name, "kind": f.kind, "npi": f.npi or None, "phone": f.phone or None,
            "fax": f.fax or None, "address": f.address or None, "contactName": f.contact_name or None,
            "acceptedPayers": [p.pk for p in f.accepted_payers.all()], "active": f.active}


def transfer_json(t: Transfer) -> dict[str, Any]:
    return {"id": t.pk, "patient": t.patient_id, "location": t.location_id, "facility": t.facility_id,
            "kind": t.kind, "reason": t.reason, "diagnosisCodes": list(t.diagnosis_codes), "status": t.status,
            "requestedOn": _when(t.requested_on), "plannedFor": _when(t.planned_for),
            "acceptedAt": _when(t.accepted_at), "completedAt": _when(t.completed_at),
            "declinedAt": _when(t.declined_at), "referral": t.referral_id,
            "documents": [d.pk for d in t.documents.all()], "followUpTasks": list(t.follow_up_task_ids)}


@require_GET
@api_login_required
def board(request: HttpRequest) -> JsonResponse:
    rows = care_selectors.readiness_board(actor=_actor(request))
    return JsonResponse({"rows": [{"appointment": r.appointment.pk, "patient": r.appointment.patient_id,
                                   "day": r.day.isoformat(), "packet": r.packet.pk if r.packet else None,
                                   "done": r.done, "total": r.total, "complete": r.complete, "overdue": r.overdue}
                                  for r in rows]})


@require_POST
@api_login_required
def packet_open(request: HttpRequest) -> JsonResponse:
    data = json_body(request, required=True)
    packet = services.readiness_packet_open(actor=_actor(request), appointment_id=data.get("appointment") or 0)
    page = care_selectors.readiness_packet_detail(actor=_actor(request), packet_id=packet.pk)
    return JsonResponse(packet_json(page.packet, page.items), status=201)


@require_GET
@api_login_required
def packet(request: HttpRequest, packet_id: int) -> JsonResponse:
    page = care_selectors.readiness_packet_detail(actor=_actor(request), packet_id=packet_id)
    return JsonResponse(packet_json(page.packet, page.items))


@require_POST
@api_login_required
def item_set(request: HttpRequest, item_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    document = data.get("document")
    item = services.readiness_item_set(actor=_actor(request), item_id=item_id, status=str(data.get("status") or ""),
                                       document_id=document if isinstance(document, int) else None,
                                       note=str(data.get("note") or ""))
    return JsonResponse(item_json(item))


@require_POST
@api_login_required
def packet_send(request: HttpRequest, packet_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    services.readiness_packet_send(actor=_actor(request), packet_id=packet_id, channel=str(data.get("channel") or ""))
    page = care_selectors.readiness_packet_detail(actor=_actor(request), packet_id=packet_id)
    return JsonResponse(packet_json(page.packet, page.items))


@require_http_methods(["GET", "POST"])
@api_login_required
def facilities(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        data = json_body(request, required=True)
        made = services.facility_save(actor=_actor(request), data=services.FacilityInput(
            name=str(data.get("name") or ""), kind=str(data.get("kind") or ""), npi=str(data.get("npi") or ""),
            phone=str(data.get("phone") or ""), fax=str(data.get("fax") or ""),
            address=str(data.get("address") or ""), contact_name=str(data.get("contactName") or ""),
            payer_ids=_ints(data.get("acceptedPayers")), active=data.get("active") is not False))
        return JsonResponse(facility_json(made), status=201)
    page = care_selectors.facilities(actor=_actor(request))
    return JsonResponse({"facilities": [facility_json(f) for f in page.facilities]})


@require_POST
@api_login_required
def transfer_create(request: HttpRequest) -> JsonResponse:
    data = json_body(request, required=True)
    made = services.transfer_request(
        actor=_actor(request), idempotency_key=request.headers.get("Idempotency-Key"),
        data=services.TransferInput(
            patient_id=data.get("patient") or 0, location_id=data.get("location") or 0,
            facility_id=data.get("facility") or 0, kind=str(data.get("kind") or ""),
            reason=str(data.get("reason") or ""), requested_on=data.get("requestedOn"),
            planned_for=data.get("plannedFor"), diagnosis_codes=data.get("diagnosisCodes") or [],
            referral_id=data.get("referral") if isinstance(data.get("referral"), int) else None,
            document_ids=_ints(data.get("documents"))))
    return JsonResponse(transfer_json(made), status=201)


@require_GET
@api_login_required
def transfer(request: HttpRequest, transfer_id: int) -> JsonResponse:
    page = care_selectors.transfer_detail(actor=_actor(request), transfer_id=transfer_id)
    return JsonResponse(transfer_json(page.transfer))


@require_POST
@api_login_required
def transfer_status(request: HttpRequest, transfer_id: int) -> JsonResponse:
    data = json_body(request, required=True)
    moved = services.transfer_set_status(actor=_actor(request), transfer_id=transfer_id,
                                         status=str(data.get("status") or ""), planned_for=data.get("plannedFor"),
                                         note=str(data.get("note") or ""))
    return JsonResponse(transfer_json(moved))


@require_GET
@api_login_required
def transfer_fhir(request: HttpRequest, transfer_id: int) -> JsonResponse:
    packet = care_selectors.transfer_packet(actor=_actor(request), transfer_id=transfer_id, form="fhir")
    return JsonResponse(transfer_bundle(packet), content_type="application/fhir+json")


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


_W = ("400", "401", "403", "404", "409", "415", "422")
_R = ("401", "403", "404")
OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/insurance/readiness": {"get": {
        "operationId": "readinessBoard", "tags": ["readiness"], "security": [SESSION],
        "summary": "The next 14 days' visits that need getting ready, with their packets' progress.",
        "responses": ok("The board.", "ReadinessBoard") | errors("401", "403")}},
    "/api/v1/insurance/readiness/packets": {"post": {
        "operationId": "readinessPacketOpen", "tags": ["readiness"], "security": [WRITE_AUTH],
        "summary": "The appointment's readiness packet (made from its type's list the first time).",
        "requestBody": body("ReadinessPacketOpen"),
        "responses": ok("The packet.", "ReadinessPacket", "201") | errors(*_W)}},
    "/api/v1/insurance/readiness/packets/{packet_id}": {"get": {
        "operationId": "readinessPacket", "tags": ["readiness"], "security": [SESSION],
        "summary": "A readiness packet with its items.", "parameters": [_path_id("packet_id")],
        "responses": ok("The packet.", "ReadinessPacket") | errors(*_R)}},
    "/api/v1/insurance/readiness/packets/{packet_id}/send": {"post": {
        "operationId": "readinessPacketSend", "tags": ["readiness"], "security": [WRITE_AUTH],
        "summary": "Send the packet to the patient (email or sms) with an acknowledgement link.",
        "parameters": [_path_id("packet_id")], "requestBody": body("ReadinessSend"),
        "responses": ok("The packet.", "ReadinessPacket") | errors(*_W)}},
    "/api/v1/insurance/readiness/items/{item_id}": {"post": {
        "operationId": "readinessItemSet", "tags": ["readiness"], "security": [WRITE_AUTH],
        "summary": "Confirm an item (done, with a document), mark it not needed (waived) or reopen it (pending).",
        "parameters": [_path_id("item_id")], "requestBody": body("ReadinessItemChange"),
        "responses": ok("The item.", "ReadinessItem") | errors(*_W)}},
    "/api/v1/insurance/facilities": {
        "get": {"operationId": "facilities", "tags": ["transfers"], "security": [SESSION],
                "summary": "The facility directory.", "responses": ok("The facilities.", "Facilities")
                | errors("401", "403")},
        "post": {"operationId": "facilityCreate", "tags": ["transfers"], "security": [WRITE_AUTH],
                 "summary": "Add a facility (practice coordinator or billing; NPI check digit checked).",
                 "requestBody": body("Facility"), "responses": ok("The facility.", "Facility", "201") | errors(*_W)}},
    "/api/v1/insurance/transfers": {"post": {
        "operationId": "transferCreate", "tags": ["transfers"], "security": [WRITE_AUTH],
        "summary": "Record an admission or a transfer of care (status requested).", "requestBody": body("Transfer"),
        "responses": ok("The transfer.", "Transfer", "201") | errors(*_W)}},
    "/api/v1/insurance/transfers/{transfer_id}": {"get": {
        "operationId": "transfer", "tags": ["transfers"], "security": [SESSION],
        "summary": "An admission or transfer.", "parameters": [_path_id("transfer_id")],
        "responses": ok("The transfer.", "Transfer") | errors(*_R)}},
    "/api/v1/insurance/transfers/{transfer_id}/status": {"post": {
        "operationId": "transferStatus", "tags": ["transfers"], "security": [WRITE_AUTH],
        "summary": "Move a transfer: requested, accepted, scheduled (with plannedFor), completed, declined.",
        "parameters": [_path_id("transfer_id")], "requestBody": body("TransferStatusChange"),
        "responses": ok("The transfer.", "Transfer") | errors(*_W)}},
    "/api/v1/insurance/transfers/{transfer_id}/bundle": {"get": {
        "operationId": "transferBundle", "tags": ["transfers"], "security": [SESSION],
        "summary": "The transfer packet as a FHIR R4 Bundle (collection).", "parameters": [_path_id("transfer_id")],
        "responses": ok("The Bundle.", "FhirBundle") | errors(*_R)}},
}

_OBJ = {"type": "object"}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    name: {**_OBJ, "description": description} for name, description in (
        ("ReadinessBoard", "{rows: [{appointment, patient, day, packet, done, total, complete, overdue}]}"),
        ("ReadinessPacketOpen", "{appointment}"),
        ("ReadinessPacket", "id, appointment, patient, location, sentAt, sentChannel, acknowledgedAt, complete, "
                            "items: [ReadinessItem]"),
        ("ReadinessSend", "{channel: email | sms}"),
        ("ReadinessItem", "id, kind, title, status, document, note, confirmedAt, confirmedBy"),
        ("ReadinessItemChange", "{status: done | waived | pending, document, note}"),
        ("Facilities", "{facilities: [Facility]}"),
        ("Facility", "name, kind (hospital | rehab | snf | other); optional npi, phone, fax, address, contactName, "
                     "acceptedPayers, active."),
        ("Transfer", "patient, location, facility, kind (admission | transfer), reason; optional requestedOn, "
                     "plannedFor, diagnosisCodes, referral, documents."),
        ("TransferStatusChange", "{status, plannedFor, note}"),
        ("FhirBundle", "A FHIR R4 Bundle of type collection."),
    )
}
