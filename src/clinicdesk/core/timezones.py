"""Stored in UTC, shown in the location's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .exceptions import ValidationFailed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("bad-time-zone", f"'{name}' is not an IANA time zone.") from exc


def is_valid_zone(name: str) -> bool:
    return name in available_timezones()


def local_to_utc(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """A wall-clock time at a location, as UTC. A time that does not exist (spring forward)
    resolves forward, as clocks do; an ambiguous one (fall back) takes the first occurrence."""
    # fold=0 takes the offset in force before a transition: a time in the spring-forward gap lands
    # an hour later (2:30 -> 3:30), and an ambiguous fall-back time means its first occurrence.
    return dt.datetime.combine(day, time).replace(tzinfo=tz, fold=0).astimezone(dt.UTC)


def window_bound_to_utc(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """A wall-clock bound of a window (a working block, opening hours) as UTC. Unlike a point in time, a bound
    in the spring-forward gap means the moment the clocks jump: a block of 02:30-03:15 on that day in New York
    is 03:00-03:15 EDT, not empty (02:30 read as a point in time is 03:30, after the block's end)."""
    moment = local_to_utc(day, time, tz)
    wall = dt.datetime.combine(day, time)
    if moment.astimezone(tz).replace(tzinfo=None) == wall:
        return moment
    # In the gap: the answer is the transition itself, the first second at which the offset after the change is
    # in force. It lies between the wall time read with the offset after the change and with the one before.
    after = moment.astimezone(tz).utcoffset()
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())  # still before the change
    high = int(moment.timestamp())  # already after it
    while high - low > 1:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return dt.datetime.fromtimestamp(high, dt.UTC)


def utc_to_local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz)


def day_span_utc(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where a local calendar day starts and ends (23 or 25 hours on DST days)."""
    return window_bound_to_utc(day, dt.time(0), tz), window_bound_to_utc(day + dt.timedelta(days=1), dt.time(0), tz)
