"""Compliance program (issue #21, items 3, 5, 6, 10): the compliance calendar of recurring duties, OSHA (safety
documents, the sharps-injury log, the OSHA 300 log and its 300A summary), the HIPAA program (the yearly security
risk assessment, business associate agreements, the privacy and security officers) and the policy manual with
staff acknowledgements. Imported by `models.py` so that Django finds these models.

A recurring duty has at most one open occurrence: completing it (with evidence) opens the next one, dated one
interval after the one completed. Review dates of documents, agreements and policies are not copied into
occurrences: the calendar reads them where they live, so they never drift.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# --- files kept as evidence -------------------------------------------------------------------------------------
class ComplianceFile(models.Model):
    """A PDF or image kept as evidence or as a document (a data sheet, a signed agreement, a policy)."""

    name = models.CharField(_("file name"), max_length=160)
    storage_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


# --- the compliance calendar ------------------------------------------------------------------------------------
class Recurrence(models.TextChoices):
    WEEKLY = "weekly", pgettext_lazy("recurrence", "Weekly")
    MONTHLY = "monthly", pgettext_lazy("recurrence", "Monthly")
    QUARTERLY = "quarterly", pgettext_lazy("recurrence", "Quarterly")
    YEARLY = "yearly", pgettext_lazy("recurrence", "Yearly")


RECURRENCE_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


def next_due(day: dt.date, recurrence: str) -> dt.date:
    """One interval after `day` (the 31st becomes the month's last day)."""
    if recurrence == Recurrence.WEEKLY:
        return day + dt.timedelta(days=7)
    months = day.month - 1 + RECURRENCE_MONTHS[Recurrence(recurrence)]
    year, month = day.year + months // 12, months % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class DutyKind(models.TextChoices):
    EYEWASH = "eyewash", _("Eyewash station check")
    EXTINGUISHER = "extinguisher", _("Fire extinguisher check")
    CUSTOM = "custom", _("Added by the practice")


# The built-in duties every location gets (OSHA 29 CFR 1910.151(c) eyewash, 1910.157(e) extinguishers).
BUILT_IN_DUTIES = ((DutyKind.EYEWASH, Recurrence.WEEKLY), (DutyKind.EXTINGUISHER, Recurrence.MONTHLY))


class Duty(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DutyKind.choices, default=DutyKind.CUSTOM)
    title = models.CharField(_("title"), max_length=160)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices)
    starts_on = models.DateField(_("first due"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["title", "pk"]
        constraints = [models.UniqueConstraint(fields=["location", "kind"], condition=~Q(kind="custom"),
                                               name="compliance_duty_builtin_once")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """A built-in duty's title in the reader's language; the practice's own as written."""
        return self.title if self.kind == DutyKind.CUSTOM else str(DutyKind(self.kind).label)


class Occurrence(models.Model):
    """One dated instance of a duty: owner, evidence, completion."""

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="occurrences")
    due_on = models.DateField(_("due"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    evidence_note = models.CharField(_("evidence"), max_length=500, blank=True)
    evidence_file = models.ForeignKey(ComplianceFile, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    escalated_at = models.DateTimeField(_("escalated to the practice coordinator"), null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "due_on"], name="compliance_occurrence_once"),
            models.UniqueConstraint(fields=["duty"], condition=Q(done_on__isnull=True),
                                    name="compliance_occurrence_one_open"),
        ]
        indexes = [models.Index(fields=["done_on", "due_on"], name="compliance_occurrence_open")]


# --- OSHA ---------------------------------------------------------------------------------------------------------
class SafetyDocKind(models.TextChoices):
    EXPOSURE_PLAN = "exposure-plan", _("Exposure control plan")
    SDS = "sds", _("Safety data sheet")


class SafetyDocument(models.Model):
    """The bloodborne-pathogens exposure control plan (29 CFR 1910.1030(c), reviewed yearly) or a safety data
    sheet for a hazardous item (29 CFR 1910.1200(g))."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("document"), max_length=14, choices=SafetyDocKind.choices)
    title = models.CharField(_("product or title"), max_length=160)
    item = models.ForeignKey("operations.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    file = models.ForeignKey(ComplianceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_on = models.DateField(_("review due"))
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "title", "pk"]


class SharpsInjury(models.Model):
    """The sharps-injury log (29 CFR 1910.1030(h)(5)): kept so as to protect the injured employee's privacy."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("date of injury"))
    device = models.CharField(_("type and brand of device"), max_length=160)
    work_area = models.CharField(_("department or work area"), max_length=120)
    how = models.CharField(_("how the incident occurred"), max_length=500)
    case = models.OneToOneField("InjuryCase", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="sharps")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-pk"]


class CaseOutcome(models.TextChoices):
    """OSHA 300 columns G-J: the most serious outcome."""

    DEATH = "death", _("Death")
    DAYS_AWAY = "days-away", _("Days away from work")
    RESTRICTED = "restricted", _("Job transfer or restriction")
    OTHER = "other", _("Other recordable case")


class CaseType(models.TextChoices):
    """OSHA 300 column M."""

    INJURY = "injury", _("Injury")
    SKIN = "skin", _("Skin disorder")
    RESPIRATORY = "respiratory", _("Respiratory condition")
    POISONING = "poisoning", _("Poisoning")
    HEARING = "hearing", _("Hearing loss")
    OTHER = "other", _("All other illnesses")


class PrivacyReason(models.TextChoices):
    """29 CFR 1904.29(b)(7): the employee's name is left off the log."""

    INTIMATE = "intimate", _("Injury to an intimate body part or the reproductive system")
    ASSAULT = "assault", _("Sexual assault")
    MENTAL = "mental", _("Mental illness")
    INFECTION = "infection", _("HIV, hepatitis or tuberculosis")
    SHARPS = "sharps", _("Needlestick or cut from a sharp contaminated with blood or other material")
    REQUEST = "request", _("The employee asked to keep the name off (illness cases)")


class InjuryCase(models.Model):
    """One case on the OSHA 300 log."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    case_number = models.PositiveIntegerField(_("case number"))
    year = models.PositiveIntegerField(_("year"))
    employee_name = models.CharField(_("employee's name"), max_length=160)
    job_title = models.CharField(_("job title"), max_length=120)
    occurred_on = models.DateField(_("date of injury or onset of illness"))
    where = models.CharField(_("where the event occurred"), max_length=120)
    description = models.CharField(_("injury or illness, parts of body affected, and object or substance"),
                                   max_length=300)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CaseOutcome.choices)
    days_away = models.PositiveIntegerField(_("days away from work"), default=0)
    days_restricted = models.PositiveIntegerField(_("days on job transfer or restriction"), default=0)
    case_type = models.CharField(_("injury or illness"), max_length=12, choices=CaseType.choices)
    privacy_reason = models.CharField(_("privacy case"), max_length=10, choices=PrivacyReason.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "case_number"]
        constraints = [models.UniqueConstraint(fields=["location", "year", "case_number"],
                                               name="compliance_case_number_once")]

    @property
    def privacy_case(self) -> bool:
        return bool(self.privacy_reason)

    @property
    def name_on_log(self) -> str:
        return str(_("Privacy case")) if self.privacy_case else self.employee_name


# --- HIPAA program ------------------------------------------------------------------------------------------------
class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETE = "complete", _("Complete")


class RiskAssessment(models.Model):
    """The yearly security risk assessment (45 CFR 164.308(a)(1)(ii)(A)) for the practice."""

    organization = models.ForeignKey("practice.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.IN_PROGRESS)
    completed_on = models.DateField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="compliance_sra_once")]


class ItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("checklist", "Not yet assessed")
    MET = "met", pgettext_lazy("checklist", "In place")
    PARTIAL = "partial", pgettext_lazy("checklist", "Partly in place")
    GAP = "gap", pgettext_lazy("checklist", "Gap: action needed")
    NOT_APPLICABLE = "n-a", pgettext_lazy("checklist", "Not applicable")


class RiskItem(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="items")
    question = models.CharField(_("question"), max_length=40)  # a key of RISK_QUESTIONS
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    evidence_note = models.CharField(_("evidence"), max_length=500, blank=True)
    evidence_file = models.ForeignKey(ComplianceFile, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="compliance_sra_item_once")]


class BusinessAssociate(models.Model):
    """A business associate agreement (45 CFR 164.504(e))."""

    organization = models.ForeignKey("practice.Organization", on_delete=models.PROTECT, related_name="+")
    vendor = models.CharField(_("vendor"), max_length=160)
    services = models.CharField(_("services"), max_length=300)
    signed_on = models.DateField(_("signed"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    review_on = models.DateField(_("review due"))
    file = models.ForeignKey(ComplianceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["vendor", "pk"]

    @property
    def due_on(self) -> dt.date:
        return min(self.review_on, self.expires_on) if self.expires_on else self.review_on


class OfficerRole(models.TextChoices):
    PRIVACY = "privacy", _("Privacy officer")
    SECURITY = "security", _("Security officer")


class Officer(models.Model):
    """The practice's designated privacy and security officers (45 CFR 164.530(a), 164.308(a)(2))."""

    organization = models.ForeignKey("practice.Organization", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=OfficerRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("since"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "role"], name="compliance_officer_once")]


# --- the policy manual ------------------------------------------------------------------------------------------
class Policy(models.Model):
    title = models.CharField(_("title"), max_length=160)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField(_("review due"))
    audience = models.JSONField(_("who must acknowledge"), default=list)  # role codes
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class PolicyVersion(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    summary = models.CharField(_("what changed"), max_length=300, blank=True)
    text = models.TextField(_("text"), max_length=20000, blank=True)
    file = models.ForeignKey(ComplianceFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    effective_on = models.DateField(_("effective"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="compliance_policy_version_once")]


class PolicyAck(models.Model):
    """A staff member's acknowledgement of one version (or a reminder sent for it while missing)."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="compliance_policy_ack_once")]
