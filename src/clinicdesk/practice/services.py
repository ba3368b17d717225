"""Writes to the practice set-up: practitioners, rooms, equipment. Practice administrators only."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, ValidationFailed
from clinicdesk.core.identifiers import npi_valid
from clinicdesk.core.permissions import Actor, Perm, require

from .models import Equipment, Location, Practitioner, Room, Specialty


def _locations(actor: Actor, location_ids: Sequence[int]) -> list[Location]:
    if not location_ids:
        raise ValidationFailed("location-required", _("A practitioner works at one location at least."),
                               fields={"locations": [_("Choose at least one location.")]})
    for location_id in location_ids:
        require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    locations = list(Location.objects.filter(pk__in=location_ids, active=True))
    if len(locations) != len(set(location_ids)):
        raise ValidationFailed("unknown-location", _("No such location."),
                               fields={"locations": [_("Unknown location.")]})
    return locations


@atomic_service
def practitioner_create(*, actor: Actor, first_name: str, last_name: str, npi: str, location_ids: Sequence[int],
                        credentials: str = "", specialty_codes: Sequence[str] = (), color: str = "#2f6f9f",
                        min_patient_age: int | None = None, max_patient_age: int | None = None) -> Practitioner:
    """Add a practitioner. The NPI must carry a valid check digit (Luhn over 80840 + the NPI). The patient age
    range (whole years, either end open) is who the provider sees: a paediatric provider 0 to 17."""
    require(actor, Perm.PRACTICE_ADMIN)
    npi = npi.strip()
    if not npi_valid(npi):
        raise ValidationFailed("bad-npi", _("'%(npi)s' is not a valid NPI: ten digits with a correct check digit.")
                               % {"npi": npi},
                               fields={"npi": [_("Not a valid NPI (check digit).")]})
    if not first_name.strip() or not last_name.strip():
        raise ValidationFailed("name-required", _("First and last name are required."))
    if any(age is not None and not 0 <= age <= 130 for age in (min_patient_age, max_patient_age)) or (
            min_patient_age is not None and max_patient_age is not None and max_patient_age < min_patient_age):
        raise ValidationFailed("bad-age-range", _("The patient age range runs from a lower to a higher age, "
                                                  "0 to 130 years."),
                               fields={"max_patient_age": [_("Check the ages.")]})
    locations = _locations(actor, location_ids)
    if Practitioner.objects.filter(npi=npi).exists():
        raise Conflict("duplicate-npi", _("A practitioner with this NPI exists already."))
    specialties = list(Specialty.objects.filter(code__in=specialty_codes))
    if len(specialties) != len(set(specialty_codes)):
        raise ValidationFailed("unknown-specialty", _("No such specialty."), fields={"specialties": [_("Unknown.")]})
    practitioner = Practitioner.objects.create(
        first_name=first_name.strip(), last_name=last_name.strip(), npi=npi, credentials=credentials.strip(),
        specialty=specialties[0].name if specialties else "", color=color, min_patient_age=min_patient_age,
        max_patient_age=max_patient_age)
    practitioner.locations.set(locations)
    practitioner.specialties.set(specialties)
    record(actor, "practitioner.create", practitioner, detail={"npi": npi})
    return practitioner


@atomic_service
def practitioner_set_locations(*, actor: Actor, practitioner_id: int, location_ids: Sequence[int]) -> Practitioner:
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None:
        raise ValidationFailed("unknown-practitioner", _("No such practitioner."))
    for location_id in practitioner.locations.values_list("pk", flat=True):
        require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    practitioner.locations.set(_locations(actor, location_ids))
    record(actor, "practitioner.locations", practitioner, detail={"locations": sorted(location_ids)})
    return practitioner


@atomic_service
def room_create(*, actor: Actor, location_id: int, name: str, kind: str = Room.Kind.EXAM) -> Room:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if kind not in Room.Kind.values:
        raise ValidationFailed("bad-kind", _("'%(kind)s' is not a room kind.") % {"kind": kind},
                               fields={"kind": [_("Unknown kind.")]})
    if Room.objects.filter(location_id=location_id, name=name.strip()).exists():
        raise Conflict("duplicate-room", _("A room with this name exists at the location."))
    room = Room.objects.create(location_id=location_id, name=name.strip(), kind=kind)
    record(actor, "room.create", room)
    return room


@atomic_service
def equipment_create(*, actor: Actor, location_id: int, name: str, kind: str) -> Equipment:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if kind not in Equipment.Kind.values:
        raise ValidationFailed("bad-kind", _("'%(kind)s' is not an equipment kind.") % {"kind": kind},
                               fields={"kind": [_("Unknown kind.")]})
    item = Equipment.objects.create(location_id=location_id, name=name.strip(), kind=kind)
    record(actor, "equipment.create", item)
    return item
