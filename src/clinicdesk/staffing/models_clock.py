"""Time and attendance (#20 item 7): the desk's time clock (punches in and out, by the person signed in or by staff
ID and PIN at a shared screen), each person's hashed PIN, and the practice's clock settings (pay period length and
anchor, the grace minutes before a clock-in counts as late).

Imported by staffing/models.py. A punch belongs to a staff contract (StaffMember) and its location; it is matched
to the day's published roster assignment when there is one. One open punch per person (the database refuses a
second clock-in without a clock-out). Times are stored in UTC and shown in the location's zone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PayPeriod(models.TextChoices):
    WEEKLY = "weekly", pgettext_lazy("pay period", "Weekly")
    BIWEEKLY = "biweekly", pgettext_lazy("pay period", "Every two weeks")


PAY_PERIOD_DAYS = {PayPeriod.WEEKLY: 7, PayPeriod.BIWEEKLY: 14}


class ClockSettings(models.Model):
    """The practice's time clock settings: one row (pk 1, made by migration 0004)."""

    pay_period = models.CharField(_("pay period"), max_length=10, choices=PayPeriod.choices,
                                  default=PayPeriod.BIWEEKLY)
    anchor = models.DateField(_("a pay period starts on"), default=dt.date(2026, 1, 5))
    grace_minutes = models.PositiveSmallIntegerField(_("grace minutes before late"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(grace_minutes__lte=120),
                                              name="staffing_clocksettings_grace_bounded")]

    @property
    def period_days(self) -> int:
        return PAY_PERIOD_DAYS[PayPeriod(self.pay_period)]


class ClockPin(models.Model):
    """A person's time clock PIN, hashed with Django's password hashers; wrong tries lock it for a while."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pin_hash = models.CharField(max_length=200)
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    failures = models.PositiveSmallIntegerField(default=0)
    failures_since = models.DateTimeField(null=True, blank=True)


class PunchMethod(models.TextChoices):
    SELF = "self", _("Signed in")
    PIN = "pin", _("Staff ID and PIN")
    CORRECTION = "correction", _("Corrected by the coordinator")


class Punch(models.Model):
    """One stretch of work: clocked in, and (once the person clocks out) clocked out."""

    staff = models.ForeignKey("staffing.StaffMember", on_delete=models.PROTECT, related_name="punches")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey("staffing.RosterAssignment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="punches")
    clock_in = models.DateTimeField(_("clocked in"))
    clock_out = models.DateTimeField(_("clocked out"), null=True, blank=True)
    in_method = models.CharField(max_length=12, choices=PunchMethod.choices, default=PunchMethod.SELF)
    out_method = models.CharField(max_length=12, choices=PunchMethod.choices, blank=True)
    corrected = models.BooleanField(default=False)
    correction_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-clock_in", "-pk"]
        indexes = [models.Index(fields=["location", "clock_in"]), models.Index(fields=["staff", "clock_in"])]
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=Q(clock_out__isnull=True),
                                    name="staffing_punch_one_open"),
            models.CheckConstraint(condition=Q(clock_out__isnull=True) | Q(clock_out__gt=models.F("clock_in")),
                                   name="staffing_punch_out_after_in"),
        ]

    @property
    def minutes(self) -> int:
        """Minutes worked (0 while open)."""
        if self.clock_out is None:
            return 0
        return int((self.clock_out - self.clock_in).total_seconds() // 60)
