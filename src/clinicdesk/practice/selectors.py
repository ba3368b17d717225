from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require

from .models import Equipment, Location, OpeningHours, Organization, Practitioner, Room, Specialty


def locations_for(actor: Actor) -> QuerySet[Location]:
    """The active locations a staff user works at (all of them for practice-wide roles)."""
    locations = Location.objects.filter(active=True).prefetch_related(
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )
    if getattr(actor, "practice_wide", False):
        return locations
    return locations.filter(pk__in=actor.location_ids())


def locations_reported(actor: Actor, *perms: Perm) -> list[Location]:
    """The active locations whose figures `actor` may read, by name: every location for practice-wide roles, else
    their own; each must grant every one of `perms` there (the dashboards: reports.read; the payment reports:
    reports.read and billing.read). One rule for every report's location filter."""
    locations = Location.objects.filter(active=True).order_by("name")
    if not getattr(actor, "practice_wide", False):
        locations = locations.filter(pk__in=actor.location_ids())
    return [loc for loc in locations if all(has_perm(actor, perm, location=loc) for perm in perms)]


def practitioners_at(locations: list[Location]) -> list[Practitioner]:
    """The practitioners working at any of `locations`, by name (a report's provider filter)."""
    return list(Practitioner.objects.filter(locations__in=[loc.pk for loc in locations])
                .distinct().order_by("last_name", "first_name", "pk"))


# --- configuration reads (practice administrators) --------------------------------------------------------------

def _active_first(queryset: QuerySet[Any], include_inactive: bool, *order: str) -> QuerySet[Any]:
    if not include_inactive:
        return queryset.filter(active=True).order_by(*order)
    return queryset.order_by("-active", *order)


def organization_current() -> Organization | None:
    """The practice's one organization (None before it is set up). Not limited: the name is not a secret."""
    return Organization.objects.order_by("pk").first()


def organizations_list(*, actor: Actor) -> list[Organization]:
    require(actor, Perm.PRACTICE_ADMIN)
    organization = organization_current()
    return [organization] if organization is not None else []


def organization_detail(*, actor: Actor, organization_id: int) -> Organization:
    require(actor, Perm.PRACTICE_ADMIN)
    organization = organization_current()
    if organization is None or organization.pk != organization_id:
        raise NotFound()
    return organization


def locations_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Location]:
    """Every location (active first), with its opening hours prefetched."""
    require(actor, Perm.PRACTICE_ADMIN)
    return _active_first(Location.objects.prefetch_related(
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))), include_inactive, "name")


def location_detail(*, actor: Actor, location_id: int) -> Location:
    require(actor, Perm.PRACTICE_ADMIN)
    require(actor, Perm.PRACTICE_ADMIN, location=location_id, hide=True)
    location = locations_list(actor=actor, include_inactive=True).filter(pk=location_id).first()
    if location is None:
        raise NotFound()
    return location


def location_choices(*, actor: Actor) -> QuerySet[Location]:
    """The active locations a practice administrator may put records at."""
    require(actor, Perm.PRACTICE_ADMIN)
    return Location.objects.filter(active=True).order_by("name")


def specialty_choices() -> QuerySet[Specialty]:
    return Specialty.objects.order_by("name")


def practitioners_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Practitioner]:
    """Every practitioner (active first) with locations and specialties prefetched."""
    require(actor, Perm.PRACTICE_ADMIN)
    return _active_first(Practitioner.objects.prefetch_related(
        Prefetch("locations", queryset=Location.objects.order_by("name")),
        Prefetch("specialties", queryset=Specialty.objects.order_by("name"))),
        include_inactive, "last_name", "first_name")


def practitioner_detail(*, actor: Actor, practitioner_id: int) -> Practitioner:
    require(actor, Perm.PRACTICE_ADMIN)
    practitioner = practitioners_list(actor=actor, include_inactive=True).filter(pk=practitioner_id).first()
    if practitioner is None:
        raise NotFound()
    return practitioner


def practitioner_appointment_types(*, actor: Actor, practitioner_id: int) -> list[Any]:
    """The active appointment types the practitioner takes: those that name them, and those open to every
    practitioner (no one named). Read-only here; scheduling's set-up screens change them."""
    from clinicdesk.scheduling.models import AppointmentType

    require(actor, Perm.PRACTICE_ADMIN)
    return list(AppointmentType.objects.filter(active=True)
                .filter(Q(allowed_practitioners=None) | Q(allowed_practitioners=practitioner_id))
                .distinct().order_by("name"))


def rooms_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Room]:
    require(actor, Perm.PRACTICE_ADMIN)
    return _active_first(Room.objects.select_related("location"), include_inactive, "location__name", "name")


def room_detail(*, actor: Actor, room_id: int) -> Room:
    require(actor, Perm.PRACTICE_ADMIN)
    room = Room.objects.select_related("location").filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN, location=room.location_id, hide=True)
    return room


def equipment_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Equipment]:
    require(actor, Perm.PRACTICE_ADMIN)
    return _active_first(Equipment.objects.select_related("location"), include_inactive, "location__name", "name")


def equipment_detail(*, actor: Actor, equipment_id: int) -> Equipment:
    require(actor, Perm.PRACTICE_ADMIN)
    item = Equipment.objects.select_related("location").filter(pk=equipment_id).first()
    if item is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN, location=item.location_id, hide=True)
    return item


# The practice settings (#14, helper "firstrun"): kept in their own module, read from here.
from .settings_selectors import (  # noqa: E402, F401
    practice_settings,
    practice_settings_defaults,
    practice_settings_forget,
)
