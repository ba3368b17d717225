"""No messages at night in the patient's time zone (their home location's zone)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from clinicdesk.core.timezones import local_to_utc

from .models import QuietHours


def current() -> tuple[int, int]:
    """(start hour, end hour): the practice's own (set on the reminders screen), else the settings' (21, 8)."""
    row = QuietHours.objects.filter(pk=1).first()
    return (row.start_hour, row.end_hour) if row else (settings.QUIET_HOURS_START, settings.QUIET_HOURS_END)


def next_sendable(moment: dt.datetime, tz: ZoneInfo, hours: tuple[int, int] | None = None) -> dt.datetime:
    """`moment` itself when it is outside quiet hours, else the end of the quiet period. `hours` as `current()`
    gives them (read once per batch); read now when not given."""
    start, end = hours if hours is not None else current()  # e.g. 21, 8
    local = moment.astimezone(tz)
    hour = local.hour + local.minute / 60
    quiet = hour >= start or hour < end if start > end else start <= hour < end
    if not quiet:
        return moment
    day = local.date() + dt.timedelta(days=1) if hour >= start and start > end else local.date()
    return local_to_utc(day, dt.time(end), tz)
