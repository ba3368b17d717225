"""Working denials (#19 item 7): the write-off of a denied amount (a biller asks, someone holding the approving
permission decides; only the approval posts the adjustment on the ledger) and the appeal letters sent to payers
(the PDF is stored on the patient's chart documents).

A claim has at most one live write-off (asked or approved): the database refuses a second one, and the
approval moves only along `WRITE_OFF_TRANSITIONS`, so nothing is written off twice. Money is Decimal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class WriteOffStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("write-off status", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("write-off status", "Approved and posted")
    REFUSED = "refused", pgettext_lazy("write-off status", "Refused")


WRITE_OFF_TRANSITIONS: dict[str, frozenset[str]] = {
    WriteOffStatus.REQUESTED: frozenset({WriteOffStatus.APPROVED, WriteOffStatus.REFUSED}),
    WriteOffStatus.APPROVED: frozenset(),
    WriteOffStatus.REFUSED: frozenset(),
}
LIVE_WRITE_OFF = (WriteOffStatus.REQUESTED, WriteOffStatus.APPROVED)


class DenialWriteOff(models.Model):
    claim = models.ForeignKey("billing.Claim", on_delete=models.PROTECT, related_name="denial_write_offs")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason_code = models.CharField(max_length=12, blank=True)  # the CARC (or 277CA code) it answers
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=WriteOffStatus.choices, default=WriteOffStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    entry = models.OneToOneField("billing.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="denial_write_off")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim"], condition=Q(status__in=["requested", "approved"]),
                                    name="denial_write_off_one_live_per_claim"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="denial_write_off_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=["requested", "approved", "refused"]),
                                   name="denial_write_off_status_known"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(entry__isnull=False),
                                   name="denial_write_off_approved_is_posted"),
        ]


class AppealLetter(models.Model):
    claim = models.ForeignKey("billing.Claim", on_delete=models.PROTECT, related_name="appeal_letters")
    document = models.ForeignKey("patients.Document", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=8)
    reason_code = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
