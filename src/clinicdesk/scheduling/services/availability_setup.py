"""Availability set-up: weekly blocks, exceptions (vacation, meetings) and location holidays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Practitioner

from ..models import (
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    LocationHoliday,
)
from .booking import _aware


@atomic_service
def availability_template_add(*, actor: Actor, practitioner_id: int, location_id: int, weekday: int,
                              start_time: dt.time, end_time: dt.time, effective_from: dt.date,
                              effective_until: dt.date | None = None, reserved_type_ids: Sequence[int] = (),
                              label: str = "") -> AvailabilityTemplate:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None or not practitioner.locations.filter(pk=location_id).exists():
        raise ValidationFailed("wrong-location", _("The practitioner does not work at that location."))
    if weekday not in range(7):
        raise ValidationFailed("bad-weekday", _("Days are 0 (Monday) to 6 (Sunday)."))
    if end_time <= start_time:
        raise ValidationFailed("end-before-start", _("The block ends before it starts."))
    if effective_until is not None and effective_until < effective_from:
        raise ValidationFailed("end-before-start", _("The block stops being effective before it starts."))
    clash = AvailabilityTemplate.objects.filter(
        practitioner_id=practitioner_id, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time,
    ).filter(Q(effective_until__isnull=True) | Q(effective_until__gte=effective_from))
    if effective_until is not None:
        clash = clash.filter(effective_from__lte=effective_until)
    if clash.exists():
        raise Conflict("template-overlap", _("This block overlaps another block of the same practitioner."))
    template = AvailabilityTemplate.objects.create(
        practitioner=practitioner, location_id=location_id, weekday=weekday, start_time=start_time,
        end_time=end_time, effective_from=effective_from, effective_until=effective_until, label=label[:60])
    if reserved_type_ids:
        template.reserved_types.set(AppointmentType.objects.filter(pk__in=reserved_type_ids))
    record(actor, "availability.template.add", template)
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
    if _aware(end, "end") <= _aware(start, "start"):
        raise ValidationFailed("end-before-start", _("The exception ends before it starts."))
    exception = AvailabilityException.objects.create(practitioner=practitioner, location_id=location_id, kind=kind,
                                                     start=start, end=end, reason=reason[:200])
    record(actor, "availability.exception.add", exception)
    return exception


@atomic_service
def location_holiday_add(*, actor: Actor, location_id: int, day: dt.date, name: str) -> LocationHoliday:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if LocationHoliday.objects.filter(location_id=location_id, day=day).exists():
        raise Conflict("duplicate-holiday", _("That day is already closed."))
    holiday = LocationHoliday.objects.create(location_id=location_id, day=day, name=name[:100] or "Closed")
    record(actor, "location.holiday.add", holiday)
    return holiday
