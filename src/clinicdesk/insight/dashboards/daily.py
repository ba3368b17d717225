"""The daily table read once for a whole dashboard page: one aggregate query, grouped three ways.

Each figure alone reads `insight_dailyappointments` grouped its own way (figures.py). A page with every figure
would read the table seven times; `read_daily` reads it in one query, grouped by (week, location), by provider
and by type (UNION ALL of two scans: the weekly sums, then provider and type with GROUPING SETS on PostgreSQL),
and the figures derive their numbers from those groups in Python. The sums are the ones the figures' own
queries give (tests compare them).

The type filter narrows every sum but one: utilisation's booked minutes count every type (figures.utilisation),
so the query reads every type and the type filter is a CASE inside the sums.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router

from .filters import Filters
from .tables import DailyAppointments

# The daily table's sums the figures read (volume, no-shows, visit times, reminders).
SUMMED = ("appointments", "attended", "noshows", "late_cancels", "reminded", "confirmed", "roomed_visits",
          "rooming_seconds", "finished_visits", "visit_seconds")


@dataclass
class DailySums:
    """The period's daily counts, grouped three ways (the filters' type applied, except to `booked`)."""

    # per week (its Monday: the figures count by week) and location
    by_day_location: dict[tuple[dt.date, int], dict[str, int]] = field(default_factory=dict)
    by_practitioner: dict[int, int] = field(default_factory=dict)  # appointments, providers with rows of the type
    by_type: dict[int, int] = field(default_factory=dict)  # appointments, types with rows (the one filtered)
    booked: dict[int, int] = field(default_factory=dict)  # per provider, booked minutes of every type
    _days: dict[dt.date, list[int]] | None = field(default=None, repr=False)

    # The "days" below are weeks' Mondays: the figures count by week (figures._monday of a Monday is itself).
    def per_day_location(self, name: str) -> list[tuple[dt.date, int, int]]:
        return [(day, location_id, sums[name]) for (day, location_id), sums in self.by_day_location.items()]

    def per_day(self, names: tuple[str, ...]) -> dict[dt.date, list[int]]:
        if self._days is None:  # every sum per day, once for the page
            self._days = defaultdict(lambda: [0] * len(SUMMED))
            for (day, _location_id), sums in self.by_day_location.items():
                bucket = self._days[day]
                for i, name in enumerate(SUMMED):
                    bucket[i] += sums[name]
        where = [SUMMED.index(name) for name in names]
        return {day: [sums[i] for i in where] for day, sums in self._days.items()}

    def per(self, field_name: str) -> dict[int, int]:
        return self.by_practitioner if field_name == "practitioner_id" else self.by_type

    def booked_minutes(self) -> dict[int, int]:
        return self.booked


def _summed(name: str, vendor: str) -> str:
    # PostgreSQL sums a bigint column in numeric (slow); in float8 the sum is exact below 2**53 seconds.
    return f"{name}::float8" if vendor == "postgresql" and name.endswith("_seconds") else name


def _sql(f: Filters, table: str, vendor: str) -> tuple[str, list[Any]]:
    """Two groups of rows: per week (its Monday) and location, every sum; per provider and per type, the
    appointments, the rows of the type and the booked minutes (fewer sums: the heavy part is per row and sum)."""
    where = ["day >= %s", "day <= %s", f"location_id IN ({', '.join(['%s'] * len(f.location_ids))})"]
    params: list[Any] = [f.first_day, f.last_day, *f.location_ids]
    if f.practitioner is not None:
        where.append("practitioner_id = %s")
        params.append(f.practitioner.pk)
    condition = " AND ".join(where)
    type_pk = f.appointment_type.pk if f.appointment_type is not None else None

    def typed(expression: str) -> tuple[str, list[Any]]:  # the type's rows only (every row without a type)
        if type_pk is None:
            return f"SUM({expression})", []
        return f"SUM(CASE WHEN appointment_type_id = %s THEN {expression} ELSE 0 END)", [type_pk]

    weekly = [typed(_summed(name, vendor)) for name in SUMMED]
    rows, appointments = typed("1"), typed("appointments")
    week = "date_trunc('week', day)::date" if vendor == "postgresql" else "date(day, '-6 days', 'weekday 1')"
    zeros = ", ".join(["0"] * (len(SUMMED) - 1))
    sums = ", ".join(sql for sql, _ in weekly)
    by_week = f"SELECT {week}, location_id, NULL, NULL, {sums}, {rows[0]}, 0 FROM {table} WHERE {condition} "  # noqa: S608
    by_week += "GROUP BY 1, 2"
    by_week_params = [p for _, extra in weekly for p in extra] + rows[1] + params
    tail = f"{appointments[0]}, {zeros}, {rows[0]}, SUM(booked_minutes) FROM {table} WHERE {condition}"
    tail_params = appointments[1] + rows[1] + params
    if vendor == "postgresql":
        return (f"{by_week} UNION ALL SELECT NULL, NULL, practitioner_id, appointment_type_id, {tail} "
                f"GROUP BY GROUPING SETS ((practitioner_id), (appointment_type_id))",
                by_week_params + tail_params)
    return (f"{by_week} UNION ALL SELECT NULL, NULL, practitioner_id, NULL, {tail} GROUP BY practitioner_id "
            f"UNION ALL SELECT NULL, NULL, NULL, appointment_type_id, {tail} GROUP BY appointment_type_id",
            by_week_params + tail_params * 2)


def read_daily(f: Filters) -> DailySums:
    """The daily table's sums for the filters, in one query (the page's figures derive from them)."""
    out = DailySums()
    if not f.location_ids:
        return out
    alias = router.db_for_read(DailyAppointments) or DEFAULT_DB_ALIAS
    connection = connections[alias]
    table = connection.ops.quote_name(DailyAppointments._meta.db_table)
    sql, params = _sql(f, table, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    n = len(SUMMED)
    for day, location_id, practitioner_id, type_id, *values in found:
        sums, rows, booked = [int(v or 0) for v in values[:n]], int(values[n] or 0), int(values[n + 1] or 0)
        if day is not None:
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
            out.by_day_location[(day, location_id)] = dict(zip(SUMMED, sums, strict=True))
        elif practitioner_id is not None:
            out.booked[practitioner_id] = booked
            if rows:
                out.by_practitioner[practitioner_id] = sums[0]
        elif type_id is not None and rows:
            out.by_type[type_id] = sums[0]
    return out
