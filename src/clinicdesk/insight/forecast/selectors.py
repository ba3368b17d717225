"""Reads of the stored demand forecast: the screen and API (reports.read, the dashboards' reach) and the roster.

Several series are added up assuming they are independent: the means add, and so do the variances read back from
the 80 % bands; a week's band is then mean ± z·sd, never below zero. Aggregates only: reading them is not audited.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import AppointmentType

from ..dashboards.filters import Scope, dashboard_scope
from .tables import ForecastCapacity, ForecastDay, ForecastRun, ForecastSeries, ForecastWeek

Z80, Z95 = 1.2815515655446004, 1.959963984540054
GRAINS = ("week", "day")


@dataclass
class Point:
    """One week (or day) of the forecast for the filters: the expected requests and the 80 % and 95 % bands."""

    start: dt.date
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    flagged: bool = False


@dataclass
class Shortfall:
    """A location's week whose forecast demand exceeds the templates' capacity, and the extra sessions suggested."""

    location: Location
    week_start: dt.date
    demand_minutes: float
    capacity_minutes: float
    sessions: list[tuple[AppointmentType, int]]


@dataclass
class ForecastView:
    scope: Scope
    run: ForecastRun | None
    location: Location | None
    appointment_type: AppointmentType | None
    grain: str
    points: list[Point] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    mase: float | None = None
    naive_mase: float | None = None
    series: int = 0

    def query(self) -> dict[str, str]:
        params = {}
        if self.location is not None:
            params["location"] = str(self.location.pk)
        if self.appointment_type is not None:
            params["type"] = str(self.appointment_type.pk)
        return params


def _pick(value: str | None, choices: Iterable[Any], name: str) -> Any:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValidationFailed("bad-field", _("'%(name)s' must be a record id.") % {"name": name},
                               fields={name: [_("Not a record id.")]})
    chosen = next((c for c in choices if str(c.pk) == value), None)
    if chosen is None:
        raise NotFound()
    return chosen


def _combine(start: dt.date, rows: list[Any]) -> Point:
    mean = sum(r.mean for r in rows)
    sd = math.sqrt(sum(((r.hi80 - r.mean) / Z80) ** 2 for r in rows))
    return Point(start, round(mean, 1), round(max(mean - Z80 * sd, 0.0), 1), round(mean + Z80 * sd, 1),
                 round(max(mean - Z95 * sd, 0.0), 1), round(mean + Z95 * sd, 1))


def latest_run() -> ForecastRun | None:
    return ForecastRun.objects.order_by("-computed_at", "-pk").first()


def forecast_read(*, actor: Actor, params: Mapping[str, str]) -> ForecastView:
    """The forecast for ?location=&type=&grain=week|day (all optional: every location in reach, all types, weeks)."""
    scope = dashboard_scope(actor=actor)
    if not scope.locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    location = _pick(params.get("location"), scope.locations, "location")
    kind = _pick(params.get("type"), scope.types, "type")
    grain = params.get("grain") or "week"
    if grain not in GRAINS:
        raise ValidationFailed("bad-field", _("'%(name)s' must be one of: %(choices)s.") % {
            "name": "grain", "choices": ", ".join(GRAINS)}, fields={"grain": [_("Not a valid choice.")]})
    run = latest_run()
    view = ForecastView(scope, run, location, kind, grain)
    if run is None:
        return view
    location_ids = [location.pk] if location is not None else [loc.pk for loc in scope.locations]
    wanted: dict[str, Any] = {"run": run, "location_id__in": location_ids}
    if kind is not None:
        wanted["appointment_type_id"] = kind.pk
    table, key = (ForecastWeek, "week_start") if grain == "week" else (ForecastDay, "day")
    grouped: dict[dt.date, list[Any]] = defaultdict(list)
    for row in table.objects.filter(**wanted).order_by(key, "location_id", "appointment_type_id"):
        grouped[getattr(row, key)].append(row)
    capacity = list(ForecastCapacity.objects.filter(run=run, location_id__in=location_ids)
                    .order_by("week_start", "location_id"))
    flagged_weeks = {c.week_start for c in capacity if c.flagged}
    view.points = [_combine(start, rows) for start, rows in sorted(grouped.items())]
    for point in view.points:
        point.flagged = (point.start - dt.timedelta(days=point.start.weekday())) in flagged_weeks
    locations = {loc.pk: loc for loc in scope.locations}
    types = {t.pk: t for t in scope.types}
    view.shortfalls = [Shortfall(locations[c.location_id], c.week_start, c.demand_minutes, c.capacity_minutes,
                                 [(types[s["type"]], s["sessions"]) for s in c.suggestions if s["type"] in types])
                       for c in capacity if c.flagged and c.location_id in locations]
    scores = [(s.mase or 0.0, s.naive_mase or 0.0) for s in ForecastSeries.objects.filter(**wanted)
              .exclude(mase__isnull=True).only("mase", "naive_mase")]
    view.series = ForecastSeries.objects.filter(**wanted).count()
    if scores:
        view.mase = round(sum(m for m, _n in scores) / len(scores), 3)
        view.naive_mase = round(sum(n for _m, n in scores) / len(scores), 3)
    return view


@dataclass
class WeekForecast:
    """What the roster reads: a location's week, per type and in total, against the templates' capacity."""

    location_id: int
    week_start: dt.date
    types: dict[int, Point]  # appointment type id -> the week's forecast
    total: Point
    demand_minutes: float
    capacity_minutes: float
    flagged: bool
    suggestions: list[dict[str, int]]  # [{"type": id, "sessions": extra half-day sessions}]


def forecast_for_week(location_id: int, week_start: dt.date) -> WeekForecast | None:
    """The stored forecast of one location's week (the Monday of `week_start`'s week), or None when that week was
    not forecast. No permission check: aggregates only, for other apps' services (the roster, #21)."""
    monday = week_start - dt.timedelta(days=week_start.weekday())
    run = latest_run()
    if run is None:
        return None
    rows = list(ForecastWeek.objects.filter(run=run, location_id=location_id, week_start=monday)
                .order_by("appointment_type_id"))
    check = ForecastCapacity.objects.filter(run=run, location_id=location_id, week_start=monday).first()
    if not rows and check is None:
        return None
    return WeekForecast(
        location_id=location_id, week_start=monday,
        types={r.appointment_type_id: Point(monday, r.mean, r.lo80, r.hi80, r.lo95, r.hi95) for r in rows},
        total=_combine(monday, rows), demand_minutes=check.demand_minutes if check else 0.0,
        capacity_minutes=check.capacity_minutes if check else 0.0, flagged=bool(check and check.flagged),
        suggestions=list(check.suggestions) if check else [])
