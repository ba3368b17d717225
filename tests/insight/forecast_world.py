"""The demand forecast's small world (tests/insight/test_forecast.py and the browser test): one location's 20 weeks
of follow-up requests (20 min) by weekday 6, 4, 4, 4, 3, 0, 0 give or take one by week, about 21 a week = 420
minutes, and one provider working Mondays 08:00-12:00 (240 min): every forecast week is one half-day short."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, AppointmentTypeFactory, AvailabilityTemplateFactory

PER_WEEKDAY = [6, 4, 4, 4, 3, 0, 0]
TODAY = dt.date(2026, 11, 23)  # the frozen clock's Monday
FIRST_WEEK = dt.date(2026, 11, 30)


def build_history(location: Any) -> Any:
    """The requests (created_at spread over the 20 weeks before TODAY) and the template; returns the type."""
    follow_up = AppointmentTypeFactory()
    first = AppointmentFactory(location=location, appointment_type=follow_up, bookings=False,
                               status=AppointmentStatus.BOOKED)
    AvailabilityTemplateFactory(practitioner=first.practitioner, location=location, weekday=0,
                                start_time=dt.time(8), end_time=dt.time(12))
    fields = {f.attname: getattr(first, f.attname) for f in Appointment._meta.concrete_fields
              if f.attname not in ("id", "idempotency_key")}
    created = []
    day = TODAY - dt.timedelta(weeks=20)
    while day < TODAY:
        wobble = (day.toordinal() // 7 % 3 - 1) if PER_WEEKDAY[day.weekday()] else 0  # -1, 0, +1 by week
        created.extend((day, n) for n in range(PER_WEEKDAY[day.weekday()] + wobble))
        day += dt.timedelta(days=1)
    rows = Appointment.objects.bulk_create([Appointment(**fields) for _ in created])
    for row, (day, n) in zip(rows, created, strict=True):
        row.created_at = dt.datetime.combine(day, dt.time(14 + n), tzinfo=dt.UTC)
    Appointment.objects.bulk_update(rows, ["created_at"])
    Appointment.objects.filter(pk=first.pk).update(created_at=dt.datetime(2026, 11, 23, 14, tzinfo=dt.UTC))
    return follow_up
