"""Patient communications: the outbox, its delivery history, templates and reminder rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class Kind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Booking confirmation")
    REMINDER = "reminder", _("Appointment reminder")
    WAITLIST_OFFER = "waitlist-offer", _("Earlier slot offer")
    OFFER_TAKEN = "offer-taken", _("Offer no longer available")
    RECALL = "recall", _("Time to book")
    NO_SHOW = "no-show", _("Missed appointment")
    CANCELLED = "cancelled", _("Cancellation notice")
    MANUAL = "manual", _("Manual message")
    # The patient portal (#23): a sign-in link or code the patient asked for; "you have a new message"
    PORTAL_SIGN_IN = "portal-sign-in", _("Portal sign-in")
    PORTAL_NOTICE = "portal-notice", _("Portal message notice")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    SUPPRESSED = "suppressed", _("Not sent")


# Which delivery states may follow which. Provider callbacks arrive out of order; a late "sent"
# never overwrites "delivered".
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SCHEDULED: frozenset({Status.QUEUED, Status.SUPPRESSED}),
    Status.QUEUED: frozenset({Status.SENDING, Status.SUPPRESSED}),
    Status.SENDING: frozenset({Status.SENT, Status.QUEUED, Status.FAILED, Status.DELIVERED}),
    Status.SENT: frozenset({Status.DELIVERED, Status.FAILED, Status.BOUNCED}),
    Status.DELIVERED: frozenset({Status.BOUNCED}),
    Status.FAILED: frozenset({Status.QUEUED}),
    Status.BOUNCED: frozenset({Status.QUEUED}),
    Status.SUPPRESSED: frozenset(),
}


# The reasons the outbox writes in last_error itself (delivery.py, services.py), as words for the screen.
_REASONS = {
    "appointment changed": _("The appointment changed."),
    "patient opted out": _("The patient opted out."),
    "in doubt:": _("In doubt: handed to the provider, but no result was recorded; check before resending."),
}


def plan_stamp(start: Any) -> str:
    """How a confirmation's or reminder's dedupe key names the appointment time it speaks of (its last part)."""
    return f":{int(start.timestamp())}"


def stamp_of(dedupe_key: str) -> str:
    return dedupe_key[dedupe_key.rfind(":"):]


class Message(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="messages")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to_address = models.CharField(max_length=254)
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    ics = models.TextField(blank=True, help_text="iCalendar attachment for e-mail confirmations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    send_after = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    handed_to_provider_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=80, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The same reminder for the same appointment is planned once, however often planning runs.
    dedupe_key = models.CharField(max_length=120, unique=True)
    # What it is for (ConsentPurpose or "general"): the consent asked again at the last moment before sending.
    purpose = models.CharField(max_length=12, default="appointment")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-send_after", "-pk"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} #{self.pk}"

    @property
    def problem_display(self) -> str:
        """Why it was not sent, in words in the reader's language; a provider's own error text stays as it came."""
        for prefix, words in _REASONS.items():
            if self.last_error.startswith(prefix):
                return str(words)
        return self.last_error

    @property
    def message_id_header(self) -> str:
        return f"<{self.dedupe_key.replace(':', '.')}@clinicdesk.invalid>"


class MessageEvent(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class MessageTemplate(models.Model):
    """Editable wording per kind, channel and language. Bodies are Django templates with a small,
    fixed context (minimum necessary: first name, date, time, location, appointment name, phone)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "channel", "language"], name="one_template_each")]


class ReminderRule(models.Model):
    """When to send what: e.g. e-mail 72 hours before, SMS 24 hours before; 0 minutes with kind
    'confirmation' means at booking. Empty type or location means every one."""

    appointment_type = models.ForeignKey("scheduling.AppointmentType", null=True, blank=True,
                                         on_delete=models.CASCADE, related_name="reminder_rules")
    location = models.ForeignKey("practice.Location", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="reminder_rules")
    kind = models.CharField(max_length=20, choices=[(Kind.CONFIRMATION, Kind.CONFIRMATION.label),
                                                    (Kind.REMINDER, Kind.REMINDER.label)])
    channel = models.CharField(max_length=8, choices=Channel.choices)
    minutes_before = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-minutes_before"]


class QuietHours(models.Model):
    """The practice's quiet hours: no patient message is sent from `start_hour` until `end_hour` in the patient's
    zone (the same hour twice: none). One row; without it the QUIET_HOURS_START/END settings apply."""

    start_hour = models.PositiveSmallIntegerField(_("no messages from"))
    end_hour = models.PositiveSmallIntegerField(_("until"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(start_hour__lte=23, end_hour__lte=23),
                                              name="quiet_hours_are_hours")]


class WaitlistOffer(models.Model):
    """A freed slot offered to the best-matching waitlisted patients; the first to accept gets it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        TAKEN = "taken", _("Taken")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    practitioner = models.ForeignKey("practice.Practitioner", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey("scheduling.AppointmentType", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    freed_from_appointment_id = models.BigIntegerField(null=True, blank=True)
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["freed_from_appointment_id", "start"],
                                               name="one_offer_per_freed_slot")]


class OfferInvite(models.Model):
    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        TOO_LATE = "too-late", _("Too late")

    offer = models.ForeignKey(WaitlistOffer, on_delete=models.CASCADE, related_name="invites")
    waitlist_entry_id = models.BigIntegerField()
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    answered_at = models.DateTimeField(null=True, blank=True)


class Recall(models.Model):
    """A patient due back for a visit (e.g. annual check-up in 12 months)."""

    class State(models.TextChoices):
        DUE = "due", _("Due")
        NOTIFIED = "notified", _("Notified")
        CLOSED = "closed", _("Closed")

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="recalls")
    appointment_type = models.ForeignKey("scheduling.AppointmentType", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DUE)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date"]


# --- correspondence (#24): templates written by the practice, what staff sent, what came in ------------------
class Purpose(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointments")
    BILLING = "billing", _("Billing")
    GENERAL = "general", _("General")
    OUTREACH = "outreach", _("Outreach and marketing")  # needs a recorded consent; e-mails carry an unsubscribe link


class ComposeChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class ComposeTemplate(models.Model):
    """A template staff write from. Its wording lives in versions: an edit adds a version, the old ones stay."""

    name = models.CharField(_("name"), max_length=120)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=ComposeChannel.choices)
    active = models.BooleanField(_("in use"), default=True)
    seed_key = models.CharField(max_length=60, blank=True)  # the shipped wording it started from
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["purpose", "channel", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "channel"], name="compose_template_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> ComposeTemplateVersion | None:
        return self.versions.order_by("-number").first()


class ComposeTemplateVersion(models.Model):
    template = models.ForeignKey(ComposeTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"))
    subject_es = models.CharField(_("subject (Spanish)"), max_length=200, blank=True)
    body_es = models.TextField(_("text (Spanish)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="one_version_number_each")]

    def wording(self, language: str) -> tuple[str, str]:
        return (self.subject_es, self.body_es) if language == "es" else (self.subject_en, self.body_en)


class Correspondence(models.Model):
    """One message or letter a person wrote to one patient: sent through the outbox, stored as a letter on the
    chart."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("In the outbox")
        HELD = "held", _("Waiting for quiet hours to end")
        LETTER = "letter", _("Letter stored on the chart")

    batch = models.CharField(max_length=64, db_index=True)  # one compose action (its idempotency key)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="correspondence")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=ComposeChannel.choices)
    template_version = models.ForeignKey(ComposeTemplateVersion, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document_id = models.BigIntegerField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "patient"], name="one_correspondence_per_batch")]


class IncomingItem(models.Model):
    """A letter, fax or e-mail that came in: who sent it, what it is, whose it is, who works it and by when."""

    class Medium(models.TextChoices):
        LETTER = "letter", _("Letter")
        FAX = "fax", _("Fax")
        EMAIL = "email", _("E-mail")

    class Kind(models.TextChoices):
        RECORDS_REQUEST = "records-request", _("Records request")
        REFERRAL = "referral", _("Referral")
        RESULTS = "results", _("Results")
        PAYER_LETTER = "payer-letter", _("Payer letter")
        COMPLAINT = "complaint", _("Complaint")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Done")

    class Pool(models.TextChoices):
        FRONT_DESK = "front_desk", _("Front desk")
        RECORDS = "records", _("Medical records")
        BILLING = "billing", _("Billing")
        CLINICAL = "clinical", _("Clinical team")

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    medium = models.CharField(_("came as"), max_length=8, choices=Medium.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    sender = models.CharField(_("sender"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    received_on = models.DateField(_("received"))
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="incoming_items")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    pool = models.CharField(_("pool"), max_length=12, choices=Pool.choices, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW, db_index=True)
    note = models.TextField(_("note"), blank=True)
    message_id = models.CharField(max_length=250, null=True, blank=True, unique=True)  # IMAP intake: once each
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["state", "due_date", "-received_on", "-pk"]
        indexes = [models.Index(fields=["location", "state"])]


class IncomingFile(models.Model):
    """A scan or an e-mail attachment of an incoming item; filed on the chart when the item is linked."""

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(max_length=200)
    storage_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    document_id = models.BigIntegerField(null=True, blank=True)  # the chart document, once filed


# --- consent to be contacted (#24 item 5): an append-only history; the latest record decides ------------------
class ConsentPurpose(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment messages")
    BILLING = "billing", _("Billing")
    OUTREACH = "outreach", _("Outreach and marketing")


class ConsentChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("E-mail")
    VOICEMAIL = "voicemail", _("Voice call")
    LETTER = "letter", _("Letter")


class ConsentSource(models.TextChoices):
    DESK = "desk", _("At the desk")
    PORTAL = "portal", _("Patient portal")
    SMS_KEYWORD = "sms-keyword", _("Text message reply (STOP or START)")
    EMAIL_LINK = "email-link", _("E-mail unsubscribe link")
    WRITTEN = "written", _("Written form")


class ConsentRecord(models.Model):
    """One consent granted or revoked, for one purpose on one channel, by a patient or for an address (a phone
    number's last ten digits or a lower-cased e-mail: a contact who is not a patient, or whoever texts STOP)."""

    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    address = models.CharField(max_length=254, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices)
    purpose = models.CharField(max_length=12, choices=ConsentPurpose.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=12, choices=ConsentSource.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "channel", "purpose", "at"], name="consent_patient_latest")]
        constraints = [models.CheckConstraint(condition=~models.Q(patient__isnull=True, address=""),
                                              name="consent_names_someone")]
