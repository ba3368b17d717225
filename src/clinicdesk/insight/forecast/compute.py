"""Computing the demand forecast: the history of requests, the model, the capacity check, and storing it all.

A request is an appointment as it was asked for, counted on the local day it was created (booked or put on the
waitlist; cancelled later or not), per location and type; proposals and entries made in error are not requests.
Every active location with at least 8 weeks of history is forecast, each type that had a request in the last year.
The figures are counts per location, type and day: no patient data is read or stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate

from clinicdesk.core import clock
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType, LocationHoliday
from clinicdesk.scheduling.selectors import template_capacity

from . import capacity
from .tables import ForecastCapacity, ForecastDay, ForecastRun, ForecastSeries, ForecastWeek

logger = logging.getLogger(__name__)
NOT_REQUESTS = (AppointmentStatus.PROPOSED, AppointmentStatus.ENTERED_IN_ERROR)
MAX_HISTORY_DAYS = 3 * 365  # older requests say little about the next quarter
ACTIVE_WITHIN_DAYS = 365  # a type with no request in the last year is not forecast


@dataclass
class Result:
    """What one computation found, before it is stored."""

    first_week: dt.date
    weeks: int
    series: list[ForecastSeries] = field(default_factory=list)
    week_rows: list[ForecastWeek] = field(default_factory=list)
    day_rows: list[ForecastDay] = field(default_factory=list)
    capacity_rows: list[ForecastCapacity] = field(default_factory=list)


def forecast_is_stale() -> bool:
    """No forecast yet, or the latest is a week old: the periodic task computes it again."""
    latest = ForecastRun.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
    return latest is None or clock.now() - latest >= dt.timedelta(days=7)


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())


def request_history(location: Location, first_day: dt.date, last_day: dt.date) -> dict[int, dict[dt.date, int]]:
    """Per type, the requests created on each local day at the location (one grouped query)."""
    tz = location.tz
    start, end = day_span_utc(first_day, tz)[0], day_span_utc(last_day, tz)[1]
    counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in (Appointment.objects.filter(location=location, created_at__gte=start, created_at__lt=end)
                .exclude(status__in=NOT_REQUESTS).annotate(day=TruncDate("created_at", tzinfo=tz))
                .values("day", "appointment_type_id").order_by().annotate(n=Count("pk"))):
        counts[row["appointment_type_id"]][row["day"]] = row["n"]
    return counts


def holidays_of(location: Location, first_day: dt.date, last_day: dt.date) -> set[dt.date]:
    """National and state holidays (the `holidays` package) and the location's own closures."""
    import holidays

    years = range(first_day.year, last_day.year + 1)
    try:
        calendar = holidays.country_holidays("US", subdiv=location.state or None, years=years)
    except NotImplementedError:  # a state code the package does not know: the national holidays
        calendar = holidays.country_holidays("US", years=years)
    days = {day for day in calendar if first_day <= day <= last_day}
    days.update(LocationHoliday.objects.filter(location=location, day__gte=first_day, day__lte=last_day)
                .values_list("day", flat=True))
    return days


def _location(result: Result, location: Location, today: dt.date, durations: dict[int, int]) -> None:
    import numpy as np

    from . import model

    last_day = today - dt.timedelta(days=1)  # today is not over: the history ends yesterday
    counts = request_history(location, last_day - dt.timedelta(days=MAX_HISTORY_DAYS - 1), last_day)
    active_from = last_day - dt.timedelta(days=ACTIVE_WITHIN_DAYS - 1)
    wanted = sorted(type_id for type_id, days in counts.items()
                    if type_id in durations and any(day >= active_from for day in days))
    if not wanted:
        return
    first_day = min(min(counts[type_id]) for type_id in wanted)
    history_days = (last_day - first_day).days + 1
    if history_days < model.MIN_HISTORY_DAYS:
        return
    offset = (result.first_week - today).days  # days of the horizon before the first forecast Monday
    horizon = offset + result.weeks * model.WEEK
    regressors = model.design(first_day, history_days, horizon,
                              holidays_of(location, first_day, today + dt.timedelta(days=horizon)))
    weekly: dict[dt.date, dict[int, float]] = defaultdict(dict)
    for type_id in wanted:
        y = np.zeros(history_days)
        for day, n in counts[type_id].items():
            y[(day - first_day).days] = n
        series = model.forecast(y, regressors)
        scores = model.backtest(y, regressors)
        result.series.append(ForecastSeries(location_id=location.pk, appointment_type_id=type_id,
                                            history_days=history_days, mase=scores.mase,
                                            naive_mase=scores.naive_mase))
        ids = {"location_id": location.pk, "appointment_type_id": type_id}
        lo80, hi80 = series.band(model.Z80)
        lo95, hi95 = series.band(model.Z95)
        for i in range(offset, horizon):
            result.day_rows.append(ForecastDay(**ids, day=today + dt.timedelta(days=i), **_rounded(
                series.mean[i], lo80[i], hi80[i], lo95[i], hi95[i])))
        for week, figures in enumerate(series.weeks(offset, result.weeks)):
            week_start = result.first_week + dt.timedelta(weeks=week)
            result.week_rows.append(ForecastWeek(**ids, week_start=week_start, **_rounded(*figures)))
            weekly[week_start][type_id] = figures[0]
    blocks = template_capacity(location=location, first_day=result.first_week,
                               last_day=result.first_week + dt.timedelta(weeks=result.weeks, days=-1))
    for week in range(result.weeks):
        week_start = result.first_week + dt.timedelta(weeks=week)
        days = [week_start + dt.timedelta(days=d) for d in range(model.WEEK)]
        check = capacity.check_week(weekly[week_start], durations,
                                    [block for day in days for block in blocks.get(day, [])])
        result.capacity_rows.append(ForecastCapacity(
            location_id=location.pk, week_start=week_start, demand_minutes=round(check.demand_minutes, 1),
            capacity_minutes=round(check.capacity_minutes, 1), flagged=check.flagged, suggestions=check.suggestions))


def _rounded(mean: Any, lo80: Any, hi80: Any, lo95: Any, hi95: Any) -> dict[str, float]:
    return {"mean": round(float(mean), 3), "lo80": round(float(lo80), 3), "hi80": round(float(hi80), 3),
            "lo95": round(float(lo95), 3), "hi95": round(float(hi95), 3)}


def compute(*, weeks: int = 12) -> tuple[Result, float]:
    """Forecast every location's series (no writes); returns the result and the seconds it took."""
    started = time.monotonic()
    locations = list(Location.objects.filter(active=True).order_by("pk"))
    durations = dict(AppointmentType.objects.values_list("pk", "duration_minutes"))
    today = clock.today_in(locations[0].tz) if locations else clock.now().date()
    result = Result(first_week=next_monday(today), weeks=weeks)
    from threadpoolctl import threadpool_limits

    # Thousands of small least-squares fits: one BLAS thread each is fastest (threads spinning for a 700 x 20
    # matrix cost more than they give, and on a loaded machine far more; docs/adr/0010-demand-forecasting.md).
    with threadpool_limits(limits=1, user_api="blas"):
        for location in locations:
            _location(result, location, clock.today_in(location.tz), durations)
    return result, time.monotonic() - started


def store(result: Result, seconds: float) -> ForecastRun:
    """Replace the stored figures with these (one transaction; the earlier runs stay as a log)."""
    scored = [s for s in result.series if s.mase is not None]
    with transaction.atomic():
        for table in (ForecastDay, ForecastWeek, ForecastCapacity, ForecastSeries):
            table.objects.all().delete()
        run = ForecastRun.objects.create(
            computed_at=clock.now(), first_week=result.first_week, weeks=result.weeks, series=len(result.series),
            seconds=round(seconds, 2),
            mase=round(sum(s.mase or 0 for s in scored) / len(scored), 4) if scored else None,
            naive_mase=round(sum(s.naive_mase or 0 for s in scored) / len(scored), 4) if scored else None)
        for rows in (result.series, result.week_rows, result.day_rows, result.capacity_rows):
            for row in rows:
                row.run = run
        ForecastSeries.objects.bulk_create(result.series, batch_size=2000)
        ForecastWeek.objects.bulk_create(result.week_rows, batch_size=2000)
        ForecastDay.objects.bulk_create(result.day_rows, batch_size=2000)
        ForecastCapacity.objects.bulk_create(result.capacity_rows, batch_size=2000)
    return run
