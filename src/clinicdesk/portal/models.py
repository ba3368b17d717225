"""The portal app's models: sign-in challenges and sessions of patients, proxy authorizations, the practice's
self-booking rules and the secure messages between a patient and the practice (issue #23).

Nothing secret is stored in the clear: a link token, a code and a session key are kept as SHA-256 / HMAC digests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class SignInChallenge(models.Model):
    """One sign-in request. A row is written whether or not the contact matched a patient (patient is then
    empty), so that requests can be counted per contact and per network address without telling who is known."""

    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    contact_key = models.CharField(max_length=64, db_index=True)  # HMAC of the normalised contact
    channel = models.CharField(max_length=8, choices=ContactChannel.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)  # e-mail link
    code_hash = models.CharField(max_length=64, blank=True)  # SMS code
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["ip", "created_at"], name="portal_challenge_ip_at")]


class PortalSession(models.Model):
    """A signed-in patient: its own cookie (settings.PORTAL_SESSION_COOKIE), never the staff session. The cookie
    holds a random key; only its digest is stored. Ends after PORTAL_IDLE_MINUTES without a request."""

    key_hash = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    # Whose record the patient is looking at: themselves, or a dependent they hold an authorization for.
    subject = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # How the patient proved who they are ("email" link, "sms" code; later "kiosk").
    method = models.CharField(max_length=12, default="email")


class ProxyKind(models.TextChoices):
    PARENT = "parent-of-minor", _("Parent of a minor")
    CAREGIVER = "caregiver", _("Caregiver")


class ProxyAuthorization(models.Model):
    """A patient (the proxy) may act in the portal for another patient (the dependent), as recorded by staff."""

    proxy = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    dependent = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ProxyKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(proxy=F("dependent")), name="proxy_not_self"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                                   name="proxy_valid_to_after_from"),
        ]


class WhoMayBook(models.TextChoices):
    ANYONE = "anyone", _("New and established patients")
    ESTABLISHED = "established", _("Established patients only")
    NEW = "new", _("New patients only")


class PortalBookingRule(models.Model):
    """Whether, and how, patients may book one appointment type themselves."""

    appointment_type = models.OneToOneField("scheduling.AppointmentType", on_delete=models.CASCADE,
                                            related_name="+")
    bookable = models.BooleanField(_("patients may book online"), default=False)
    who = models.CharField(_("who may book"), max_length=12, choices=WhoMayBook.choices, default=WhoMayBook.ANYONE)
    practitioners = models.ManyToManyField("practice.Practitioner", blank=True, related_name="+",
                                           verbose_name=_("providers (none chosen: everyone who sees this type)"))
    max_days_ahead = models.PositiveSmallIntegerField(_("how far ahead (days)"), default=60)
    min_notice_hours = models.PositiveSmallIntegerField(_("minimum notice (hours)"), default=24)
    max_open_bookings = models.PositiveSmallIntegerField(_("open bookings a patient may hold"), default=2)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(max_days_ahead__gte=1, max_days_ahead__lte=365),
                                   name="portal_rule_days_ahead_range"),
            models.CheckConstraint(condition=Q(min_notice_hours__lte=24 * 60), name="portal_rule_notice_range"),
            models.CheckConstraint(condition=Q(max_open_bookings__gte=1, max_open_bookings__lte=20),
                                   name="portal_rule_open_range"),
        ]


class MessageTopic(models.TextChoices):
    APPOINTMENT = "appointment", _("An appointment")
    BILLING = "billing", _("A bill or payment")
    REFILL = "refill", _("A prescription refill")
    CLINICAL = "clinical", _("A health question")
    RECORDS = "records", _("My records")
    OTHER = "other", _("Something else")


class PortalMessage(models.Model):
    """One secure message about a patient (the subject): written by the patient or their proxy, or by staff."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    written_by_patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")
    written_by_staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    topic = models.CharField(_("about"), max_length=12, choices=MessageTopic.choices)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)  # a patient's message: when staff answered it
    read_at = models.DateTimeField(null=True, blank=True)  # a staff answer: when the patient opened it
    call_log_id = models.IntegerField(null=True, blank=True)  # the front desk's log entry (and triage slip)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(written_by_patient__isnull=True) | Q(written_by_staff__isnull=True),
                                   name="portal_message_one_author"),
        ]

    @property
    def from_staff(self) -> bool:
        return self.written_by_patient_id is None


# --- intake before the visit and the kiosk (issue #23, items 3 and 5) -----------------------------------------
class IntakeKind(models.TextChoices):
    DETAILS = "details", _("Contact details")
    INSURANCE = "insurance", _("Insurance")
    HISTORY = "history", _("Medical history")
    FORM = "form", _("Consent form")


class IntakeStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("intake status", "Waiting for review")
    ACCEPTED = "accepted", pgettext_lazy("intake status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("intake status", "Not accepted")


class IntakeSource(models.TextChoices):
    PORTAL = "portal", _("Patient portal")
    KIOSK = "kiosk", _("Waiting-room kiosk")


class IntakeSubmission(models.Model):
    """What a patient (or their proxy) sent before a visit: a change to their details or insurance, their medical
    history, or a consent form signed with a typed name. Nothing reaches the chart until a staff member accepts it
    (then through `patients.services`); `data` holds the submitted values, card photos wait in storage."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=IntakeKind.choices)
    source = models.CharField(max_length=8, choices=IntakeSource.choices, default=IntakeSource.PORTAL)
    data = models.JSONField(default=dict)
    card_front = models.CharField(max_length=200, blank=True)  # storage names of card photos not yet accepted
    card_back = models.CharField(max_length=200, blank=True)
    form_template_id = models.PositiveIntegerField(null=True, blank=True)  # patients.FormTemplate (kind form)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.PENDING)
    created_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="portal_intake_status_at")]
        constraints = [
            models.CheckConstraint(condition=Q(status="pending", reviewed_at__isnull=True)
                                   | (~Q(status="pending") & Q(reviewed_at__isnull=False)),
                                   name="portal_intake_reviewed_when_done"),
        ]


class KioskDevice(models.Model):
    """A waiting-room tablet, switched on by a signed-in desk user for one location: the kiosk cookie holds the
    key (only its digest is stored). Wrong look-ups are counted per device and slow it down."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    enabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enabled_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    failures_since = models.DateTimeField(null=True, blank=True)
    # The one patient visit open on this kiosk: its nonce is in the visit token, so a new look-up, a check-in, the
    # start screen or KIOSK_IDLE_SECONDS without a sign of life from the page end the previous patient's visit.
    visit_nonce = models.CharField(max_length=32, blank=True, default="")
    visit_seen_at = models.DateTimeField(null=True, blank=True)


# --- paying online (issue #23, item 4) ---------------------------------------------------------------------------
from .models_payments import (  # noqa: E402,F401
    PAYMENT_TRANSITIONS,
    GatewayEvent,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentPlan,
    PaymentPurpose,
)
