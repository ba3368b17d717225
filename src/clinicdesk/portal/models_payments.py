"""Online payments in the portal (issue #23, item 4): a checkout at the payment provider, the provider's webhook
events (kept once, by their id, so that a retried or replayed event posts nothing twice) and a patient's saved
payment plan. Card numbers never reach Clinicdesk: the patient types them on the provider's page; the ledger gets
the provider's payment reference and the last four digits it reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentPurpose(models.TextChoices):
    BALANCE = "balance", _("Account balance")
    COPAY = "copay", _("Co-pay for a visit")
    INSTALMENT = "instalment", _("Payment plan instalment")


class OnlinePaymentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("online payment", "Waiting for the payment")
    PAID = "paid", pgettext_lazy("online payment", "Paid")
    FAILED = "failed", pgettext_lazy("online payment", "Not paid")
    EXPIRED = "expired", pgettext_lazy("online payment", "Expired, not paid")


# The moves a payment may make. An expired checkout may still become paid: a provider's late "completed" event
# means the money was taken, so it is posted (services/payments.py, `_apply`); nothing else leaves a final state.
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    OnlinePaymentStatus.PENDING: frozenset({OnlinePaymentStatus.PAID, OnlinePaymentStatus.FAILED,
                                            OnlinePaymentStatus.EXPIRED}),
    OnlinePaymentStatus.EXPIRED: frozenset({OnlinePaymentStatus.PAID}),
    OnlinePaymentStatus.PAID: frozenset(),
    OnlinePaymentStatus.FAILED: frozenset(),
}


class OnlinePayment(models.Model):
    """One checkout: what the patient chose to pay, for whom, and what the provider answered."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")  # whose account
    paid_by = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")  # who paid (a proxy)
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=12, choices=PaymentPurpose.choices)
    appointment_id = models.IntegerField(null=True, blank=True)  # a co-pay's visit
    plan = models.ForeignKey("portal.PaymentPlan", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    reference = models.CharField(max_length=40, unique=True)  # ours, sent to the provider
    session_id = models.CharField(max_length=80, unique=True, null=True, blank=True)  # the provider's checkout
    status = models.CharField(max_length=8, choices=OnlinePaymentStatus.choices, default=OnlinePaymentStatus.PENDING)
    ledger_entry_id = models.IntegerField(null=True, blank=True)  # billing's payment entry, once paid
    receipt_number = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)  # the provider's checkout closes (null: before 0004)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "created_at"], name="portal_payment_patient_at"),
                   models.Index(fields=["expires_at"], condition=Q(status="pending"),
                                name="portal_payment_pending_exp")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="portal_payment_positive"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(ledger_entry_id__isnull=False),
                                   name="portal_payment_paid_posted"),
        ]


class GatewayEvent(models.Model):
    """A webhook event from the provider, accepted once (its id is unique): a replay answers 200 and posts nothing."""

    event_id = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=40)
    payment = models.ForeignKey(OnlinePayment, null=True, on_delete=models.PROTECT, related_name="events")
    received_at = models.DateTimeField()


class PaymentPlan(models.Model):
    """A patient agreed to pay a balance in monthly instalments, each paid through the same checkout."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=10, decimal_places=2)
    instalments = models.PositiveSmallIntegerField()
    first_due = models.DateField()
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="portal_plan_positive"),
            models.CheckConstraint(condition=Q(instalments__gte=2, instalments__lte=12),
                                   name="portal_plan_instalments_range"),
        ]
