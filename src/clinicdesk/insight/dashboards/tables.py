"""Insight's own table: appointments per day, location, provider and type, pre-counted for the dashboards.

One row per (local day, location, practitioner, appointment type) that has any appointment. Insight writes only
this table (never the schedule's); `rollup.py` recomputes a provider's day whenever the schedule announces a
change there, and `clinicdesk insight dashboards-rebuild` recomputes everything (or a range of days).
Ids are plain integers, not foreign keys: the schedule's rows are never held or cascaded by insight.
"""

from __future__ import annotations

from django.db import models


class DailyAppointments(models.Model):
    day = models.DateField()  # the location's local date of the start
    location_id = models.BigIntegerField()
    practitioner_id = models.BigIntegerField()
    appointment_type_id = models.BigIntegerField()
    appointments = models.PositiveIntegerField(default=0)  # every booked appointment (not proposed/waitlist/error)
    new_patients = models.PositiveIntegerField(default=0)  # of which of a new-patient type
    booked_minutes = models.PositiveIntegerField(default=0)  # minutes of those still occupying the provider
    attended = models.PositiveIntegerField(default=0)  # arrived, checked in or fulfilled
    noshows = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    late_cancels = models.PositiveIntegerField(default=0)
    # The reminders (comms): appointments sent a reminder (sent or delivered), and of those confirmed before start
    reminded = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    # The flow board (frontdesk): visits with both stamps, and the seconds between them, summed
    roomed_visits = models.PositiveIntegerField(default=0)
    rooming_seconds = models.BigIntegerField(default=0)  # check-in to rooming
    finished_visits = models.PositiveIntegerField(default=0)
    visit_seconds = models.BigIntegerField(default=0)  # arrival to check-out

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location_id", "practitioner_id", "day",
                                                       "appointment_type_id"], name="insight_daily_unique")]
        indexes = [models.Index(fields=["day", "location_id"], name="insight_daily_day_loc")]

    def __str__(self) -> str:
        return f"{self.day} {self.location_id}/{self.practitioner_id}/{self.appointment_type_id}"
