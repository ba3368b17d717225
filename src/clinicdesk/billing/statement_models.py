"""Patient balances (#19 items 8 and 9): statements on a cycle, collections holds, refunds of credit balances and
billing disputes. Re-exported from billing/models.py.

- `StatementSettings` (one row): the practice's cycle (the day of the month the cycle runs, the days between two
  statements of one patient), how long a dispute may stay open, and the payment plan rules (reminder days before
  an instalment, misses before a plan defaults). Payment plans themselves live in the portal (`portal.PaymentPlan`):
  one home; billing learns about them through `billing.hooks`.
- `Statement`: one per patient and statement date; its aging buckets and balance as printed, the PDF on the chart.
- `CollectionsHold`: a flag with a reason on a patient's balance: no statements, no collection steps. At most one
  active per patient (a conditional unique constraint).
- `CreditRefund`: a request to pay back a credit balance; approving it posts refund entries (append-only), once.
- `Dispute`: a patient disputes a charge; while open it holds statements and collection steps for that balance;
  it closes with a written response letter (PDF on the chart).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StatementSettings(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    cycle_day = models.PositiveSmallIntegerField(_("cycle day of the month"), default=1)
    interval_days = models.PositiveSmallIntegerField(_("days between statements"), default=30)
    dispute_days = models.PositiveSmallIntegerField(_("days to answer a dispute"), default=30)
    plan_reminder_days = models.PositiveSmallIntegerField(_("reminder days before an instalment"), default=5)
    plan_missed_limit = models.PositiveSmallIntegerField(_("missed instalments before a plan defaults"), default=2)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cycle_day__gte=1, cycle_day__lte=28), name="statement_cycle_day_1_28"),
            models.CheckConstraint(condition=Q(interval_days__gte=7, interval_days__lte=120),
                                   name="statement_interval_7_120"),
            models.CheckConstraint(condition=Q(dispute_days__gte=1, dispute_days__lte=180),
                                   name="statement_dispute_days_1_180"),
            models.CheckConstraint(condition=Q(plan_missed_limit__gte=1, plan_missed_limit__lte=6),
                                   name="statement_plan_missed_1_6"),
        ]


class StatementDelivery(models.TextChoices):
    EMAIL = "email", pgettext_lazy("statement delivery", "E-mailed")
    PRINT = "print", pgettext_lazy("statement delivery", "To print and mail")


class Statement(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    statement_date = models.DateField(_("statement date"))
    since = models.DateTimeField(null=True, blank=True)  # the previous statement's time: activity listed after it
    balance = models.DecimalField(max_digits=10, decimal_places=2)
    aged_0_30 = models.DecimalField(max_digits=10, decimal_places=2)
    aged_31_60 = models.DecimalField(max_digits=10, decimal_places=2)
    aged_61_90 = models.DecimalField(max_digits=10, decimal_places=2)
    aged_91_120 = models.DecimalField(max_digits=10, decimal_places=2)
    aged_over_120 = models.DecimalField(max_digits=10, decimal_places=2)
    language = models.CharField(max_length=8)
    delivery = models.CharField(max_length=8, choices=StatementDelivery.choices)
    document = models.ForeignKey("patients.Document", on_delete=models.PROTECT, related_name="+")
    message_id = models.IntegerField(null=True, blank=True)  # the outbox message, when e-mailed
    printed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-statement_date", "-pk"]
        indexes = [models.Index(fields=["patient", "created_at"], name="statement_patient_at")]
        constraints = [
            models.UniqueConstraint(fields=["patient", "statement_date"], name="statement_once_per_day"),
            models.CheckConstraint(condition=Q(balance__gt=0), name="statement_balance_positive"),
        ]

    @property
    def buckets(self) -> list:
        return [self.aged_0_30, self.aged_31_60, self.aged_61_90, self.aged_91_120, self.aged_over_120]


class CollectionsHold(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=Q(released_at__isnull=True),
                                    name="collections_hold_one_active"),
        ]


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("refund", "Waiting for approval")
    POSTED = "posted", pgettext_lazy("refund", "Approved and posted")
    DECLINED = "declined", pgettext_lazy("refund", "Declined")


REFUND_TRANSITIONS = {
    RefundStatus.REQUESTED: {RefundStatus.POSTED, RefundStatus.DECLINED},
    RefundStatus.POSTED: set(),
    RefundStatus.DECLINED: set(),
}


class CreditRefund(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    entry_ids = models.JSONField(default=list)  # the refund ledger entries it posted
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_refund_positive"),
            models.CheckConstraint(condition=Q(status="requested") | Q(decided_at__isnull=False),
                                   name="credit_refund_decided_has_time"),
        ]


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute", "Open")
    CLOSED = "closed", pgettext_lazy("dispute", "Answered and closed")


class DisputeOutcome(models.TextChoices):
    UPHELD = "upheld", pgettext_lazy("dispute outcome", "The charge is correct")
    CORRECTED = "corrected", pgettext_lazy("dispute outcome", "The charge was corrected")
    WRITTEN_OFF = "written-off", pgettext_lazy("dispute outcome", "The charge was written off")


DISPUTE_TRANSITIONS = {DisputeStatus.OPEN: {DisputeStatus.CLOSED}, DisputeStatus.CLOSED: set()}


class Dispute(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey("billing.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # the disputed charge (blank: the balance as a whole)
    amount = models.DecimalField(_("amount disputed"), max_digits=10, decimal_places=2)
    reason = models.TextField(_("what the patient says"), max_length=2000)
    status = models.CharField(max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    due_on = models.DateField(_("answer due"))
    outcome = models.CharField(max_length=12, choices=DisputeOutcome.choices, blank=True)
    response = models.TextField(_("response"), max_length=4000, blank=True)
    language = models.CharField(max_length=8, blank=True)
    document = models.ForeignKey("patients.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="dispute_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(outcome="")
                                                                 & Q(document__isnull=False)),
                                   name="dispute_closed_with_letter"),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.pk}"
