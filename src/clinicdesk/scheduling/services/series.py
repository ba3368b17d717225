"""Recurring series: every visit checked by the same plan as a single booking, booked all or nothing or as
many as fit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.practice.models import Location

from ..models import (
    Appointment,
    Series,
)
from .booking import BookingRequest, _aware, _book, _patient, _plan, staff_user


@dataclass(frozen=True)
class Occurrence:
    index: int
    start: dt.datetime
    ok: bool
    code: str = ""
    detail: str = ""


def _occurrences(request: BookingRequest, interval_days: int, count: int) -> list[BookingRequest]:
    """Same wall-clock time each time, also across a DST change."""
    if not 1 <= count <= 52:
        raise ValidationFailed("bad-count", _("A series has 1 to 52 visits."), fields={"count": [_("1 to 52.")]})
    if not 1 <= interval_days <= 90:
        raise ValidationFailed("bad-interval", _("Visits repeat every 1 to 90 days."),
                               fields={"interval_days": [_("1-90.")]})
    location = Location.objects.filter(pk=request.location_id).first()
    if location is None:
        raise ValidationFailed("unknown-location", _("No such location."))
    local = _aware(request.start, "start").astimezone(location.tz)
    return [replace(request, start=local_to_utc(local.date() + dt.timedelta(days=interval_days * i),
                                                local.time().replace(tzinfo=None), location.tz), end=None)
            for i in range(count)]


@atomic_service
def series_preview(*, actor: Actor, request: BookingRequest, interval_days: int = 7,
                   count: int = 8) -> list[Occurrence]:
    """Check every visit of a series before booking: which ones fit and why the others do not."""
    require(actor, Perm.SCHEDULE_WRITE)
    result = []
    for index, occurrence in enumerate(_occurrences(request, interval_days, count)):
        try:
            _plan(occurrence, actor=actor)
        except (ValidationFailed, Conflict) as error:
            result.append(Occurrence(index, occurrence.start, False, error.code, error.detail))
        else:
            result.append(Occurrence(index, occurrence.start, True))
    return result


@dataclass
class SeriesResult:
    series: Series
    booked: list[Appointment]
    skipped: list[Occurrence]


@atomic_service
def series_book(*, actor: Actor, request: BookingRequest, interval_days: int = 7, count: int = 8,
                all_or_nothing: bool = True, idempotency_key: str | None = None) -> SeriesResult:
    """Book a recurring series. With `all_or_nothing` any conflict refuses the whole series (nothing
    written, the conflicts listed); otherwise the visits that fit are booked and the rest reported."""
    require(actor, Perm.SCHEDULE_WRITE)
    if idempotency_key and (prior := Series.objects.filter(idempotency_key=idempotency_key).first()):
        earlier = list(prior.appointments.order_by("start"))
        if earlier:
            require(actor, Perm.SCHEDULE_WRITE, location=earlier[0].location_id, hide=True)
        return SeriesResult(prior, earlier, [])
    occurrences = _occurrences(request, interval_days, count)
    patient = _patient(actor, request.patient_id, request.location_id)
    series = Series.objects.create(patient=patient, appointment_type_id=request.appointment_type_id,
                                   interval_days=interval_days, count=count, created_at=clock.now(),
                                   created_by=staff_user(actor), idempotency_key=idempotency_key or None)
    booked: list[Appointment] = []
    skipped: list[Occurrence] = []
    for index, occurrence in enumerate(occurrences):
        try:
            with transaction.atomic():
                booked.append(_book(actor=actor, request=occurrence, idempotency_key=None, series=series))
        except (ValidationFailed, Conflict) as error:
            skipped.append(Occurrence(index, occurrence.start, False, error.code, error.detail))
    if skipped and all_or_nothing:
        tz = Location.objects.get(pk=request.location_id).tz
        lines = "; ".join(_("visit %(number)s (%(day)s): %(reason)s") % {
            "number": o.index + 1, "day": formats.date_format(o.start.astimezone(tz), "DATE_FORMAT"),
            "reason": o.detail} for o in skipped)
        raise Conflict("series-conflicts", _("%(skipped)s of %(count)s visits do not fit: %(visits)s") % {
                       "skipped": len(skipped), "count": count, "visits": lines})
    if not booked:
        raise Conflict("series-conflicts", _("None of the visits fit."))
    record(actor, "series.book", series, patient=patient,
           detail={"booked": [a.pk for a in booked], "skipped": [o.index for o in skipped]})
    return SeriesResult(series, booked, skipped)
