"""Audit trail entries -> FHIR R4 AuditEvent."""

from __future__ import annotations

from typing import Any

from clinicdesk.audit.models import AuditEntry

from . import instant

_ACTION = {"create": "C", "book": "C", "read": "R", "search": "E", "list": "R", "update": "U", "delete": "D"}
_OUTCOME = {"allowed": "0", "denied": "8"}


def to_fhir(entry: AuditEntry) -> dict[str, Any]:
    verb = entry.action.rsplit(".", 1)[-1]
    who: dict[str, Any] = {"display": entry.actor_username or "system"}
    if entry.actor_id:
        who["identifier"] = {"system": "urn:clinicdesk:user", "value": str(entry.actor_id)}
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent", "id": str(entry.pk),
        "type": {"system": "urn:clinicdesk:audit-action", "code": entry.action},
        "action": _ACTION.get(verb, "E"),
        "recorded": instant(entry.at),
        "outcome": _OUTCOME.get(str(entry.outcome), "4"),
        "agent": [{"who": who, "requestor": True,
                   **({"role": [{"text": entry.actor_role}]} if entry.actor_role else {}),
                   **({"network": {"address": entry.ip, "type": "2"}} if entry.ip else {})}],
        "source": {"observer": {"display": f"Clinicdesk ({entry.channel})"}},
    }
    entities: list[dict[str, Any]] = []
    if entry.resource_type:
        entities.append({"what": {"identifier": {"system": f"urn:clinicdesk:{entry.resource_type}",
                                                 "value": entry.resource_id or "-"}},
                         "type": {"system": "urn:clinicdesk:resource-type", "code": entry.resource_type}})
    if entry.patient_id:
        entities.append({"what": {"reference": f"Patient/{entry.patient_id}"},
                         "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1",
                                  "display": "Patient"}})
    if entities:
        resource["entity"] = entities
    return resource
