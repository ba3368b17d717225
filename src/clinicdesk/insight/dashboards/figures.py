"""One selector per dashboard figure. Each reads the schedule, the flow board, the waitlist or the reminders only
through those apps' models (read-only) or selectors, narrowed by `Filters` (locations in the user's reach), and
returns a `Figure`: labels, series, the words for its table and CSV. No figure carries a patient's name or id.

Definitions (docs/insight.md):
- volume: appointments booked for the period (not proposed, waitlist or entered in error), cancelled ones included;
- no-show rate = no-shows / (attended + no-shows); late-cancel rate = late cancellations / appointments;
- utilisation = booked minutes (appointments still occupying the provider, by their type's length) / available
  minutes (the availability templates' blocks, less the location's holidays and the provider's exceptions);
  idle = available - booked;
- lead time = days from today to the third next available new-patient appointment (the first-available search);
- visit times: check-in to rooming and arrival to check-out on the flow board, in mean minutes;
- waitlist fills: freed slots offered to the waitlist, and how many a waitlisted patient took;
- reminder confirmations: appointments that were sent a reminder, and how many the patient confirmed before the
  start.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import formats, translation
from django.utils.translation import gettext as _

from clinicdesk.comms.models import WaitlistOffer
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.scheduling.models import (
    AvailabilityException,
    AvailabilityTemplate,
    LocationHoliday,
)

from .daily import DailySums
from .filters import Filters
from .lead_time import MISSING, third_available_days
from .tables import DailyAppointments

COUNT, PERCENT, MINUTES, HOURS, DAYS = "count", "percent", "minutes", "hours", "days"


@dataclass
class Series:
    label: str
    values: list[float | None]
    unit: str = COUNT
    drawn: bool = True  # False: in the table and the CSV only (a rate beside counts, hours beside a percentage)


@dataclass
class Figure:
    key: str
    title: str
    axis: str  # what the labels are: the first column's heading
    labels: list[str]
    series: list[Series]
    chart: str = "bar"  # "bar" or "line"
    stacked: bool = False
    note: str = ""
    csv_labels: list[str] = field(default_factory=list)  # ISO dates for weeks (the screen shows them by locale)

    @property
    def empty(self) -> bool:
        return not self.labels or all(all(v in (None, 0) for v in s.values) for s in self.series)

    def columns(self) -> list[str]:
        return [self.axis, *(s.label for s in self.series)]

    def rows(self) -> list[list[Any]]:
        return [[label, *(s.values[i] for s in self.series)] for i, label in enumerate(self.labels)]

    def csv_rows(self) -> list[list[Any]]:
        labels = self.csv_labels or self.labels
        return [[labels[i], *("" if s.values[i] is None else s.values[i] for s in self.series)]
                for i in range(len(labels))]

    def chart_data(self) -> dict[str, Any]:
        """What the chart draws: the series of one unit (the others are in the table and the CSV)."""
        drawn = [s for s in self.series if s.drawn]
        return {"type": self.chart, "stacked": self.stacked, "labels": self.labels,
                "percent": all(s.unit == PERCENT for s in drawn), "whole": all(s.unit == COUNT for s in drawn),
                "datasets": [{"label": s.label, "data": s.values} for s in drawn]}


# --- helpers --------------------------------------------------------------------------------------------------

def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weeks(f: Filters) -> list[dt.date]:
    week, last = _monday(f.first_day), f.last_day
    weeks = []
    while week <= last:
        weeks.append(week)
        week += dt.timedelta(weeks=1)
    return weeks


def _week_labels(weeks: list[dt.date]) -> tuple[list[str], list[str]]:
    labels = _short_dates(tuple(weeks), translation.get_language())  # once per page and language
    return list(labels), [w.isoformat() for w in weeks]


@functools.lru_cache(maxsize=64)
def _short_dates(days: tuple[dt.date, ...], language: str | None) -> tuple[str, ...]:
    return tuple(formats.date_format(day, "SHORT_DATE_FORMAT") for day in days)


def _rate(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _daily(f: Filters, *, with_type: bool = True) -> Any:
    rows = DailyAppointments.objects.filter(day__gte=f.first_day, day__lte=f.last_day,
                                            location_id__in=f.location_ids)
    if f.practitioner is not None:
        rows = rows.filter(practitioner_id=f.practitioner.pk)
    if with_type and f.appointment_type is not None:
        rows = rows.filter(appointment_type_id=f.appointment_type.pk)
    return rows


def _names(items: Iterable[Any], text: Callable[[Any], str] = str) -> dict[int, str]:
    return {item.pk: text(item) for item in items}


def _by_week(rows: Iterable[tuple[dt.date, Any]], weeks: list[dt.date]) -> dict[dt.date, list[Any]]:
    out: dict[dt.date, list[Any]] = {w: [] for w in weeks}
    for day, value in rows:
        out.setdefault(_monday(day), []).append(value)
    return out


def _span(f: Filters) -> tuple[dt.datetime, dt.datetime]:
    tz = (f.location or f.scope.locations[0]).tz if f.scope else dt.UTC
    return day_span_utc(f.first_day, tz)[0], day_span_utc(f.last_day, tz)[1]  # type: ignore[arg-type]


def _tz(f: Filters) -> Any:
    return (f.location or f.scope.locations[0]).tz if f.scope else dt.UTC


# --- the figures ----------------------------------------------------------------------------------------------

def volume_by_week(f: Filters, daily: DailySums | None = None) -> Figure:
    """Appointments per week, one series per location (stacked: the bar is the practice's total)."""
    weeks = _weeks(f)
    index = {w: i for i, w in enumerate(weeks)}
    names = _names(f.scope.locations if f.scope else [], lambda loc: loc.name)
    counts: dict[int, list[float | None]] = {pk: [0] * len(weeks) for pk in f.location_ids}
    rows = (daily.per_day_location("appointments") if daily is not None else
            ((row["day"], row["location_id"], row["n"]) for row in
             _daily(f).values("day", "location_id").annotate(n=Sum("appointments")).order_by()))
    for day, location_id, n in rows:
        counts[location_id][index[_monday(day)]] += n  # type: ignore[operator]
    labels, iso = _week_labels(weeks)
    return Figure("volume", _("Appointments per week"), _("Week starting"), labels,
                  [Series(names.get(pk, str(pk)), values) for pk, values in counts.items()],
                  stacked=True, csv_labels=iso)


def _volume_by(f: Filters, key: str, field_name: str, title: str, axis: str, names: dict[int, str],
               sums: DailySums | None) -> Figure:
    totals = (sums.per(field_name) if sums is not None else
              {row[field_name]: row["n"] for row in
               _daily(f).values(field_name).annotate(n=Sum("appointments")).order_by()})
    ordered = sorted(totals, key=lambda pk: (-totals[pk], names.get(pk, "")))
    return Figure(key, title, axis, [names.get(pk, str(pk)) for pk in ordered],
                  [Series(_("Appointments"), [totals[pk] for pk in ordered])])


def volume_by_provider(f: Filters, daily: DailySums | None = None) -> Figure:
    return _volume_by(f, "volume-provider", "practitioner_id", _("Appointments by provider"), _("Provider"),
                      _names(f.scope.practitioners if f.scope else []), daily)


def volume_by_type(f: Filters, daily: DailySums | None = None) -> Figure:
    return _volume_by(f, "volume-type", "appointment_type_id", _("Appointments by type"), _("Appointment type"),
                      _names(f.scope.types if f.scope else [], lambda t: t.local_name), daily)


def _weekly(f: Filters, fields: tuple[str, ...], daily: DailySums | None) -> dict[dt.date, list[int]]:
    """Per week of the period, the sums of the daily table's `fields` (from `daily` when read for the page)."""
    sums: dict[dt.date, list[int]] = {w: [0] * len(fields) for w in _weeks(f)}
    if daily is not None:
        rows: Iterable[tuple[dt.date, list[Any]]] = daily.per_day(fields).items()
    else:
        rows = ((row["day"], [row[f"sum_{name}"] for name in fields]) for row in
                _daily(f).values("day").annotate(**{f"sum_{name}": Sum(name) for name in fields}).order_by())
    for day, values in rows:
        bucket = sums[_monday(day)]
        for i, value in enumerate(values):
            bucket[i] += value or 0
    return sums


def noshow_rates(f: Filters, daily: DailySums | None = None) -> Figure:
    """No-show rate (of appointments that came due) and late-cancellation rate (of all booked), per week."""
    weeks = _weeks(f)
    sums = _weekly(f, ("appointments", "attended", "noshows", "late_cancels"), daily)
    labels, iso = _week_labels(weeks)
    return Figure("noshow", _("No-show and late-cancellation rates"), _("Week starting"), labels, [
        Series(_("No-show rate (%)"), [_rate(sums[w][2], sums[w][1] + sums[w][2]) for w in weeks], PERCENT),
        Series(_("Late-cancellation rate (%)"), [_rate(sums[w][3], sums[w][0]) for w in weeks], PERCENT),
    ], chart="line", csv_labels=iso)


def _weekdays_between(first: dt.date, last: dt.date, weekday: int) -> int:
    if last < first:
        return 0
    start = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    return 0 if start > last else (last - start).days // 7 + 1


def available_minutes(f: Filters) -> dict[int, float]:
    """Per provider, the minutes their availability templates open in the period at the filtered locations, less
    the locations' holidays and the provider's exceptions (3 queries)."""
    templates = AvailabilityTemplate.objects.filter(location_id__in=f.location_ids, effective_from__lte=f.last_day
                                                    ).filter(Q(effective_until__isnull=True)
                                                             | Q(effective_until__gte=f.first_day))
    if f.practitioner is not None:
        templates = templates.filter(practitioner_id=f.practitioner.pk)
    blocks = list(templates.values_list("practitioner_id", "location_id", "weekday", "start_time", "end_time",
                                        "effective_from", "effective_until"))
    holidays = set(LocationHoliday.objects.filter(location_id__in=f.location_ids, day__gte=f.first_day,
                                                  day__lte=f.last_day).values_list("location_id", "day"))
    zones = {loc.pk: loc.tz for loc in (f.scope.locations if f.scope else [])}
    span_start, span_end = _span(f)
    exceptions: dict[int, list[tuple[Any, dt.datetime, dt.datetime]]] = defaultdict(list)
    for pk, loc, start, end in AvailabilityException.objects.filter(
            practitioner_id__in={b[0] for b in blocks}, start__lt=span_end + dt.timedelta(days=1),
            end__gt=span_start - dt.timedelta(days=1)).values_list("practitioner_id", "location_id", "start", "end"):
        exceptions[pk].append((loc, start, end))
    minutes: dict[int, float] = defaultdict(float)
    for practitioner_id, location_id, weekday, opens, closes, eff_from, eff_until in blocks:
        first, last = max(f.first_day, eff_from), min(f.last_day, eff_until or f.last_day)
        days = _weekdays_between(first, last, weekday)
        days -= sum(1 for loc, day in holidays if loc == location_id and day.weekday() == weekday
                    and first <= day <= last)
        length = (dt.datetime.combine(first, closes) - dt.datetime.combine(first, opens)).total_seconds() / 60
        minutes[practitioner_id] += days * length
        tz = zones.get(location_id)
        for exc_location, start, end in exceptions.get(practitioner_id, ()):
            if tz is None or exc_location not in (None, location_id):
                continue
            local_start, local_end = start.astimezone(tz), end.astimezone(tz)
            day = max(local_start.date(), first)
            while day <= min(local_end.date(), last):
                if day.weekday() == weekday and (location_id, day) not in holidays:
                    block_start = dt.datetime.combine(day, opens, tzinfo=tz)
                    block_end = dt.datetime.combine(day, closes, tzinfo=tz)
                    overlap = (min(block_end, local_end) - max(block_start, local_start)).total_seconds() / 60
                    minutes[practitioner_id] -= max(0.0, overlap)
                day += dt.timedelta(days=1)
    return dict(minutes)


def utilisation(f: Filters, daily: DailySums | None = None) -> Figure:
    """Per provider: available and booked hours, idle hours and the utilisation (booked / available)."""
    available = available_minutes(f)
    booked = (daily.booked_minutes() if daily is not None else
              {row["practitioner_id"]: row["m"] for row in _daily(f, with_type=False).values("practitioner_id")
               .annotate(m=Sum("booked_minutes")).order_by()})
    names = _names(f.scope.practitioners if f.scope else [])
    ids = sorted(set(available) | set(booked), key=lambda pk: names.get(pk, ""))
    ids = [pk for pk in ids if pk in names]
    return Figure("utilisation", _("Provider utilisation"), _("Provider"), [names[pk] for pk in ids], [
        Series(_("Utilisation (%)"), [_rate(booked.get(pk, 0), available.get(pk, 0)) for pk in ids], PERCENT),
        Series(_("Available hours"), [round(available.get(pk, 0) / 60, 1) for pk in ids], HOURS, drawn=False),
        Series(_("Booked hours"), [round(booked.get(pk, 0) / 60, 1) for pk in ids], HOURS, drawn=False),
        Series(_("Idle hours"), [round(max(0.0, available.get(pk, 0) - booked.get(pk, 0)) / 60, 1)
                                 for pk in ids], HOURS, drawn=False),
    ], note=_("Booked time counts each appointment at its type's length; the type filter does not apply here."))


def lead_time(f: Filters, *, actor: Any) -> Figure:
    """Days from today to the third next available appointment, per location and new-patient type (the standard
    access measure), from the first-available search (91 days ahead at most; lead_time.py keeps it ahead)."""
    types = [t for t in (f.scope.types if f.scope else []) if t.active and t.new_patient]
    if f.appointment_type is not None:
        types = [f.appointment_type]
    locations = [loc for loc in (f.scope.locations if f.scope else []) if loc.pk in f.location_ids]
    practitioner_ids = (f.practitioner.pk,) if f.practitioner is not None else ()
    pairs = [(location, kind) for location in locations for kind in types]
    labels, values = [], []
    for (location, kind), days in zip(pairs, third_available_days(pairs, practitioner_ids, actor=actor),
                                      strict=True):
        if days == MISSING:
            continue
        labels.append(f"{location.name} · {kind.local_name}")
        values.append(days)
    return Figure("lead-time", _("New-patient lead time"), _("Location and type"), labels,
                  [Series(_("Days to the third next available appointment"), values, DAYS)],  # type: ignore[arg-type]
                  note=_("Counted from today; empty when fewer than three slots are free in the next 13 weeks."))


def visit_times(f: Filters, daily: DailySums | None = None) -> Figure:
    """Mean minutes from check-in to rooming and from arrival to check-out, per week (the flow board's times of
    the appointments' visits, pre-counted in the daily table)."""
    weeks = _weeks(f)
    sums = _weekly(f, ("rooming_seconds", "roomed_visits", "visit_seconds", "finished_visits"), daily)

    def mean(seconds: int, count: int) -> float | None:
        return round(seconds / 60 / count, 1) if count else None

    labels, iso = _week_labels(weeks)
    return Figure("visit-times", _("Visit times"), _("Week starting"), labels, [
        Series(_("Check-in to rooming (minutes)"), [mean(sums[w][0], sums[w][1]) for w in weeks], MINUTES),
        Series(_("Arrival to check-out (minutes)"), [mean(sums[w][2], sums[w][3]) for w in weeks], MINUTES),
    ], chart="line", csv_labels=iso)


def waitlist_fills(f: Filters) -> Figure:
    """Freed slots offered to the waitlist per week (by the slot's day), and how many were taken."""
    start, end = _span(f)
    offers = WaitlistOffer.objects.filter(location_id__in=f.location_ids, start__gte=start, start__lt=end)
    if f.practitioner is not None:
        offers = offers.filter(practitioner_id=f.practitioner.pk)
    if f.appointment_type is not None:
        offers = offers.filter(appointment_type_id=f.appointment_type.pk)
    weeks = _weeks(f)
    sums = {w: [0, 0] for w in weeks}
    for row in offers.annotate(local_day=TruncDate("start", tzinfo=_tz(f))).values("local_day").annotate(
            n=Count("pk"), taken=Count("pk", filter=Q(state=WaitlistOffer.State.TAKEN))).order_by():
        bucket = sums.setdefault(_monday(row["local_day"]), [0, 0])
        bucket[0] += row["n"]
        bucket[1] += row["taken"]
    labels, iso = _week_labels(weeks)
    return Figure("waitlist", _("Waitlist fills"), _("Week starting"), labels, [
        Series(_("Slots offered"), [sums[w][0] for w in weeks]),
        Series(_("Filled from the waitlist"), [sums[w][1] for w in weeks]),
        Series(_("Fill rate (%)"), [_rate(sums[w][1], sums[w][0]) for w in weeks], PERCENT, drawn=False),
    ], csv_labels=iso)


def reminder_confirmations(f: Filters, daily: DailySums | None = None) -> Figure:
    """Appointments (by their day) sent a reminder, and how many the patient confirmed before the start
    (pre-counted in the daily table from the reminders' messages)."""
    weeks = _weeks(f)
    sums = _weekly(f, ("reminded", "confirmed"), daily)
    labels, iso = _week_labels(weeks)
    return Figure("reminders", _("Reminder confirmations"), _("Week starting"), labels, [
        Series(_("Appointments reminded"), [sums[w][0] for w in weeks]),
        Series(_("Confirmed by the patient"), [sums[w][1] for w in weeks]),
        Series(_("Confirmation rate (%)"), [_rate(sums[w][1], sums[w][0]) for w in weeks], PERCENT,
               drawn=False),
    ], csv_labels=iso)


FIGURES: dict[str, Callable[..., Figure]] = {
    "volume": volume_by_week, "volume-provider": volume_by_provider, "volume-type": volume_by_type,
    "utilisation": utilisation, "lead-time": lead_time, "noshow": noshow_rates, "visit-times": visit_times,
    "waitlist": waitlist_fills, "reminders": reminder_confirmations,
}
NEEDS_ACTOR = {"lead-time"}
# The figures that read the daily table: on a page with more than one, the table is read once (daily.py).
READS_DAILY = {"volume", "volume-provider", "volume-type", "utilisation", "noshow", "visit-times", "reminders"}
