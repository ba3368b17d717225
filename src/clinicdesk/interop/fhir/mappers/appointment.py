"""Appointment <-> FHIR R4 Appointment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..errors import FhirError
from ..validation import reference
from . import instant
from .healthcareservice import service_type


def to_fhir(item: Appointment) -> dict[str, Any]:
    participants: list[dict[str, Any]] = [
        {"actor": {"reference": f"Patient/{item.patient_id}"}, "required": "required", "status": "accepted"},
        {"actor": {"reference": f"Practitioner/{item.practitioner_id}", "display": str(item.practitioner)},
         "required": "required", "status": "accepted"},
        {"actor": {"reference": f"Location/{item.location_id}", "display": item.location.name},
         "required": "required", "status": "accepted"},
    ]
    resource: dict[str, Any] = {
        "resourceType": "Appointment", "id": str(item.pk), "status": item.status,
        "serviceType": [service_type(item.appointment_type)],
        "description": item.appointment_type.patient_facing_name,
        "start": instant(item.start), "end": instant(item.end),
        "minutesDuration": int((item.end - item.start).total_seconds() // 60),
        "created": instant(item.created_at) if item.created_at else None,
        "participant": participants,
    }
    if resource["created"] is None:
        del resource["created"]
    if item.note:
        resource["comment"] = item.note
    if item.cancel_reason and item.status == AppointmentStatus.CANCELLED:
        resource["cancelationReason"] = {"text": item.cancel_reason}
    return resource


@dataclass(frozen=True)
class AppointmentInput:
    status: str
    patient_id: int | None
    practitioner_id: int | None
    location_id: int | None
    type_code: str | None
    slot_id: str | None
    start: dt.datetime | None
    end: dt.datetime | None
    comment: str
    cancel_reason: str


def _moment(value: Any, where: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise FhirError(422, "value", f"{where}: '{value}' is not an instant.", expression=[where]) from exc
    return moment


def from_fhir(resource: dict[str, Any]) -> AppointmentInput:
    ids: dict[str, int | None] = {"Patient": None, "Practitioner": None, "Location": None}
    for index, participant in enumerate(resource.get("participant", [])):
        actor = participant.get("actor")
        if not actor:
            continue
        where = f"Appointment.participant[{index}].actor"
        found = reference(actor, ("Patient", "Practitioner", "Location"), where)
        kind = actor["reference"].split("/")[-2] if "/_history/" not in actor["reference"] else \
            actor["reference"].split("/")[-4]
        if not found.isdigit():
            raise FhirError(422, "invalid", f"{where}: no such {kind} '{found}'.", expression=[where])
        ids[kind] = int(found)
    type_code = None
    for index, concept in enumerate(resource.get("serviceType", [])):
        for coding in concept.get("coding", []):
            if coding.get("code"):
                type_code = coding["code"]
                break
        if type_code is None and concept.get("coding"):
            raise FhirError(422, "invalid", f"Appointment.serviceType[{index}]: a coding with a code is needed.",
                            expression=[f"Appointment.serviceType[{index}]"])
    slots = resource.get("slot", [])
    slot_id = reference(slots[0], "Slot", "Appointment.slot[0]") if slots else None
    return AppointmentInput(
        status=resource.get("status", "booked"), patient_id=ids["Patient"], practitioner_id=ids["Practitioner"],
        location_id=ids["Location"], type_code=type_code, slot_id=slot_id,
        start=_moment(resource.get("start"), "Appointment.start"),
        end=_moment(resource.get("end"), "Appointment.end"),
        comment=resource.get("comment", "") or "",
        cancel_reason=(resource.get("cancelationReason") or {}).get("text", "") or "",
    )
