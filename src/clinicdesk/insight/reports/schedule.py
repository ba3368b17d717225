"""When a scheduled report goes out: a weekday and hour on the location's wall clock, as UTC (pure, no database).

An hour that does not exist on a spring-forward day resolves forward as clocks do (02:00 -> 03:00); an ambiguous
fall-back hour takes its first occurrence (core.timezones.local_to_utc). The range a report covers: the `weeks`
whole weeks of days that end the day before the send day (a Monday report of 4 weeks: the four weeks to Sunday).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from clinicdesk.core.timezones import local_to_utc


def next_send_at(*, weekday: int, hour: int, tz: ZoneInfo, after: dt.datetime) -> dt.datetime:
    """The first send instant (UTC) strictly after `after`."""
    day = after.astimezone(tz).date()
    for offset in range(15):
        candidate_day = day + dt.timedelta(days=offset)
        if candidate_day.weekday() != weekday:
            continue
        moment = local_to_utc(candidate_day, dt.time(hour), tz)
        if moment > after:
            return moment
    raise AssertionError("unreachable: a weekday recurs within a week")


def period_of(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The period a send instant belongs to: its local day."""
    return moment.astimezone(tz).date()


def report_range(send_day: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The first and last day a report sent on `send_day` covers."""
    last = send_day - dt.timedelta(days=1)
    return last - dt.timedelta(weeks=weeks) + dt.timedelta(days=1), last
