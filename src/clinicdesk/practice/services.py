"""Writes to the practice set-up: practitioners, rooms, equipment. Practice administrators only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, ValidationFailed
from clinicdesk.core.identifiers import npi_valid
from clinicdesk.core.permissions import Perm, require

from .models import Equipment, Location, Practitioner, Room, Specialty


def _locations(actor: Any, location_ids: Sequence[int]) -> list[Location]:
    if not location_ids:
        raise ValidationFailed("location-required", "A practitioner works at one location at least.",
                               fields={"locations": ["Choose at least one location."]})
    for location_id in location_ids:
        require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    locations = list(Location.objects.filter(pk__in=location_ids, active=True))
    if len(locations) != len(set(location_ids)):
        raise ValidationFailed("unknown-location", "No such location.", fields={"locations": ["Unknown location."]})
    return locations


@atomic_service
def practitioner_create(*, actor: Any, first_name: str, last_name: str, npi: str, location_ids: Sequence[int],
                        credentials: str = "", specialty_codes: Sequence[str] = (), color: str = "#2f6f9f"
                        ) -> Practitioner:
    """Add a practitioner. The NPI must carry a valid check digit (Luhn over 80840 + the NPI)."""
    require(actor, Perm.PRACTICE_ADMIN)
    npi = npi.strip()
    if not npi_valid(npi):
        raise ValidationFailed("bad-npi", f"'{npi}' is not a valid NPI: ten digits with a correct check digit.",
                               fields={"npi": ["Not a valid NPI (check digit)."]})
    if not first_name.strip() or not last_name.strip():
        raise ValidationFailed("name-required", "First and last name are required.")
    locations = _locations(actor, location_ids)
    if Practitioner.objects.filter(npi=npi).exists():
        raise Conflict("duplicate-npi", "A practitioner with this NPI exists already.")
    specialties = list(Specialty.objects.filter(code__in=specialty_codes))
    if len(specialties) != len(set(specialty_codes)):
        raise ValidationFailed("unknown-specialty", "No such specialty.", fields={"specialties": ["Unknown."]})
    practitioner = Practitioner.objects.create(
        first_name=first_name.strip(), last_name=last_name.strip(), npi=npi, credentials=credentials.strip(),
        specialty=specialties[0].name if specialties else "", color=color)
    practitioner.locations.set(locations)
    practitioner.specialties.set(specialties)
    record(actor, "practitioner.create", practitioner, detail={"npi": npi})
    return practitioner


@atomic_service
def practitioner_set_locations(*, actor: Any, practitioner_id: int, location_ids: Sequence[int]) -> Practitioner:
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None:
        raise ValidationFailed("unknown-practitioner", "No such practitioner.")
    for location_id in practitioner.locations.values_list("pk", flat=True):
        require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    practitioner.locations.set(_locations(actor, location_ids))
    record(actor, "practitioner.locations", practitioner, detail={"locations": sorted(location_ids)})
    return practitioner


@atomic_service
def room_create(*, actor: Any, location_id: int, name: str, kind: str = Room.Kind.EXAM) -> Room:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if kind not in Room.Kind.values:
        raise ValidationFailed("bad-kind", f"'{kind}' is not a room kind.", fields={"kind": ["Unknown kind."]})
    if Room.objects.filter(location_id=location_id, name=name.strip()).exists():
        raise Conflict("duplicate-room", "A room with this name exists at the location.")
    room = Room.objects.create(location_id=location_id, name=name.strip(), kind=kind)
    record(actor, "room.create", room)
    return room


@atomic_service
def equipment_create(*, actor: Any, location_id: int, name: str, kind: str) -> Equipment:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if kind not in Equipment.Kind.values:
        raise ValidationFailed("bad-kind", f"'{kind}' is not an equipment kind.", fields={"kind": ["Unknown kind."]})
    item = Equipment.objects.create(location_id=location_id, name=name.strip(), kind=kind)
    record(actor, "equipment.create", item)
    return item
