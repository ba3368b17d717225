"""Coverage (insurance on file) -> FHIR R4 Coverage."""

from __future__ import annotations

from typing import Any

from clinicdesk.patients.models import Coverage


def to_fhir(item: Coverage, today: Any) -> dict[str, Any]:
    active = item.is_active_on(today)
    resource: dict[str, Any] = {
        "resourceType": "Coverage", "id": str(item.pk), "status": "active" if active else "cancelled",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                             "code": "MB"}]}, "value": item.member_id}],
        "subscriberId": item.member_id,
        "beneficiary": {"reference": f"Patient/{item.patient_id}"},
        "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                     "code": item.relationship}]},
        "period": {"start": item.start_date.isoformat()},
        "payor": [{"display": item.payer.name}],
        "order": item.order,
    }
    if item.end_date:
        resource["period"]["end"] = item.end_date.isoformat()
    classes = []
    if item.group_number:
        classes.append({"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                             "code": "group"}]}, "value": item.group_number})
    if item.plan_name:
        classes.append({"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                             "code": "plan"}]}, "value": item.plan_name, "name": item.plan_name})
    if classes:
        resource["class"] = classes
    if item.relationship == "self":
        resource["subscriber"] = {"reference": f"Patient/{item.patient_id}"}
    return resource
