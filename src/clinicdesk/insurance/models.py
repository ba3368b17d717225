"""Insurance: electronic eligibility (X12 270/271) results, and the service types each appointment type asks
about. Payers and coverages stay in `patients` (read through its selectors and models).

Writes go through `insurance.services`; reads through `insurance.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EligibilityStatus(models.TextChoices):
    """What we know from the exchange. Only ACTIVE means the payer said the coverage is active."""

    PENDING = "pending", _("Waiting for the answer")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    REJECTED = "rejected", _("Rejected by the payer")
    FAILED = "failed", _("No usable answer")
    MISMATCH = "mismatch", _("Answer for another patient")


class EligibilityFailure(models.TextChoices):
    NONE = "", _("None")
    TIMEOUT = "timeout", _("The clearinghouse did not answer in time")
    TRANSPORT = "transport", _("The clearinghouse could not be reached")
    REFUSED = "refused", _("The clearinghouse refused the request")
    MALFORMED = "malformed", _("The answer could not be read")
    MISMATCH = "mismatch", _("The answer is about another patient")


class EligibilityChannel(models.TextChoices):
    REALTIME = "realtime", _("Real time (CAQH CORE)")
    SFTP = "sftp", _("Batch (SFTP)")
    FOLDER = "folder", _("Batch (local folder)")


class ServiceTypeRule(models.Model):
    """The X12 service type codes (EQ01) asked about for an appointment type; without a rule, 30 (health
    benefit plan coverage)."""

    appointment_type = models.OneToOneField("scheduling.AppointmentType", on_delete=models.CASCADE,
                                            related_name="+")
    service_types = models.JSONField(_("service type codes"), default=list)

    def __str__(self) -> str:
        return ", ".join(self.service_types)


class EligibilityResult(models.Model):
    """One 270 sent and what came back. Amounts are the patient's share as the payer stated it (Decimal)."""

    # SET_NULL: a patient merge may delete a duplicate coverage; the result keeps what was asked (payer, member).
    coverage = models.ForeignKey("patients.Coverage", null=True, on_delete=models.SET_NULL, related_name="+")
    payer_name = models.CharField(_("payer"), max_length=120)
    member_id = models.CharField(_("member id"), max_length=30)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=EligibilityStatus.choices,
                              default=EligibilityStatus.PENDING)
    failure = models.CharField(_("problem"), max_length=10, choices=EligibilityFailure.choices, blank=True)
    failure_detail = models.CharField(_("problem detail"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=EligibilityChannel.choices)
    trace_number = models.CharField(max_length=30, unique=True)
    service_date = models.DateField(_("date of service"))
    service_types = models.JSONField(default=list)
    coverage_fingerprint = models.CharField(max_length=64)  # the coverage as asked about (changed: ask again)
    plan = models.CharField(_("plan"), max_length=120, blank=True)
    group_number = models.CharField(_("group number"), max_length=50, blank=True)
    plan_begin = models.DateField(null=True, blank=True)
    plan_end = models.DateField(null=True, blank=True)
    copay = models.DecimalField(_("co-pay"), max_digits=10, decimal_places=2, null=True, blank=True)
    coinsurance_percent = models.DecimalField(_("co-insurance"), max_digits=6, decimal_places=4, null=True,
                                              blank=True)
    deductible_remaining = models.DecimalField(_("deductible remaining"), max_digits=10, decimal_places=2,
                                               null=True, blank=True)
    out_of_pocket_remaining = models.DecimalField(_("out-of-pocket remaining"), max_digits=10, decimal_places=2,
                                                  null=True, blank=True)
    rejections = models.JSONField(default=list)  # [{"code", "action", "level"}]
    request_x12 = models.TextField()
    response_x12 = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["coverage", "-requested_at"]),
                   models.Index(fields=["service_date", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=EligibilityStatus.values),
                                   name="eligibility_status_known"),
            models.CheckConstraint(condition=~models.Q(status="active") | models.Q(failure=""),
                                   name="eligibility_active_has_no_failure"),
        ]

    def __str__(self) -> str:
        return f"{self.trace_number} {self.status}"


class EligibilityBenefit(models.Model):
    """One EB segment of a 271 (codes as sent; words come from insurance.x12.codes)."""

    result = models.ForeignKey(EligibilityResult, on_delete=models.CASCADE, related_name="benefits")
    position = models.PositiveSmallIntegerField()
    info = models.CharField(max_length=2)  # EB01
    coverage_level = models.CharField(max_length=3, blank=True)  # EB02
    service_types = models.JSONField(default=list)  # EB03
    insurance_type = models.CharField(max_length=3, blank=True)  # EB04
    plan = models.CharField(max_length=50, blank=True)  # EB05
    period = models.CharField(max_length=2, blank=True)  # EB06
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # EB07
    percent = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)  # EB08
    quantity_qualifier = models.CharField(max_length=2, blank=True)  # EB09
    quantity = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # EB10
    in_network = models.BooleanField(null=True)  # EB12
    level = models.CharField(max_length=10, default="subscriber")
    visit_limits = models.JSONField(default=list)  # HSD
    messages = models.JSONField(default=list)  # MSG, dates

    class Meta:
        ordering = ["result", "position"]
