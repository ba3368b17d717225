"""The transfer packet as a FHIR R4 Bundle (type collection): Patient, the receiving facility (Organization),
Coverage, the transfer itself as a ServiceRequest (with the referral letter's ServiceRequest it is based on),
current prior authorizations (ClaimResponse, use preauthorization) and the chosen documents (DocumentReference,
metadata only). A pure function: a loaded `TransferPacket` in, a dict out; no database, no writes.

Built here rather than in interop/fhir (domain apps never import interop); the resources follow the same R4
shapes as interop's mappers."""

from __future__ import annotations

import uuid
from typing import Any

from .care_selectors import TransferPacket

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
_NS = uuid.UUID("5b1f0f7e-3c1e-4d0a-9b55-0c9a1f18a001")
# Our transfer status -> ServiceRequest.status (R4 request-status).
SERVICE_REQUEST_STATUS = {"requested": "active", "accepted": "active", "scheduled": "active",
                          "completed": "completed", "declined": "revoked"}
REFERRAL_STATUS = {"sent": "active", "received": "active", "scheduled": "active", "seen": "completed",
                   "closed": "completed"}
FACILITY_TYPE = {"hospital": ("prov", "Healthcare Provider"), "rehab": ("prov", "Healthcare Provider"),
                 "snf": ("prov", "Healthcare Provider"), "other": ("other", "Other")}
SEX = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}


def _urn(kind: str, pk: Any) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, f'{kind}/{pk}')}"


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def transfer_bundle(packet: TransferPacket) -> dict[str, Any]:
    transfer, patient, facility = packet.transfer, packet.patient, packet.transfer.facility
    patient_ref = {"reference": _urn("Patient", patient.pk)}
    facility_ref = {"reference": _urn("Organization", f"facility-{facility.pk}"), "display": facility.name}
    entries: list[dict[str, Any]] = []

    def add(kind: str, pk: Any, resource: dict[str, Any]) -> None:
        entries.append({"fullUrl": _urn(kind, pk), "resource": {"resourceType": kind, **resource}})

    telecom = [{"system": "phone", "value": patient.phone}] if patient.phone else []
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    add("Patient", patient.pk, {
        "id": str(patient.pk),
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                             "code": "MR"}]}, "value": patient.mrn}],
        "name": [{"use": "official", "family": patient.family_name,
                  "given": [n for n in (patient.given_name, patient.middle_name) if n]}],
        "birthDate": _day(patient.birth_date), "gender": SEX.get(patient.sex, "unknown"), "telecom": telecom,
        "address": [{"line": [x for x in (patient.address_line, patient.address_line2) if x], "city": patient.city,
                     "state": patient.state, "postalCode": patient.postal_code}] if patient.address_line else [],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                    "code": patient.preferred_language}]},
                           "preferred": True}],
    })
    code, display = FACILITY_TYPE.get(facility.kind, ("other", "Other"))
    add("Organization", f"facility-{facility.pk}", {
        "identifier": [{"system": NPI_SYSTEM, "value": facility.npi}] if facility.npi else [],
        "active": facility.active, "name": facility.name,
        "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": code,
                              "display": display}], "text": facility.get_kind_display()}],
        "telecom": [t for t in ({"system": "phone", "value": facility.phone} if facility.phone else None,
                                {"system": "fax", "value": facility.fax} if facility.fax else None) if t],
        "address": [{"text": facility.address}] if facility.address else [],
    })
    coverage_refs = []
    for coverage in packet.coverages:
        payer_url = _urn("Organization", f"payer-{coverage.payer_id}")
        if not any(e["fullUrl"] == payer_url for e in entries):
            add("Organization", f"payer-{coverage.payer_id}", {"name": coverage.payer.name, "type": [
                {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "pay"}]}]})
        coverage_refs.append({"reference": _urn("Coverage", coverage.pk)})
        add("Coverage", coverage.pk, {
            "status": "active", "subscriberId": coverage.member_id, "beneficiary": patient_ref,
            "order": coverage.order, "payor": [{"reference": payer_url, "display": coverage.payer.name}],
            "period": {k: v for k, v in (("start", _day(coverage.start_date)), ("end", _day(coverage.end_date))) if v},
            "class": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                            "code": "group"}]}, "value": coverage.group_number}]
            if coverage.group_number else [],
        })
    based_on = []
    if packet.referral is not None:
        referral = packet.referral
        based_on.append({"reference": _urn("ServiceRequest", f"referral-{referral.pk}")})
        add("ServiceRequest", f"referral-{referral.pk}", {
            "status": REFERRAL_STATUS.get(referral.status, "unknown"), "intent": "order",
            "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "3457005",
                                      "display": "Patient referral"}]}],
            "priority": "urgent" if referral.urgent else "routine", "subject": patient_ref,
            "authoredOn": referral.created_at.isoformat(),
            "performer": [{"display": referral.specialist_name}],
            "reasonCode": [{"coding": [{"system": ICD10, "code": c}]} for c in referral.diagnosis_codes]
            + [{"text": referral.reason}],
        })
    for auth in packet.authorizations:
        add("ClaimResponse", f"auth-{auth.pk}", {
            "status": "active", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                                     "code": "professional"}]},
            "use": "preauthorization", "patient": patient_ref, "created": auth.created_at.isoformat(),
            "insurer": {"display": auth.payer.name if auth.payer else "Unknown payer"},  # required in R4
            "outcome": "queued" if auth.status == "requested" else "complete",
            **({"preAuthRef": auth.auth_number} if auth.auth_number else {}),
            **({"preAuthPeriod": {"start": _day(auth.valid_from), "end": _day(auth.valid_to)}}
               if auth.valid_from else {}),
            "addItem": [{"productOrService": {"coding": [{"system": CPT, "code": c}]},
                         "adjudication": _units(auth)} for c in auth.procedure_codes],
        })
    document_refs = []
    for document in packet.documents:
        document_refs.append({"reference": _urn("DocumentReference", document.pk)})
        add("DocumentReference", document.pk, {
            "status": "current", "subject": patient_ref, "date": document.uploaded_at.isoformat(),
            "type": {"text": document.get_kind_display()}, "description": document.description or None,
            "content": [{"attachment": {"contentType": document.content_type, "size": document.size,
                                        "title": document.description or document.get_kind_display(),
                                        "creation": _day(document.document_date)}}],
        })
    request: dict[str, Any] = {
        "status": SERVICE_REQUEST_STATUS.get(transfer.status, "unknown"), "intent": "order",
        "category": [{"text": transfer.get_kind_display()}],
        "code": {"text": transfer.get_kind_display()}, "subject": patient_ref,
        "authoredOn": transfer.created_at.isoformat(), "performer": [facility_ref],
        "reasonCode": [{"coding": [{"system": ICD10, "code": c}]} for c in transfer.diagnosis_codes]
        + [{"text": transfer.reason}],
        "insurance": coverage_refs, "supportingInfo": document_refs, "basedOn": based_on,
        "note": [{"text": f"{transfer.get_status_display()}"
                          + (f": {transfer.status_note}" if transfer.status_note else "")}],
    }
    if transfer.planned_for:
        request["occurrenceDateTime"] = transfer.planned_for.isoformat()
    add("ServiceRequest", f"transfer-{transfer.pk}", request)
    # The transfer first: the packet's subject.
    entries.insert(0, entries.pop())
    return {"resourceType": "Bundle", "id": f"transfer-{transfer.pk}", "type": "collection",
            "timestamp": packet.generated_at.isoformat(), "entry": [_clean(e) for e in entries]}


def _units(auth: Any) -> list[dict[str, Any]]:
    """ClaimResponse.addItem.adjudication (1..* in R4): the units requested (submitted) and, once the payer
    approved, the units approved (eligible), as non-monetary values."""
    def one(code: str, value: Any) -> dict[str, Any]:
        return {"category": {"coding": [{"system": ADJUDICATION, "code": code}]}, "value": value}

    out = [one("submitted", auth.units_requested)]
    if auth.units_approved is not None:
        out.append(one("eligible", auth.units_approved))
    return out


def _clean(value: Any) -> Any:
    """Drop empty values (FHIR forbids empty strings, arrays and objects)."""
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_clean(x) for x in value) if v not in (None, "", [], {})]
    return value
