"""CLIA (issue #21, item 4): the location's CLIA certificate, the waived tests it performs with their quality-control
(QC) ranges and the supply item that is the test's kit, the QC runs per test, kit lot and day, the corrective
actions that follow an out-of-range run, and the patient test log. Imported by `models.py` so that Django finds
these models.

A kit lot is not a table here: it is the lot number and expiry of the kit item as the inventory knows them (the
operations app's received stock). QC runs and patient tests keep the lot number and its expiry as they were.
Whether patient testing is allowed for a test and lot is computed from the runs (see `services/clia.py`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

CLIA_NUMBER = re.compile(r"^\d{2}D\d{7}$")  # e.g. 22D0123456: two digits, the letter D, seven digits
COMPETENCY_TRAINING = "CLIA"  # the staffing training code of the waived-testing competency


class CertificateKind(models.TextChoices):
    WAIVER = "waiver", _("Certificate of waiver")
    PPM = "ppm", _("Provider-performed microscopy")
    COMPLIANCE = "compliance", _("Certificate of compliance")
    ACCREDITATION = "accreditation", _("Certificate of accreditation")


class CliaCertificate(models.Model):
    location = models.OneToOneField("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("certificate type"), max_length=14, choices=CertificateKind.choices)
    number = models.CharField(_("CLIA number"), max_length=10)
    effective_on = models.DateField(_("effective"))
    expires_on = models.DateField(_("expires"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(expires_on__gt=models.F("effective_on")),
                                              name="compliance_clia_cert_dates")]

    def __str__(self) -> str:
        return self.number


class ResultKind(models.TextChoices):
    NUMERIC = "numeric", _("A number with a unit")
    QUALITATIVE = "qualitative", _("Positive or negative")


class Reading(models.TextChoices):
    POSITIVE = "positive", pgettext_lazy("test result", "Positive")
    NEGATIVE = "negative", pgettext_lazy("test result", "Negative")


class QcLevel(models.TextChoices):
    """The controls run: low and high for a number, positive and negative for a positive/negative test."""

    LOW = "low", _("Low control")
    HIGH = "high", _("High control")
    POSITIVE = "positive", _("Positive control")
    NEGATIVE = "negative", _("Negative control")


LEVELS = {ResultKind.NUMERIC: (QcLevel.LOW, QcLevel.HIGH), ResultKind.QUALITATIVE: (QcLevel.POSITIVE,
                                                                                    QcLevel.NEGATIVE)}


class WaivedTest(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    measures = models.CharField(_("what it measures"), max_length=160)
    result_kind = models.CharField(_("result"), max_length=12, choices=ResultKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    item = models.ForeignKey("operations.Item", on_delete=models.PROTECT, related_name="+")
    low_min = models.DecimalField(_("low control from"), max_digits=9, decimal_places=2, null=True, blank=True)
    low_max = models.DecimalField(_("low control to"), max_digits=9, decimal_places=2, null=True, blank=True)
    high_min = models.DecimalField(_("high control from"), max_digits=9, decimal_places=2, null=True, blank=True)
    high_max = models.DecimalField(_("high control to"), max_digits=9, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_en", "pk"]
        constraints = [models.UniqueConstraint(fields=["location", "name_en"], name="compliance_waived_test_once")]

    def __str__(self) -> str:
        return self.name_in(get_language() or "en")

    def name_in(self, language: str) -> str:
        return self.name_es if (language or "").startswith("es") and self.name_es else self.name_en

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(str(level) for level in LEVELS[ResultKind(self.result_kind)])

    def control_range(self, level: str) -> tuple[object, object] | None:
        if level == QcLevel.LOW:
            return self.low_min, self.low_max
        if level == QcLevel.HIGH:
            return self.high_min, self.high_max
        return None


class QcRun(models.Model):
    """One QC run of a test on a kit lot: every required level, with its value, and whether all were in range."""

    test = models.ForeignKey(WaivedTest, on_delete=models.PROTECT, related_name="qc_runs")
    lot = models.CharField(_("kit lot"), max_length=40)
    lot_expires_on = models.DateField(_("kit lot expires"))
    run_on = models.DateField(_("day"))
    performed_at = models.DateTimeField(_("performed at"))
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    results = models.JSONField(default=list)  # [{"level", "value", "in_range"}], one per required level
    passed = models.BooleanField(_("in range"))

    class Meta:
        ordering = ["-performed_at", "-pk"]
        indexes = [models.Index(fields=["test", "lot", "performed_at"], name="compliance_qc_latest")]

    @property
    def readings(self) -> list[dict[str, Any]]:
        """Each control's words, value and whether it was in range (for the screens)."""
        out = []
        for r in self.results:
            value = r.get("value", "")
            shown: Any = str(Reading(value).label) if value in Reading.values else Decimal(str(value))
            out.append({"label": str(QcLevel(r["level"]).label), "value": shown, "in_range": r.get("in_range")})
        return out


class QcCorrection(models.Model):
    """The corrective action after an out-of-range run: what was done, by whom. A new run must then pass."""

    run = models.OneToOneField(QcRun, on_delete=models.PROTECT, related_name="correction")
    action = models.CharField(_("what was done"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()


class PatientTest(models.Model):
    """One waived test performed for a patient."""

    test = models.ForeignKey(WaivedTest, on_delete=models.PROTECT, related_name="patient_tests")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(_("kit lot"), max_length=40)
    lot_expires_on = models.DateField(_("kit lot expires"))
    value = models.DecimalField(_("result"), max_digits=9, decimal_places=2, null=True, blank=True)
    reading = models.CharField(_("result"), max_length=8, choices=Reading.choices, blank=True)
    performed_at = models.DateTimeField(_("performed at"))
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qc_run = models.ForeignKey(QcRun, on_delete=models.PROTECT, related_name="+")
    kit_posted = models.BooleanField(_("kit use posted to the inventory"), default=False)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-performed_at", "-pk"]
        indexes = [models.Index(fields=["test", "performed_at"], name="compliance_clia_log")]
        constraints = [models.CheckConstraint(condition=Q(value__isnull=False) | ~Q(reading=""),
                                              name="compliance_clia_result_given")]

    @property
    def result(self) -> str:
        if self.value is not None:
            return f"{self.value} {self.test.unit}".strip()
        return str(Reading(self.reading).label) if self.reading else "—"
