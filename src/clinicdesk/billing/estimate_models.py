"""Cost estimates and Good Faith Estimates (#19 item 10).

An estimate is made before a visit for a patient (and usually an appointment): the services expected, each
priced from the fee schedule (the payer's contracted amount when there is one) and split between the payer and the
patient line by line with the newest 271 benefits (co-pay, co-insurance, deductible and out-of-pocket remaining).
The assumptions behind the split are kept with it (codes and values; shown in words). A Good Faith Estimate
(No Surprises Act, 45 CFR 149.610) is the estimate for a patient who is uninsured or pays for themself: the
expected charges with their codes, the provider's and facility's NPI and TIN, the disclaimer and the right to
dispute a bill $400 or more above it. It is given by a due date (`due_by`) and signed by the patient (or marked
received by a staff member), and its PDF is kept on the chart. Amounts are Decimal with two places."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EstimateKind(models.TextChoices):
    ESTIMATE = "estimate", _("Cost estimate")
    GOOD_FAITH = "good-faith", _("Good Faith Estimate")


class EstimateStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("estimate status", "Given, not signed")
    SIGNED = "signed", pgettext_lazy("estimate status", "Signed by the patient")
    RECEIVED = "received", pgettext_lazy("estimate status", "Received (staff)")


class SignatureMethod(models.TextChoices):
    SIGNED = "signed", _("Signed by the patient")
    RECEIVED = "received", _("Marked received by staff")


class Estimate(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=EstimateKind.choices)
    status = models.CharField(max_length=10, choices=EstimateStatus.choices, default=EstimateStatus.ISSUED)
    number = models.CharField(max_length=20, unique=True)
    language = models.CharField(max_length=8, default="en")
    service_date = models.DateField()
    coverage = models.ForeignKey("patients.Coverage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    payer_name = models.CharField(max_length=120, blank=True)
    benefits = models.JSONField(default=dict)  # the 271 as used: copay, coinsurance, deductible/oop remaining, date
    diagnoses = models.JSONField(default=list)
    lines = models.JSONField(default=list)  # [{code, modifiers, description, units, charge, allowed, payer, patient}]
    assumptions = models.JSONField(default=list)  # [{"code", "params"}]
    total_charge = models.DecimalField(max_digits=10, decimal_places=2)
    total_allowed = models.DecimalField(max_digits=10, decimal_places=2)
    payer_total = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    patient_total = models.DecimalField(max_digits=10, decimal_places=2)
    requested_on = models.DateField()
    due_by = models.DateField()  # when it must be given (No Surprises Act timing for a Good Faith Estimate)
    signature_method = models.CharField(max_length=10, choices=SignatureMethod.choices, blank=True)
    signed_name = models.CharField(max_length=120, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # the staff member who took the signature or the receipt
    document = models.ForeignKey("patients.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")  # the PDF on the chart (the signed copy once signed)
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["estimate", "good-faith"]), name="estimate_kind_known"),
            models.CheckConstraint(condition=Q(status__in=["issued", "signed", "received"]),
                                   name="estimate_status_known"),
            models.CheckConstraint(condition=Q(total_charge__gte=0) & Q(patient_total__gte=0)
                                   & Q(payer_total__gte=0), name="estimate_amounts_not_negative"),
            models.CheckConstraint(condition=Q(status="issued") | Q(signed_at__isnull=False),
                                   name="estimate_signed_has_time"),
        ]

    def __str__(self) -> str:
        return self.number
