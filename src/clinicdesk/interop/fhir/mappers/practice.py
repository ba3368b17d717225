"""Practitioner, PractitionerRole, Organization and Location <-> FHIR (read only)."""

from __future__ import annotations

from typing import Any

from clinicdesk.practice.models import Location, Organization, Practitioner

from . import NPI_SYSTEM


def practitioner(item: Practitioner) -> dict[str, Any]:
    name: dict[str, Any] = {"use": "official", "family": item.last_name, "given": [item.first_name]}
    if item.credentials:
        name["suffix"] = [item.credentials]
    return {"resourceType": "Practitioner", "id": str(item.pk), "active": item.active,
            "identifier": [{"system": NPI_SYSTEM, "value": item.npi}], "name": [name]}


def role_id(practitioner_id: int, location_id: int) -> str:
    return f"{practitioner_id}-{location_id}"


def practitioner_role(item: Practitioner, location: Location) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "PractitionerRole", "id": role_id(item.pk, location.pk),
        "active": item.active and location.active,
        "practitioner": {"reference": f"Practitioner/{item.pk}", "display": str(item)},
        "organization": {"reference": f"Organization/{location.organization_id}"},
        "location": [{"reference": f"Location/{location.pk}", "display": location.name}],
    }
    specialties = [{"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": s.taxonomy,
                                "display": s.name}] if s.taxonomy else [], "text": s.name}
                   for s in item.specialties.all()]
    if specialties:
        resource["specialty"] = [{k: v for k, v in s.items() if v} for s in specialties]
    elif item.specialty:
        resource["specialty"] = [{"text": item.specialty}]
    return resource


def organization(item: Organization) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Organization", "id": str(item.pk), "active": True,
                                "name": item.name}
    if item.npi:
        resource["identifier"] = [{"system": NPI_SYSTEM, "value": item.npi}]
    if item.phone:
        resource["telecom"] = [{"system": "phone", "value": item.phone, "use": "work"}]
    return resource


def location(item: Location) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Location", "id": str(item.pk), "status": "active" if item.active else "inactive",
        "identifier": [{"system": "urn:clinicdesk:location", "value": item.code}],
        "name": item.name, "mode": "instance",
        "address": {"use": "work", "line": [item.address_line], "city": item.city, "state": item.state,
                    "postalCode": item.postal_code, "country": "US"},
        "managingOrganization": {"reference": f"Organization/{item.organization_id}"},
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": item.time_zone}],
    }
    if item.phone:
        resource["telecom"] = [{"system": "phone", "value": item.phone, "use": "work"}]
    return resource
