"""Referrals and prior authorizations -> FHIR R4 ServiceRequest (#18 item 10). Pure: a loaded model in, a dict out.

Three kinds share the resource, told apart by the id's prefix and a category in urn:clinicdesk:service-request-kind:
- `referral-<id>`: an incoming referral (another provider asks us to see the patient; requester: that provider,
  occurrence: the valid dates, quantity: the visits authorized; the payer's referral number as identifier);
- `outgoing-<id>`: a referral we send to a specialist (requester: our practitioner, performer: the specialist);
- `authorization-<id>`: the service a prior authorization asks the payer to allow (code: the CPT/HCPCS codes,
  quantity: units approved or requested, occurrence: the approved or the requested dates, insurance: the
  Coverage; the payer's authorization number as identifier).
Referrals also carry SNOMED CT 3457005 (patient referral)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinicdesk.insurance.models import OutgoingReferral, PriorAuthorization, Referral

from . import NPI_SYSTEM, instant

KIND_SYSTEM = "urn:clinicdesk:service-request-kind"
KIND_CODES = {"referral": "incoming-referral", "outgoing": "outgoing-referral", "authorization": "prior-authorization"}
KIND_DISPLAY = {"referral": "Incoming referral", "outgoing": "Outgoing referral",
                "authorization": "Prior authorization"}
REFERRAL_NUMBER_SYSTEM = "urn:clinicdesk:payer-referral-number"
AUTH_NUMBER_SYSTEM = "urn:clinicdesk:prior-authorization-number"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
SNOMED = "http://snomed.info/sct"
# Outgoing referral and authorization statuses -> R4 request-status.
OUTGOING_STATUS = {"sent": "active", "received": "active", "scheduled": "active", "seen": "completed",
                   "closed": "completed"}
AUTHORIZATION_STATUS = {"requested": "on-hold", "approved": "active", "partial": "active", "denied": "revoked",
                        "expired": "completed"}


def kind_of(item: Referral | OutgoingReferral | PriorAuthorization) -> str:
    if isinstance(item, Referral):
        return "referral"
    return "outgoing" if isinstance(item, OutgoingReferral) else "authorization"


def parse_id(ident: str) -> tuple[str, int] | None:
    """`referral-12` -> ("referral", 12); None for anything else."""
    kind, _dash, number = ident.partition("-")
    if kind not in KIND_CODES or not number.isdigit() or len(number) > 18:
        return None
    return kind, int(number)


def _category(kind: str) -> list[dict[str, Any]]:
    categories = [{"coding": [{"system": KIND_SYSTEM, "code": KIND_CODES[kind], "display": KIND_DISPLAY[kind]}]}]
    if kind != "authorization":
        categories.append({"coding": [{"system": SNOMED, "code": "3457005", "display": "Patient referral"}]})
    return categories


def _reasons(codes: list[str], text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"coding": [{"system": ICD10, "code": c}]} for c in codes or []]
    if text:
        out.append({"text": text})
    return out


def _period(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    return {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v is not None}


def to_fhir(item: Referral | OutgoingReferral | PriorAuthorization, today: dt.date) -> dict[str, Any]:
    kind = kind_of(item)
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest", "id": f"{kind}-{item.pk}", "intent": "order",
        "category": _category(kind), "subject": {"reference": f"Patient/{item.patient_id}"},
        "authoredOn": instant(item.created_at),
    }
    if isinstance(item, Referral):
        used_up = item.visits_used >= item.visits_authorized
        resource["status"] = "completed" if used_up or item.valid_to < today else "active"
        if item.referral_number:
            resource["identifier"] = [{"system": REFERRAL_NUMBER_SYSTEM, "value": item.referral_number}]
        requester: dict[str, Any] = {"display": item.referring_name}
        if item.referring_npi:
            requester["identifier"] = {"system": NPI_SYSTEM, "value": item.referring_npi}
        resource.update(
            requester=requester, occurrencePeriod=_period(item.valid_from, item.valid_to),
            quantityQuantity={"value": item.visits_authorized, "unit": "visits"},
            reasonCode=_reasons(item.diagnosis_codes, item.reason),
            note=[{"text": f"Visits used: {item.visits_used} of {item.visits_authorized}"
                           + (f"; payer: {item.payer.name}" if item.payer else "")}])
    elif isinstance(item, OutgoingReferral):
        resource["status"] = OUTGOING_STATUS.get(item.status, "unknown")
        resource["note"] = [{"text": f"Status: {item.status}" + (f"; {item.status_note}" if item.status_note else "")}]
        resource["priority"] = "urgent" if item.urgent else "routine"
        if item.referring_practitioner_id:
            resource["requester"] = {"reference": f"Practitioner/{item.referring_practitioner_id}"}
        performer: dict[str, Any] = {"display": item.specialist_name}
        if item.specialist_npi:
            performer["identifier"] = {"system": NPI_SYSTEM, "value": item.specialist_npi}
        resource["performer"] = [performer]
        if item.specialty:
            resource["performerType"] = {"text": item.specialty}
        resource["reasonCode"] = _reasons(item.diagnosis_codes, item.reason)
        resource["locationReference"] = [{"reference": f"Location/{item.location_id}"}]
    else:
        resource["status"] = AUTHORIZATION_STATUS.get(item.status, "unknown")
        if item.auth_number:
            resource["identifier"] = [{"system": AUTH_NUMBER_SYSTEM, "value": item.auth_number}]
        resource["code"] = {"coding": [{"system": CPT, "code": c} for c in item.procedure_codes],
                            "text": ", ".join(item.procedure_codes)}
        approved = item.units_approved is not None
        resource["quantityQuantity"] = {"value": item.units_approved if approved else item.units_requested,
                                        "unit": "units"}
        resource["occurrencePeriod"] = _period(item.valid_from, item.valid_to) if item.valid_from \
            else _period(item.requested_from, item.requested_to)
        if item.coverage_id:
            resource["insurance"] = [{"reference": f"Coverage/{item.coverage_id}"}]
        resource["reasonCode"] = _reasons([], item.clinical_reason)
        notes = [f"Status: {item.status}", f"units requested: {item.units_requested}"]
        if approved:
            notes.append(f"approved: {item.units_approved}, used: {item.units_used}")
        if item.payer is not None:
            notes.append(f"payer: {item.payer.name}")
        if item.decision_note:
            notes.append(f"payer's note: {item.decision_note}")
        resource["note"] = [{"text": "; ".join(notes)}]
    return resource
