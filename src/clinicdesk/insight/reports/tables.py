"""Insight's tables for scheduled reports (#22 item 5) and the overbook advice policy (#22 item 3).

A subscription e-mails a dashboard (every figure, or those chosen) with its filters as a PDF to chosen staff on a
weekday and hour in the location's time zone. One delivery row per subscription, period (the local send day) and
recipient makes sending idempotent: a period is sent to a person once, a failure is retried and shown.
Ids of the schedule's rows (location, provider, type) are plain integers, as in the dashboards' daily counts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class ReportSubscription(models.Model):
    name = models.CharField(_("name"), max_length=120)
    figures = models.JSONField(default=list, blank=True)  # dashboard figure keys; empty = every figure
    location_id = models.BigIntegerField(null=True, blank=True)  # None: every location in the owner's reach
    practitioner_id = models.BigIntegerField(null=True, blank=True)
    appointment_type_id = models.BigIntegerField(null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(_("weeks"), default=4)  # the weeks before the send day
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS, default=0)
    hour = models.PositiveSmallIntegerField(_("hour"), default=7)
    time_zone = models.CharField(max_length=64)  # the location's (or the owner's first location's) zone
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="report_subscriptions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    next_send_at = models.DateTimeField()  # UTC
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="insight_subscription_weekday"),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="insight_subscription_hour"),
            models.CheckConstraint(condition=models.Q(weeks__gte=1, weeks__lte=52), name="insight_subscription_weeks"),
        ]
        indexes = [models.Index(fields=["active", "next_send_at"], name="insight_subscription_due")]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


DELIVERY_ERRORS = {
    "mail-failed": _("The mail server could not be reached or refused the message; it will be tried again."),
    "no-access": _("The report's owner can no longer read these figures."),
}


class ReportDelivery(models.Model):
    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    period = models.DateField()  # the local send day
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "period", "recipient"],
                                               name="insight_delivery_once")]
        indexes = [models.Index(fields=["status", "attempts"], name="insight_delivery_retry")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period} {self.recipient_id}"

    @property
    def error_label(self) -> str:
        return str(DELIVERY_ERRORS.get(self.error, self.error))


class OverbookPolicy(models.Model):
    """The practice's overbook advice setting (one row, pk=1; without a row: off)."""

    allow_suggested = models.BooleanField(_("allow suggested overbooking"), default=False)
    threshold = models.DecimalField(_("expected attendance threshold"), max_digits=3, decimal_places=2,
                                    default=Decimal("0.70"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="insight_overbook_policy_single_row"),
            models.CheckConstraint(condition=models.Q(threshold__gt=0, threshold__lte=1),
                                   name="insight_overbook_threshold_range"),
        ]

    def __str__(self) -> str:
        return f"overbook advice {'on' if self.allow_suggested else 'off'}"
