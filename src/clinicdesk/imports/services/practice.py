"""Providers, rooms and equipment: each row through `practice.services`; undone by deactivating."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.core.permissions import Actor, Perm
from clinicdesk.practice import services as practice_services
from clinicdesk.practice.models import Equipment, Room
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from . import lookups
from .base import CellError, Kind, choice, integer, listed, text


def _booked(**lookup: object) -> bool:
    """Any appointment (in any status but entered in error) refers to the record."""
    return Appointment.objects.filter(**lookup).exclude(status=AppointmentStatus.ENTERED_IN_ERROR).exists()


# --- providers -------------------------------------------------------------------------------------------------

def _provider_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    where = lookups.locations(listed(cells, "locations"))
    if not where:
        raise CellError("locations", _("Give at least one location code (several separated by ;)."))
    color = text(cells, "color") or "#2f6f9f"
    return [practice_services.practitioner_create(
        actor=actor, first_name=text(cells, "first_name", required=True),
        last_name=text(cells, "last_name", required=True), npi=text(cells, "npi", required=True),
        location_ids=[loc.pk for loc in where], credentials=text(cells, "credentials"),
        specialty_codes=listed(cells, "specialties"), color=color,
        min_patient_age=integer(cells, "min_patient_age"), max_patient_age=integer(cells, "max_patient_age"))]


def _provider_used(model: str, ids: list[int]) -> str:
    if _booked(practitioner_id__in=ids):
        return _("An imported provider has appointments now.")
    return ""


def _provider_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in ids:
        practice_services.practitioner_deactivate(actor=actor, practitioner_id=pk)


PROVIDERS = Kind(
    code="providers", label=gettext_lazy("Providers"), perms=(Perm.PRACTICE_ADMIN,),
    columns=("first_name", "last_name", "npi", "locations", "credentials", "specialties", "color",
             "min_patient_age", "max_patient_age"),
    required=("first_name", "last_name", "npi", "locations"),
    import_row=_provider_row,
    field_columns={"locations": "locations", "specialties": "specialties", "npi": "npi"},
    used=_provider_used, undo=_provider_undo)


# --- rooms -----------------------------------------------------------------------------------------------------

def _room_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    where = lookups.location(text(cells, "location"))
    kind = choice(cells, "kind", Room.Kind.choices, default=Room.Kind.EXAM)
    return [practice_services.room_create(actor=actor, location_id=where.pk, name=text(cells, "name", required=True),
                                          kind=kind)]


def _room_used(model: str, ids: list[int]) -> str:
    return _("An imported room has appointments now.") if _booked(room_id__in=ids) else ""


def _room_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in ids:
        practice_services.room_deactivate(actor=actor, room_id=pk)


ROOMS = Kind(
    code="rooms", label=gettext_lazy("Rooms"), perms=(Perm.PRACTICE_ADMIN,),
    columns=("location", "name", "kind"), required=("location", "name"),
    import_row=_room_row, field_columns={"name": "name", "kind": "kind"}, used=_room_used, undo=_room_undo)


# --- equipment -------------------------------------------------------------------------------------------------

def _equipment_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    where = lookups.location(text(cells, "location"))
    kind = choice(cells, "kind", Equipment.Kind.choices)
    return [practice_services.equipment_create(actor=actor, location_id=where.pk,
                                               name=text(cells, "name", required=True), kind=kind)]


def _equipment_used(model: str, ids: list[int]) -> str:
    return _("An imported piece of equipment has appointments now.") if _booked(equipment__in=ids) else ""


def _equipment_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in ids:
        practice_services.equipment_deactivate(actor=actor, equipment_id=pk)


EQUIPMENT = Kind(
    code="equipment", label=gettext_lazy("Equipment"), perms=(Perm.PRACTICE_ADMIN,),
    columns=("location", "name", "kind"), required=("location", "name", "kind"),
    import_row=_equipment_row, field_columns={"kind": "kind"}, used=_equipment_used, undo=_equipment_undo)
