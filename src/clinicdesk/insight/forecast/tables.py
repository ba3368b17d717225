"""Insight's stored demand forecast: the latest run, its series, weeks, days and the capacity check.

Recomputed as a whole (weekly by a periodic task, or `clinicdesk insight forecast`): the run rows stay as a log,
the figures of older runs are deleted. Ids of locations and types are plain integers, as in the daily counts.
No patient data: counts of appointment requests per location, type and day.
"""

from __future__ import annotations

from django.db import models


class ForecastRun(models.Model):
    computed_at = models.DateTimeField()
    first_week = models.DateField()  # the Monday the 12 forecast weeks start
    weeks = models.PositiveSmallIntegerField()
    series = models.PositiveIntegerField(default=0)  # location x type series forecast
    seconds = models.FloatField(default=0)  # how long the whole computation took
    mase = models.FloatField(null=True)  # the backtest's mean MASE (daily, rolling origin)
    naive_mase = models.FloatField(null=True)  # the seasonal-naive forecast's MASE on the same origins

    class Meta:
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"forecast {self.computed_at:%Y-%m-%d %H:%M}"


class ForecastSeries(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="series_rows")
    location_id = models.BigIntegerField()
    appointment_type_id = models.BigIntegerField()
    history_days = models.PositiveIntegerField()
    mase = models.FloatField(null=True)  # null: too little history to backtest
    naive_mase = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "location_id", "appointment_type_id"],
                                               name="insight_fc_series_unique")]


class _Figures(models.Model):
    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="+")
    location_id = models.BigIntegerField()
    appointment_type_id = models.BigIntegerField()
    mean = models.FloatField()
    lo80 = models.FloatField()
    hi80 = models.FloatField()
    lo95 = models.FloatField()
    hi95 = models.FloatField()

    class Meta:
        abstract = True


class ForecastWeek(_Figures):
    week_start = models.DateField()  # a Monday

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "location_id", "appointment_type_id", "week_start"],
                                               name="insight_fc_week_unique")]
        indexes = [models.Index(fields=["location_id", "week_start"], name="insight_fc_week_loc")]


class ForecastDay(_Figures):
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "location_id", "appointment_type_id", "day"],
                                               name="insight_fc_day_unique")]


class ForecastCapacity(models.Model):
    """One location's week: the forecast demand in minutes against the templates' minutes."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="capacity_rows")
    location_id = models.BigIntegerField()
    week_start = models.DateField()
    demand_minutes = models.FloatField()
    capacity_minutes = models.FloatField()
    flagged = models.BooleanField(default=False)
    # [{"type": appointment_type_id, "sessions": n, "minutes": short}] : extra half-day sessions suggested
    suggestions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "location_id", "week_start"],
                                               name="insight_fc_capacity_unique")]
