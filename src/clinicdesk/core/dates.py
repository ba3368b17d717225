"""Dates and instants read from a request: one parser, one range.

Every page, API member or form that takes a day (`?day=`, `?from=`, `?to=`) or an instant (`?start=`) reads it
here, so the rule has one home: a malformed value or one outside the bookable years is a `ValidationFailed`
(422, shown as a message or as problem details), never an `OverflowError` and a 500.

The bookable years are far wider than any real schedule and far enough from `datetime`'s own limits (years 1
and 9999) that adding durations, buffers, days and weeks, or converting between time zones, never overflows.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import ValidationFailed

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)  # the first bookable instant
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)  # the first instant after the bookable years
FIRST_DAY = EARLIEST.date()
LAST_DAY = LATEST.date() - dt.timedelta(days=1)


# What a person reads for each query parameter (the parameter's own name stays in `fields`, for programs).
_LABELS = {"day": gettext_lazy("Date"), "from": gettext_lazy("From"), "to": gettext_lazy("To"),
           "start": gettext_lazy("Start")}


def _label(name: str) -> str:
    return str(_LABELS.get(name, name))


def _out_of_range(name: str) -> ValidationFailed:
    return ValidationFailed(
        "out-of-range",
        _("%(name)s: choose a date between %(first)s and %(last)s.") % {
            "name": _label(name), "first": FIRST_DAY.year, "last": LAST_DAY.year},
        fields={name: [_("Not a year one can book.")]})


def day_in_range(day: dt.date, *, name: str = "day") -> dt.date:
    """`day`, or a ValidationFailed when it is outside the bookable years."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _out_of_range(name)
    return day


def instant_in_range(moment: dt.datetime, *, name: str = "start") -> dt.datetime:
    """`moment` (aware), or a ValidationFailed when it has no UTC offset or is outside the bookable years."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationFailed("naive-time", _("%(name)s: add a UTC offset, e.g. 2026-11-24T09:00:00-05:00.")
                               % {"name": _label(name)}, fields={name: [_("Add an offset.")]})
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+05:00: before the first representable UTC instant
        raise _out_of_range(name) from exc
    if not EARLIEST <= utc < LATEST:
        raise _out_of_range(name)
    return moment


def parse_day(value: str | None, *, name: str = "day", default: dt.date | None = None) -> dt.date:
    """A day written YYYY-MM-DD in the bookable years. Absent or empty: `default` (required when None)."""
    if not value:
        if default is None:
            raise ValidationFailed("missing-field", _("%(name)s is required.") % {"name": _label(name)},
                                   fields={name: [_("Required.")]})
        return default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("bad-date", _("%(name)s: not a date; use e.g. 2026-11-24.") % {"name": _label(name)},
                               fields={name: [_("Not a date.")]}) from exc
    return day_in_range(day, name=name)


def parse_instant(value: str | None, *, name: str = "start") -> dt.datetime | None:
    """An ISO 8601 date-time with a UTC offset in the bookable years; None when absent or empty."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("bad-time", _("%(name)s: not a date and time; use e.g. 2026-11-24T09:00:00-05:00.")
                               % {"name": _label(name)}, fields={name: [_("Not a date and time.")]}) from exc
    return instant_in_range(moment, name=name)


def business_days_after(day: dt.date, count: int, closed: frozenset[dt.date] | set[dt.date] = frozenset()
                        ) -> list[dt.date]:
    """The next `count` business days after `day`: Monday to Friday, not a day in `closed` (the location's
    holidays and closures: scheduling.selectors.closed_days)."""
    days: list[dt.date] = []
    current = day
    while len(days) < count:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            days.append(current)
    return days


def business_days_between(first: dt.date, last: dt.date,
                          closed: frozenset[dt.date] | set[dt.date] = frozenset()) -> int:
    """How many business days come after `first` up to and including `last` (0 when `last` is not later)."""
    count, current = 0, first
    while current < last:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            count += 1
    return count
