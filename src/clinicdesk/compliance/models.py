"""Compliance (issue #21, items 5, 7, 8, 9): incidents and their corrective actions, complaints and grievances with
their written-letter clocks, patient rights requests (access, amendment, release) and the accounting of
disclosures, breach incidents with the 60-day notification clock.

Every status field has its allowed-transitions table next to it (`*_TRANSITIONS`); the services refuse any other
move with `InvalidTransition`. Deadlines are calendar dates at the location (a letter due on the 30th may go out
any time that day); they are stored when the clock starts, so that a later change of rule does not move them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# --- clocks (days) ----------------------------------------------------------------------------------------------
GRIEVANCE_ACK_DAYS = 7  # written acknowledgement of a grievance (CMS / DNV)
GRIEVANCE_RESOLUTION_DAYS = 30  # written resolution (the practice's stated time frame, DNV: within 30 days)
ACCESS_DAYS = 30  # HIPAA right of access, 45 CFR 164.524(b)(2)
AMENDMENT_DAYS = 60  # HIPAA amendment, 45 CFR 164.526(b)(2)
RELEASE_DAYS = 30  # release to a third party on the patient's authorization (practice policy)
BREACH_NOTICE_DAYS = 60  # breach notification, 45 CFR 164.404 / 164.406 / 164.408
BREACH_MEDIA_THRESHOLD = 500  # more than 500 residents of a State or jurisdiction: prominent media outlets


# --- incidents --------------------------------------------------------------------------------------------------
class IncidentKind(models.TextChoices):
    PATIENT_SAFETY = "patient-safety", _("Patient safety")
    WORKPLACE = "workplace", _("Workplace safety")


class Severity(models.TextChoices):
    NEAR_MISS = "near-miss", _("Near miss (no harm)")
    MINOR = "minor", _("Minor harm")
    MODERATE = "moderate", _("Moderate harm")
    SEVERE = "severe", _("Severe harm or death")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    UNDER_REVIEW = "under-review", _("Under review")
    ACTIONS_OPEN = "actions-open", _("Corrective actions open")
    CLOSED = "closed", _("Closed")


INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentStatus.REPORTED: frozenset({IncidentStatus.UNDER_REVIEW}),
    IncidentStatus.UNDER_REVIEW: frozenset({IncidentStatus.ACTIONS_OPEN, IncidentStatus.CLOSED}),
    IncidentStatus.ACTIONS_OPEN: frozenset({IncidentStatus.CLOSED}),
    IncidentStatus.CLOSED: frozenset(),
}


class Incident(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    what = models.TextField(_("what happened"), max_length=2000)
    place = models.CharField(_("where"), max_length=120, help_text=_("Where at the location, e.g. exam room 3."))
    occurred_at = models.DateTimeField(_("when"))
    staff_involved = models.CharField(_("staff involved"), max_length=300, blank=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=IncidentStatus.choices,
                              default=IncidentStatus.REPORTED)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    review_notes = models.TextField(_("review"), max_length=4000, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["location", "status"], name="compliance_incident_open")]

    def __str__(self) -> str:
        return f"IR-{self.pk:05d}"


class CorrectiveAction(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


# --- complaints and grievances ----------------------------------------------------------------------------------
class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    DESK = "desk", _("In person at the desk")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail or portal message")


class ComplaintTopic(models.TextChoices):
    CARE = "care", _("Quality of care")
    ABUSE = "abuse", _("Abuse or neglect")
    BILLING = "billing", _("Billing")
    PRIVACY = "privacy", _("Privacy")
    STAFF = "staff", _("Staff conduct")
    ACCESS = "access", _("Access, waiting or scheduling")
    OTHER = "other", _("Other")


class GrievanceBasis(models.TextChoices):
    """Why a complaint is a grievance (CMS, State Operations Manual Appendix A, 42 CFR 482.13(a)(2))."""

    WRITTEN = "written", _("It was made in writing (letter, e-mail, portal)")
    NOT_RESOLVED = "not-resolved", _("It was verbal and staff present could not resolve it promptly")
    SUBJECT = "subject", _("It is about abuse, neglect, patient harm, a privacy breach or billing that the "
                           "patient asks to have handled as a grievance")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open complaint")
    RESOLVED = "resolved", _("Resolved by staff present")
    GRIEVANCE = "grievance", _("Grievance: being worked")
    ACKNOWLEDGED = "acknowledged", _("Grievance: acknowledged in writing")
    ANSWERED = "answered", _("Grievance: resolution letter sent")


COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintStatus.OPEN: frozenset({ComplaintStatus.RESOLVED, ComplaintStatus.GRIEVANCE}),
    ComplaintStatus.RESOLVED: frozenset(),
    ComplaintStatus.GRIEVANCE: frozenset({ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.ANSWERED}),
    ComplaintStatus.ACKNOWLEDGED: frozenset({ComplaintStatus.ANSWERED}),
    ComplaintStatus.ANSWERED: frozenset(),
}


class Complaint(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("received by"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("about"), max_length=10, choices=ComplaintTopic.choices, default=ComplaintTopic.OTHER)
    received_at = models.DateTimeField(_("received"))
    summary = models.TextField(_("summary"), max_length=4000)
    high_level = models.BooleanField(_("high-level complaint"), default=False)
    escalated_at = models.DateTimeField(_("escalated to the practice coordinator"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    resolution_note = models.CharField(_("how staff resolved it"), max_length=500, blank=True)
    grievance_basis = models.CharField(_("why it is a grievance"), max_length=12, choices=GrievanceBasis.choices,
                                       blank=True)
    grievance_at = models.DateTimeField(_("made a grievance"), null=True, blank=True)
    ack_due_on = models.DateField(_("acknowledgement due"), null=True, blank=True)
    ack_sent_on = models.DateField(_("acknowledgement sent"), null=True, blank=True)
    resolution_due_on = models.DateField(_("resolution due"), null=True, blank=True)
    resolution_sent_on = models.DateField(_("resolution sent"), null=True, blank=True)
    steps_taken = models.TextField(_("steps taken to investigate"), max_length=4000, blank=True)
    results = models.TextField(_("results of the process"), max_length=4000, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=160, blank=True)
    completed_on = models.DateField(_("date of completion"), null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["location", "status"], name="compliance_complaint_open")]
        constraints = [models.CheckConstraint(
            condition=Q(status__in=["open", "resolved"]) | (Q(ack_due_on__isnull=False)
                                                            & Q(resolution_due_on__isnull=False)),
            name="compliance_grievance_has_clocks")]

    def __str__(self) -> str:
        return f"CG-{self.pk:05d}"

    @property
    def is_grievance(self) -> bool:
        return bool(self.grievance_at)


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement")
    RESOLUTION = "resolution", _("Resolution")


class GrievanceLetter(models.Model):
    """A letter sent about a grievance: the PDF lives on the patient's chart (patients.Document)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("letter"), max_length=10, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=8)
    document = models.ForeignKey("patients.Document", on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("sent"))
    due_on = models.DateField(_("due"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["complaint", "kind"], name="compliance_letter_once")]

    @property
    def late(self) -> bool:
        return self.sent_on > self.due_on


# --- patient rights requests and disclosures --------------------------------------------------------------------
class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access to records")
    AMENDMENT = "amendment", _("Amendment of records")
    RELEASE = "release", _("Release to a third party")


REQUEST_DAYS = {RequestKind.ACCESS: ACCESS_DAYS, RequestKind.AMENDMENT: AMENDMENT_DAYS,
                RequestKind.RELEASE: RELEASE_DAYS}


class RecordPart(models.TextChoices):
    """What part of the record a release covers (on the authorization) and what was sent."""

    VISITS = "visits", _("Visit notes")
    LABS = "labs", _("Lab results")
    IMAGING = "imaging", _("Imaging reports")
    MEDICATIONS = "medications", _("Medications and allergies")
    IMMUNIZATIONS = "immunizations", _("Immunizations")
    BILLING = "billing", _("Billing records")
    MENTAL_HEALTH = "mental-health", _("Mental health notes")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in-progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.RECEIVED: frozenset({RequestStatus.IN_PROGRESS, RequestStatus.FULFILLED, RequestStatus.DENIED,
                                       RequestStatus.WITHDRAWN}),
    RequestStatus.IN_PROGRESS: frozenset({RequestStatus.FULFILLED, RequestStatus.DENIED, RequestStatus.WITHDRAWN}),
    RequestStatus.FULFILLED: frozenset(),
    RequestStatus.DENIED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
}
OPEN_REQUEST = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class RightsRequest(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("request"), max_length=10, choices=RequestKind.choices)
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("due"))
    details = models.TextField(_("what is asked"), max_length=2000)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED)
    recipient = models.CharField(_("recipient"), max_length=160, blank=True)
    recipient_address = models.CharField(_("recipient's address"), max_length=300, blank=True)
    authorization_signed_on = models.DateField(_("authorization signed"), null=True, blank=True)
    authorization_expires_on = models.DateField(_("authorization expires"), null=True, blank=True)
    authorization_covers = models.JSONField(_("authorization covers"), default=list, blank=True)
    sent_parts = models.JSONField(_("what was sent"), default=list, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["location", "status"], name="compliance_request_open")]

    def __str__(self) -> str:
        return f"RR-{self.pk:05d}"


class DisclosurePurpose(models.TextChoices):
    AUTHORIZED = "authorized", _("On the patient's authorization")
    PUBLIC_HEALTH = "public-health", _("Public health reporting")
    LAW = "law", _("Required by law or court order")
    OVERSIGHT = "oversight", _("Health oversight")
    RESEARCH = "research", _("Research")
    OTHER = "other", _("Other")


class Disclosure(models.Model):
    """One disclosure of protected health information outside the practice: the accounting of disclosures
    (45 CFR 164.528) is the list of these for a patient. Never changed once written."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    disclosed_on = models.DateField(_("date"))
    recipient = models.CharField(_("recipient"), max_length=160)
    recipient_address = models.CharField(_("recipient's address"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=14, choices=DisclosurePurpose.choices)
    parts = models.JSONField(_("what was disclosed"), default=list)
    description = models.CharField(_("description"), max_length=500, blank=True)
    request = models.OneToOneField(RightsRequest, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="disclosure")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-disclosed_on", "-pk"]
        indexes = [models.Index(fields=["patient", "disclosed_on"], name="compliance_disclosure_patient")]


# --- breaches ---------------------------------------------------------------------------------------------------
class BreachStatus(models.TextChoices):
    OPEN = "open", _("Open: notifications due")
    NOTIFIED = "notified", _("Everyone required notified")
    CLOSED = "closed", _("Closed")


BREACH_TRANSITIONS: dict[str, frozenset[str]] = {
    BreachStatus.OPEN: frozenset({BreachStatus.NOTIFIED}),
    BreachStatus.NOTIFIED: frozenset({BreachStatus.CLOSED}),
    BreachStatus.CLOSED: frozenset(),
}


class Audience(models.TextChoices):
    INDIVIDUALS = "individuals", _("Affected individuals")
    HHS = "hhs", _("HHS (Secretary)")
    MEDIA = "media", _("Prominent media outlets")


class Breach(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    discovered_on = models.DateField(_("discovered"))
    description = models.TextField(_("what happened"), max_length=4000)
    individuals_affected = models.PositiveIntegerField(_("individuals affected"))
    status = models.CharField(_("status"), max_length=10, choices=BreachStatus.choices, default=BreachStatus.OPEN)
    notify_due_on = models.DateField(_("notifications due"))
    hhs_due_on = models.DateField(_("HHS notice due"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-discovered_on", "-pk"]

    def __str__(self) -> str:
        return f"BR-{self.pk:05d}"

    @property
    def media_required(self) -> bool:
        return self.individuals_affected > BREACH_MEDIA_THRESHOLD

    def due_for(self, audience: str) -> dt.date:
        return self.hhs_due_on if audience == Audience.HHS else self.notify_due_on

    def audiences(self) -> list[str]:
        chosen = [Audience.INDIVIDUALS, Audience.HHS] + ([Audience.MEDIA] if self.media_required else [])
        return [str(a.value) for a in chosen]


class BreachNotice(models.Model):
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="notices")
    audience = models.CharField(_("notified"), max_length=12, choices=Audience.choices)
    sent_on = models.DateField(_("sent"))
    note = models.CharField(_("how"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["breach", "audience"], name="compliance_notice_once")]


from .models_clia import *  # noqa: E402, F403  (CLIA's models live there)
from .models_program import *  # noqa: E402, F403  (the program's models live there; Django finds them here)
