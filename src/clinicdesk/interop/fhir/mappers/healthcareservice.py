"""AppointmentType <-> FHIR HealthcareService (what can be booked)."""

from __future__ import annotations

from typing import Any

from clinicdesk.scheduling.models import AppointmentType

from . import TYPE_SYSTEM


def service_type(kind: AppointmentType) -> dict[str, Any]:
    return {"coding": [{"system": TYPE_SYSTEM, "code": kind.code, "display": kind.name}], "text": kind.name}


def to_fhir(kind: AppointmentType, organization_id: int | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "HealthcareService", "id": str(kind.pk), "active": kind.active,
        "identifier": [{"system": TYPE_SYSTEM, "value": kind.code}],
        "name": kind.name, "comment": kind.patient_facing_name,
        "type": [service_type(kind)],
        "category": [{"text": kind.get_category_display()}],
        "extraDetails": f"{kind.duration_minutes} minutes" + (", new patients" if kind.new_patient else ""),
        "appointmentRequired": True,
    }
    if kind.telehealth:
        resource["characteristic"] = [{"text": "telehealth"}]
    if organization_id is not None:
        resource["providedBy"] = {"reference": f"Organization/{organization_id}"}
    return resource
