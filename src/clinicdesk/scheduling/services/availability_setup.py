"""Availability set-up: weekly blocks, exceptions (vacation, meetings) and location holidays.

Nothing here touches an appointment: removing a block or an exception changes what can be booked from now on;
appointments already booked stay where they are (the coordinator moves them, the day view shows them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Location, Practitioner

from ..models import (
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    LocationHoliday,
)
from .booking import _aware

TEMPLATE_FIELDS = ("practitioner", "location", "weekday", "start_time", "end_time", "effective_from",
                   "effective_until", "reserved_types", "label")
EXCEPTION_FIELDS = ("practitioner", "location", "kind", "start", "end", "reason")
HOLIDAY_FIELDS = ("location", "day", "name")
_TEMPLATE_CHANGEABLE = frozenset({"weekday", "start_time", "end_time", "effective_from", "effective_until",
                                  "reserved_type_ids", "label"})


def _gone(before: dict[str, Any]) -> dict[str, list[Any]]:
    """The change detail of a removed record: every value it had, to nothing."""
    return {name: [value, None] for name, value in before.items() if value not in (None, "", [])}


def _check_template(*, practitioner_id: int, weekday: int, start_time: dt.time, end_time: dt.time,
                    effective_from: dt.date, effective_until: dt.date | None, reserved_type_ids: Sequence[int],
                    exclude_id: int | None = None) -> None:
    """Every rule of a weekly block (the same for adding and changing one)."""
    if weekday not in range(7):
        raise ValidationFailed("bad-weekday", _("Days are 0 (Monday) to 6 (Sunday)."),
                               fields={"weekday": [_("Not a day of the week.")]})
    if end_time <= start_time:
        raise ValidationFailed("end-before-start", _("The block ends before it starts."),
                               fields={"end_time": [_("Must be after the start.")]})
    if effective_until is not None and effective_until < effective_from:
        raise ValidationFailed("end-before-start", _("The block stops being effective before it starts."),
                               fields={"effective_until": [_("Must be on or after the first day.")]})
    wanted = set(reserved_type_ids)
    if wanted and AppointmentType.objects.filter(pk__in=wanted, active=True).count() != len(wanted):
        raise ValidationFailed("unknown-type", _("Reserve the block for active appointment types only."),
                               fields={"reserved_type_ids": [_("Choose active appointment types.")]})
    clash = AvailabilityTemplate.objects.filter(
        practitioner_id=practitioner_id, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time,
    ).filter(Q(effective_until__isnull=True) | Q(effective_until__gte=effective_from))
    if effective_until is not None:
        clash = clash.filter(effective_from__lte=effective_until)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise Conflict("template-overlap", _("This block overlaps another block of the same practitioner."),
                       fields={"start_time": [_("Overlaps another block of this provider.")]})


@atomic_service
def availability_template_add(*, actor: Actor, practitioner_id: int, location_id: int, weekday: int,
                              start_time: dt.time, end_time: dt.time, effective_from: dt.date,
                              effective_until: dt.date | None = None, reserved_type_ids: Sequence[int] = (),
                              label: str = "") -> AvailabilityTemplate:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None or not practitioner.locations.filter(pk=location_id).exists():
        raise ValidationFailed("wrong-location", _("The practitioner does not work at that location."),
                               fields={"practitioner_id": [_("Does not work at that location.")]})
    # One practitioner at a time: two coordinators adding blocks for the same provider cannot both pass the check.
    Practitioner.objects.select_for_update().filter(pk=practitioner_id).first()
    _check_template(practitioner_id=practitioner_id, weekday=weekday, start_time=start_time, end_time=end_time,
                    effective_from=effective_from, effective_until=effective_until,
                    reserved_type_ids=reserved_type_ids)
    template = AvailabilityTemplate.objects.create(
        practitioner=practitioner, location_id=location_id, weekday=weekday, start_time=start_time,
        end_time=end_time, effective_from=effective_from, effective_until=effective_until, label=label.strip()[:60])
    if reserved_type_ids:
        template.reserved_types.set(AppointmentType.objects.filter(pk__in=reserved_type_ids))
    record(actor, "availability.template.add", template,
           detail={"changes": diff({}, snapshot(template, TEMPLATE_FIELDS))})
    return template


def _template(actor: Actor, template_id: int) -> AvailabilityTemplate:
    template = (AvailabilityTemplate.objects.select_for_update().select_related("location")
                .filter(pk=template_id).first())
    if template is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN)
    require(actor, Perm.PRACTICE_ADMIN, location=template.location_id, hide=True)
    return template


@atomic_service
def availability_template_update(*, actor: Actor, template_id: int, **changes: Any) -> AvailabilityTemplate:
    """Change the day, hours, effective dates, reserved types or label of a block (not its provider or
    location: end it and add another). The same rules as adding one; appointments booked stay."""
    template = _template(actor, template_id)
    unknown = sorted(set(changes) - _TEMPLATE_CHANGEABLE)
    if unknown:
        raise ValidationFailed("unknown-field",
                               _("These cannot be changed: %(names)s.") % {"names": ", ".join(unknown)},
                               fields={name: [_("Cannot be changed.")] for name in unknown})
    Practitioner.objects.select_for_update().filter(pk=template.practitioner_id).first()
    before = snapshot(template, TEMPLATE_FIELDS)
    values = {name: changes.get(name, getattr(template, name))
              for name in ("weekday", "start_time", "end_time", "effective_from", "effective_until")}
    reserved = changes.get("reserved_type_ids")
    _check_template(practitioner_id=template.practitioner_id, **values,
                    reserved_type_ids=reserved if reserved is not None else (), exclude_id=template.pk)
    for name, value in values.items():
        setattr(template, name, value)
    if "label" in changes:
        template.label = str(changes["label"] or "").strip()[:60]
    template.save()
    if reserved is not None:
        template.reserved_types.set(AppointmentType.objects.filter(pk__in=reserved))
    changed = diff(before, snapshot(template, TEMPLATE_FIELDS))
    if changed:
        record(actor, "availability.template.update", template, detail={"changes": changed})
    return template


@atomic_service
def availability_template_remove(*, actor: Actor, template_id: int) -> AvailabilityTemplate | None:
    """Stop a weekly block from tomorrow on. A block already in use ends today (effective until today, so the
    days it applied stay as they were); a block that has not started yet is deleted, and None is returned.
    Appointments already booked in it stay."""
    template = _template(actor, template_id)
    today = clock.today_in(template.location.tz)
    before = snapshot(template, TEMPLATE_FIELDS)
    if template.effective_from > today:
        pk = template.pk
        template.delete()
        record(actor, "availability.template.remove", resource_type="availabilitytemplate", resource_id=pk,
               detail={"changes": _gone(before), "deleted": True})
        return None
    if template.effective_until is None or template.effective_until > today:
        template.effective_until = today
        template.save(update_fields=["effective_until"])
        record(actor, "availability.template.remove", template,
               detail={"changes": diff(before, snapshot(template, TEMPLATE_FIELDS))})
    return template


@atomic_service
def availability_exception_add(*, actor: Actor, practitioner_id: int, start: dt.datetime, end: dt.datetime,
                               kind: str = AvailabilityException.Kind.OTHER, location_id: int | None = None,
                               reason: str = "") -> AvailabilityException:
    """Vacation, conference, meeting: the practitioner is not bookable then. Existing appointments stay
    (the coordinator moves them); the answer lists none, the day view shows them over the exception."""
    practitioner = Practitioner.objects.filter(pk=practitioner_id).prefetch_related("locations").first()
    if practitioner is None:
        raise NotFound()
    for location in ([location_id] if location_id else [loc.pk for loc in practitioner.locations.all()]):
        require(actor, Perm.PRACTICE_ADMIN, location=location)
    if kind not in AvailabilityException.Kind.values:
        raise ValidationFailed("bad-kind", _("Not a kind of absence."), fields={"kind": [_("Not a kind of absence.")]})
    if _aware(end, "end") <= _aware(start, "start"):
        raise ValidationFailed("end-before-start", _("The exception ends before it starts."),
                               fields={"end": [_("Must be after the start.")]})
    exception = AvailabilityException.objects.create(practitioner=practitioner, location_id=location_id, kind=kind,
                                                     start=start, end=end, reason=reason.strip()[:200])
    record(actor, "availability.exception.add", exception,
           detail={"changes": diff({}, snapshot(exception, EXCEPTION_FIELDS))})
    return exception


@atomic_service
def availability_exception_remove(*, actor: Actor, exception_id: int) -> None:
    """The provider is bookable again in that time (appointments already booked are not touched)."""
    exception = (AvailabilityException.objects.select_for_update().filter(pk=exception_id)
                 .prefetch_related("practitioner__locations").first())
    if exception is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN)
    locations = ([exception.location_id] if exception.location_id
                 else [loc.pk for loc in exception.practitioner.locations.all()])
    for location in locations:
        require(actor, Perm.PRACTICE_ADMIN, location=location, hide=True)
    before = snapshot(exception, EXCEPTION_FIELDS)
    exception.delete()
    record(actor, "availability.exception.remove", resource_type="availabilityexception", resource_id=exception_id,
           detail={"changes": _gone(before)})


@atomic_service
def location_holiday_add(*, actor: Actor, location_id: int, day: dt.date, name: str) -> LocationHoliday:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if not Location.objects.filter(pk=location_id).exists():
        raise NotFound()
    if LocationHoliday.objects.filter(location_id=location_id, day=day).exists():
        raise Conflict("duplicate-holiday", _("That day is already closed."),
                       fields={"day": [_("That day is already closed.")]})
    holiday = LocationHoliday.objects.create(location_id=location_id, day=day, name=name.strip()[:100] or "Closed")
    record(actor, "location.holiday.add", holiday, detail={"changes": diff({}, snapshot(holiday, HOLIDAY_FIELDS))})
    return holiday


@atomic_service
def location_holiday_remove(*, actor: Actor, holiday_id: int) -> None:
    """The location opens again that day (nothing else changes)."""
    holiday = LocationHoliday.objects.select_for_update().filter(pk=holiday_id).first()
    if holiday is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN)
    require(actor, Perm.PRACTICE_ADMIN, location=holiday.location_id, hide=True)
    before = snapshot(holiday, HOLIDAY_FIELDS)
    holiday.delete()
    record(actor, "location.holiday.remove", resource_type="locationholiday", resource_id=holiday_id,
           detail={"changes": _gone(before)})
