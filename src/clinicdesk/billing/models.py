"""The patient account: an append-only ledger of charges, payments, adjustments, refunds and reversals.

`amount` is the entry's effect on what the patient owes, as Decimal with two places: a charge or a
refund raises the balance (positive), a payment lowers it (negative), an adjustment goes either way.
A balance is a sum. No entry is ever changed or deleted: a mistake is corrected by a reversing entry
(`reverses`, at most one per entry, with the opposite amount). The claims issue adds charges and
insurance payments as further kinds.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.append_only import AppendOnlyModel


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CHECK = "check", _("Check")
    CARD = "card", _("Card")


class LedgerEntry(AppendOnlyModel):
    append_only_message = "A ledger entry is immutable: post a reversing entry instead."

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="ledger_entries")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    description = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=8, choices=PaymentMethod.choices, blank=True)
    check_number = models.CharField(max_length=20, blank=True)
    card_reference = models.CharField(max_length=40, blank=True)  # the terminal's transaction reference
    card_last4 = models.CharField(max_length=4, blank=True)
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    refund_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    receipt_number = models.CharField(max_length=20, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["patient", "created_at"]),
            models.Index(fields=["location", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=~Q(kind="charge") | Q(amount__gt=0), name="ledger_charge_positive"),
            models.CheckConstraint(condition=~Q(kind="payment") | Q(amount__lt=0), name="ledger_payment_negative"),
            models.CheckConstraint(condition=~Q(kind="refund") | Q(amount__gt=0), name="ledger_refund_positive"),
            models.CheckConstraint(condition=~Q(kind__in=["payment", "refund"]) | ~Q(method=""),
                                   name="ledger_money_has_method"),
            models.CheckConstraint(condition=~Q(method="check") | ~Q(check_number=""), name="ledger_check_number"),
            models.CheckConstraint(condition=~Q(method="card") | (~Q(card_reference="") & ~Q(card_last4="")),
                                   name="ledger_card_details"),
            models.CheckConstraint(condition=~Q(kind="reversal") | Q(reverses__isnull=False),
                                   name="ledger_reversal_names_entry"),
            models.CheckConstraint(condition=~Q(kind="refund") | Q(refund_of__isnull=False),
                                   name="ledger_refund_names_payment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_money(self) -> bool:
        return self.kind in (EntryKind.PAYMENT, EntryKind.REFUND)

    @property
    def collected(self) -> Any:
        """Money into the drawer (positive) or out of it (negative)."""
        return -self.amount


class ReceiptSequence(models.Model):
    """One row holding the last receipt number handed out; locked while taking the next."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.BigIntegerField(default=0)
