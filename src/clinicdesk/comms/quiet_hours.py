"""No messages at night in the patient's time zone (their home location's zone)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from clinicdesk.core.timezones import local_to_utc


def next_sendable(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """`moment` itself when it is outside quiet hours, else the end of the quiet period."""
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END  # e.g. 21, 8
    local = moment.astimezone(tz)
    hour = local.hour + local.minute / 60
    quiet = hour >= start or hour < end if start > end else start <= hour < end
    if not quiet:
        return moment
    day = local.date() + dt.timedelta(days=1) if hour >= start and start > end else local.date()
    return local_to_utc(day, dt.time(end), tz)
