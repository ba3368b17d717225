"""Reads of the scheduling set-up (appointment types, weekly blocks, exceptions, holidays) and the calendar of
what they produce. Configuration holds no patient data: practice administrators read it. The calendar is the
availability computation itself (`availability.Window`), never stored slots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.practice.models import Location, Practitioner

from .availability import Window
from .models import AppointmentType, AvailabilityException, AvailabilityTemplate, LocationHoliday


def _admin_locations(actor: Actor) -> list[int]:
    require(actor, Perm.PRACTICE_ADMIN)
    return [loc.pk for loc in Location.objects.filter(active=True).order_by("name")
            if has_perm(actor, Perm.PRACTICE_ADMIN, location=loc.pk)]


def setup_locations(*, actor: Actor) -> list[Location]:
    """The active locations the administrator may set up."""
    allowed = _admin_locations(actor)
    return list(Location.objects.filter(pk__in=allowed).order_by("name"))


def setup_practitioners(*, actor: Actor, include_inactive: bool = False) -> list[Practitioner]:
    """The providers of the locations the administrator may set up, with their locations."""
    allowed = _admin_locations(actor)
    rows = Practitioner.objects.filter(locations__in=allowed).distinct().prefetch_related("locations")
    if not include_inactive:
        rows = rows.filter(active=True)
    return list(rows.order_by("last_name", "first_name", "pk"))


# --- appointment types ------------------------------------------------------------------------------------------

def appointment_types_list(*, actor: Actor, include_inactive: bool = False) -> list[AppointmentType]:
    require(actor, Perm.PRACTICE_ADMIN)
    rows = AppointmentType.objects.prefetch_related("allowed_practitioners")
    if not include_inactive:
        rows = rows.filter(active=True)
    return sorted(rows, key=lambda t: (not t.active, t.name.lower(), t.pk))


def appointment_type_detail(*, actor: Actor, appointment_type_id: int) -> AppointmentType:
    require(actor, Perm.PRACTICE_ADMIN)
    found = AppointmentType.objects.prefetch_related("allowed_practitioners").filter(pk=appointment_type_id).first()
    if found is None:
        raise NotFound()
    return found


# --- weekly blocks, exceptions, holidays ----------------------------------------------------------------------

def _templates(actor: Actor) -> QuerySet[AvailabilityTemplate]:
    return (AvailabilityTemplate.objects.filter(location_id__in=_admin_locations(actor))
            .select_related("practitioner", "location").prefetch_related("reserved_types"))


def availability_templates_list(*, actor: Actor, include_inactive: bool = False, practitioner_id: int | None = None
                                ) -> list[AvailabilityTemplate]:
    """Weekly blocks, those still in force first; ended ones (effective until a past day) only when asked."""
    rows = _templates(actor)
    if practitioner_id is not None:
        rows = rows.filter(practitioner_id=practitioner_id)
    if not include_inactive:
        yesterday = clock.now().date() - dt.timedelta(days=1)
        rows = rows.filter(Q(effective_until__isnull=True) | Q(effective_until__gte=yesterday))
        rows_list = [t for t in rows if not template_ended(t)]
    else:
        rows_list = list(rows)
    return sorted(rows_list, key=lambda t: (template_ended(t), t.practitioner.last_name, t.practitioner_id,
                                            t.location.name, t.weekday, t.start_time, t.pk))


def template_ended(template: AvailabilityTemplate) -> bool:
    """The block applies to no day from today on (in the location's zone)."""
    today = clock.today_in(template.location.tz)
    return template.effective_until is not None and template.effective_until < today


def availability_template_detail(*, actor: Actor, template_id: int) -> AvailabilityTemplate:
    found = _templates(actor).filter(pk=template_id).first()
    if found is None:
        raise NotFound()
    return found


def _exceptions(actor: Actor) -> QuerySet[AvailabilityException]:
    allowed = _admin_locations(actor)
    return (AvailabilityException.objects
            .filter(Q(location_id__in=allowed) | Q(location__isnull=True, practitioner__locations__in=allowed))
            .distinct().select_related("practitioner", "location"))


def availability_exceptions_list(*, actor: Actor, include_inactive: bool = False,
                                 practitioner_id: int | None = None) -> list[AvailabilityException]:
    """Exceptions not over yet (all of them when asked), soonest first."""
    rows = _exceptions(actor)
    if practitioner_id is not None:
        rows = rows.filter(practitioner_id=practitioner_id)
    if not include_inactive:
        rows = rows.filter(end__gt=clock.now())
    return list(rows.order_by("start", "pk"))


def availability_exception_detail(*, actor: Actor, exception_id: int) -> AvailabilityException:
    found = _exceptions(actor).filter(pk=exception_id).first()
    if found is None:
        raise NotFound()
    return found


def location_holidays_list(*, actor: Actor, include_inactive: bool = False) -> list[LocationHoliday]:
    """Closures from today on (all of them when asked), by day."""
    rows = LocationHoliday.objects.filter(location_id__in=_admin_locations(actor)).select_related("location")
    if not include_inactive:
        rows = rows.filter(day__gte=clock.now().date() - dt.timedelta(days=1))
        return [h for h in rows.order_by("day", "location__name", "pk") if h.day >= clock.today_in(h.location.tz)]
    return list(rows.order_by("day", "location__name", "pk"))


def location_holiday_detail(*, actor: Actor, holiday_id: int) -> LocationHoliday:
    found = (LocationHoliday.objects.filter(location_id__in=_admin_locations(actor), pk=holiday_id)
             .select_related("location").first())
    if found is None:
        raise NotFound()
    return found


# --- the calendar of what the rules produce -------------------------------------------------------------------

@dataclass
class CalendarBlock:
    start: dt.time
    end: dt.time
    reserved: list[str] = field(default_factory=list)  # the names of the only types it admits


@dataclass
class CalendarDay:
    day: dt.date
    blocks: list[CalendarBlock] = field(default_factory=list)
    holiday: str = ""
    away: bool = False  # an exception takes some or all of the day
    past: bool = False

    @property
    def works(self) -> bool:
        return bool(self.blocks)


def availability_calendar(*, actor: Actor, practitioner_id: int, location_id: int, first_day: dt.date,
                          weeks: int = 4) -> list[list[CalendarDay]]:
    """The provider's bookable hours at the location, week by week (Monday first), as the booking search sees
    them: weekly blocks minus exceptions, nothing on holidays. Appointments are not subtracted."""
    require(actor, Perm.PRACTICE_ADMIN)
    require(actor, Perm.PRACTICE_ADMIN, location=location_id, hide=True)
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise NotFound()
    monday = first_day - dt.timedelta(days=first_day.weekday())
    last_day = monday + dt.timedelta(days=7 * weeks - 1)
    window = Window.load(location=location, first_day=monday, last_day=last_day, practitioner_ids=[practitioner_id],
                         lazy_bookings=True, lazy_resources=True)
    reserved_ids = {i for templates in window.templates.values() for t in templates for i in t.reserved}
    names = {t.pk: t.local_name for t in AppointmentType.objects.filter(pk__in=reserved_ids)}
    tz, today = location.tz, clock.today_in(location.tz)
    holes = window.exceptions.get(practitioner_id, [])
    days: list[CalendarDay] = []
    for day in window.days():
        entry = CalendarDay(day=day, holiday=window.holidays.get(day, ""), past=day < today)
        start, end = day_span_utc(day, tz)
        entry.away = any(h_start < end and h_end > start for h_start, h_end in holes)
        for block in window.blocks(practitioner_id, day):
            entry.blocks.append(CalendarBlock(block.start.astimezone(tz).time(), block.end.astimezone(tz).time(),
                                              sorted(names.get(i, "") for i in block.reserved)))
        days.append(entry)
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def practitioner_locations(practitioner: Practitioner, allowed: Sequence[Any]) -> list[Location]:
    """The provider's locations among those the administrator may set up (prefetched `locations`)."""
    ids = {getattr(loc, "pk", loc) for loc in allowed}
    return [loc for loc in practitioner.locations.all() if loc.pk in ids and loc.active]
