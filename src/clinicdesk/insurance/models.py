"""Insurance: electronic eligibility (X12 270/271) results, and the service types each appointment type asks
about. Payers and coverages stay in `patients` (read through its selectors and models).

Writes go through `insurance.services`; reads through `insurance.selectors`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# --- #18 items 1 (payer rules), 6 (referrals) and 7 (prior authorizations) -----------------------------------


class PayerRule(models.Model):
    """What a payer asks before it pays for an appointment type or a procedure code: a referral from the primary
    care provider, a prior authorization, or both. Exactly one of appointment type and procedure code."""

    payer = models.ForeignKey("patients.Payer", on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey("scheduling.AppointmentType", null=True, blank=True,
                                         on_delete=models.CASCADE, related_name="+")
    procedure_code = models.CharField(_("procedure code"), max_length=10, blank=True)
    needs_referral = models.BooleanField(_("needs a referral"), default=False)
    needs_prior_auth = models.BooleanField(_("needs a prior authorization"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["payer__name", "appointment_type__name", "procedure_code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(appointment_type__isnull=False, procedure_code="")
                           | (models.Q(appointment_type__isnull=True) & ~models.Q(procedure_code=""))),
                name="payer_rule_type_or_code"),
            models.UniqueConstraint(fields=["payer", "appointment_type"], condition=models.Q(procedure_code=""),
                                    name="payer_rule_one_per_type"),
            models.UniqueConstraint(fields=["payer", "procedure_code"],
                                    condition=models.Q(appointment_type__isnull=True),
                                    name="payer_rule_one_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.payer_id}/{self.appointment_type_id or self.procedure_code}"


class Referral(models.Model):
    """An incoming referral: the primary care provider sends the patient to us, with the payer's referral number
    and a number of visits. `visits_used` never exceeds `visits_authorized` (a constraint backs the service)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey("patients.Payer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    referring_name = models.CharField(_("referring provider"), max_length=120)
    referring_npi = models.CharField(_("referring provider's NPI"), max_length=10)
    referral_number = models.CharField(_("payer referral number"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    diagnosis_codes = models.JSONField(_("diagnosis codes"), default=list, blank=True)
    visits_authorized = models.PositiveSmallIntegerField(_("visits authorized"))
    visits_used = models.PositiveSmallIntegerField(_("visits used"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    document = models.ForeignKey("patients.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    appointments = models.ManyToManyField("scheduling.Appointment", through="ReferralVisit", related_name="+")
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-valid_to", "-pk"]
        indexes = [models.Index(fields=["patient", "valid_to"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(visits_used__lte=models.F("visits_authorized")),
                                   name="referral_used_within_authorized"),
            models.CheckConstraint(condition=models.Q(visits_authorized__gt=0), name="referral_authorizes_visits"),
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")),
                                   name="referral_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def visits_left(self) -> int:
        return self.visits_authorized - self.visits_used


class ReferralVisit(models.Model):
    """An appointment a referral covers; `counted` once the visit is fulfilled (one visit used)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="visits")
    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.CASCADE, related_name="+")
    counted = models.BooleanField(default=False)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment"], name="referral_visit_one_per_appointment")]


class OutgoingReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral status", "Sent")
    RECEIVED = "received", _("Received by the specialist")
    SCHEDULED = "scheduled", _("Scheduled with the specialist")
    SEEN = "seen", _("Seen by the specialist")
    CLOSED = "closed", _("Closed")


# The allowed moves; any status may be closed (the patient declined, the specialist will not see them).
OUTGOING_TRANSITIONS: dict[str, frozenset[str]] = {
    OutgoingReferralStatus.SENT: frozenset({"received", "scheduled", "closed"}),
    OutgoingReferralStatus.RECEIVED: frozenset({"scheduled", "closed"}),
    OutgoingReferralStatus.SCHEDULED: frozenset({"seen", "closed"}),
    OutgoingReferralStatus.SEEN: frozenset({"closed"}),
    OutgoingReferralStatus.CLOSED: frozenset(),
}


class OutgoingReferral(models.Model):
    """We send the patient to a specialist: the letter is a PDF made from this row; the status follows the
    specialist's answers until they confirm the patient was seen."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    referring_practitioner = models.ForeignKey("practice.Practitioner", null=True, blank=True,
                                               on_delete=models.SET_NULL, related_name="+")
    specialist_name = models.CharField(_("specialist"), max_length=120)
    specialist_npi = models.CharField(_("specialist's NPI"), max_length=10, blank=True)
    specialty = models.CharField(_("specialty"), max_length=80, blank=True)
    specialist_contact = models.CharField(_("specialist's phone or fax"), max_length=80, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    diagnosis_codes = models.JSONField(_("diagnosis codes"), default=list, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=OutgoingReferralStatus.choices,
                              default=OutgoingReferralStatus.SENT)
    status_note = models.CharField(_("note"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=OutgoingReferralStatus.values),
                                              name="outgoing_referral_status_known")]

    def __str__(self) -> str:
        return f"Outgoing referral {self.pk}"


class AuthorizationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", pgettext_lazy("authorization status", "Approved")
    PARTIAL = "partial", _("Partly approved")
    DENIED = "denied", _("Denied")
    EXPIRED = "expired", pgettext_lazy("authorization status", "Expired")


# An answer may be corrected (the payer calls back), an approval runs out; denied and expired are final.
AUTHORIZATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AuthorizationStatus.REQUESTED: frozenset({"approved", "partial", "denied"}),
    AuthorizationStatus.APPROVED: frozenset({"partial", "expired"}),
    AuthorizationStatus.PARTIAL: frozenset({"approved", "expired"}),
    AuthorizationStatus.DENIED: frozenset(),
    AuthorizationStatus.EXPIRED: frozenset(),
}
APPROVED_STATUSES = (AuthorizationStatus.APPROVED, AuthorizationStatus.PARTIAL)


class PriorAuthorization(models.Model):
    """A prior authorization asked of the payer and its answer. Units are what the payer counts (visits,
    sessions); `units_used` never exceeds `units_approved`; the valid dates never end before they start."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey("patients.Coverage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    payer = models.ForeignKey("patients.Payer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    appointment_type = models.ForeignKey("scheduling.AppointmentType", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    procedure_codes = models.JSONField(_("procedure codes"), default=list)
    units_requested = models.PositiveSmallIntegerField(_("units requested"))
    requested_from = models.DateField(_("from"))
    requested_to = models.DateField(_("to"))
    clinical_reason = models.CharField(_("clinical reason"), max_length=500)
    documents = models.ManyToManyField("patients.Document", blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=AuthorizationStatus.choices,
                              default=AuthorizationStatus.REQUESTED)
    auth_number = models.CharField(_("payer authorization number"), max_length=40, blank=True)
    units_approved = models.PositiveSmallIntegerField(_("units approved"), null=True, blank=True)
    units_used = models.PositiveSmallIntegerField(_("units used"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    decision_note = models.CharField(_("payer's note"), max_length=300, blank=True)
    appointments = models.ManyToManyField("scheduling.Appointment", through="AuthorizationVisit", related_name="+")
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_from", "-pk"]
        indexes = [models.Index(fields=["patient", "status"]), models.Index(fields=["status", "valid_to"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AuthorizationStatus.values),
                                   name="authorization_status_known"),
            models.CheckConstraint(condition=models.Q(requested_to__gte=models.F("requested_from")),
                                   name="authorization_request_ends_after_start"),
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True) | models.Q(valid_from__isnull=True)
                                   | models.Q(valid_to__gte=models.F("valid_from")),
                                   name="authorization_ends_after_start"),
            models.CheckConstraint(condition=models.Q(units_approved__isnull=True, units_used=0)
                                   | models.Q(units_used__lte=models.F("units_approved")),
                                   name="authorization_used_within_approved"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "partial"])
                | models.Q(units_approved__gt=0, valid_from__isnull=False, valid_to__isnull=False),
                name="authorization_approved_has_units_and_dates"),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.pk}"

    @property
    def units_left(self) -> int:
        return max((self.units_approved or 0) - self.units_used, 0)

    def covers(self, day: dt.date) -> bool:
        """Approved (fully or partly), valid on `day`, with units left."""
        return (self.status in APPROVED_STATUSES and self.valid_from is not None and self.valid_to is not None
                and self.valid_from <= day <= self.valid_to and self.units_left > 0)


class AuthorizationVisit(models.Model):
    """An appointment an authorization covers; `counted` once the visit is fulfilled (one unit used)."""

    authorization = models.ForeignKey(PriorAuthorization, on_delete=models.CASCADE, related_name="visits")
    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.CASCADE, related_name="+")
    counted = models.BooleanField(default=False)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment"], name="authorization_visit_one_per_appt")]


# --- #18 item 8: surgery and procedure readiness ---------------------------------------------------------------


class ReadinessKind(models.TextChoices):
    CLEARANCE = "clearance", _("Clearance from the primary care provider")
    LABS = "labs", _("Lab work")
    IMAGING = "imaging", _("Imaging")
    CONSENT = "consent", _("Signed consent")
    ANAESTHESIA = "anaesthesia", _("Anaesthesia questionnaire")
    INSTRUCTIONS = "instructions", _("Pre-operative instructions (food, fluids, medicines)")
    RIDE = "ride", _("Ride home arranged")
    OTHER = "other", pgettext_lazy("readiness item", "Other")


class ReadinessItemStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("readiness item", "To do")
    DONE = "done", pgettext_lazy("readiness item", "Confirmed")
    WAIVED = "waived", pgettext_lazy("readiness item", "Not needed")


# Confirmed and not-needed items can be reopened (a lab result turned out to be too old).
READINESS_TRANSITIONS: dict[str, frozenset[str]] = {
    ReadinessItemStatus.PENDING: frozenset({"done", "waived"}),
    ReadinessItemStatus.DONE: frozenset({"pending"}),
    ReadinessItemStatus.WAIVED: frozenset({"pending"}),
}


class ReadinessTemplateItem(models.Model):
    """One line of an appointment type's readiness packet template (the practice edits the list). The
    instructions are what the patient reads, in English and Spanish."""

    appointment_type = models.ForeignKey("scheduling.AppointmentType", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("item"), max_length=14, choices=ReadinessKind.choices)
    label = models.CharField(_("wording"), max_length=120, blank=True)
    instructions_en = models.TextField(_("instructions (English)"), blank=True)
    instructions_es = models.TextField(_("instructions (Spanish)"), blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["appointment_type", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ReadinessKind.values), name="readiness_tpl_kind_known"),
            models.UniqueConstraint(fields=["appointment_type", "position"], name="readiness_tpl_one_per_position"),
        ]


class ReadinessPacket(models.Model):
    """The readiness packet of one appointment: its items copied from the type's template when opened; sent to
    the patient with an acknowledgement link (a signed token naming this packet and its `link_nonce`)."""

    appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    link_nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_channel = models.CharField(max_length=8, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["location", "created_at"])]

    def __str__(self) -> str:
        return f"Readiness packet {self.pk}"


class ReadinessItem(models.Model):
    packet = models.ForeignKey(ReadinessPacket, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("item"), max_length=14, choices=ReadinessKind.choices)
    label = models.CharField(_("wording"), max_length=120, blank=True)
    instructions_en = models.TextField(blank=True)
    instructions_es = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ReadinessItemStatus.choices,
                              default=ReadinessItemStatus.PENDING)
    document = models.ForeignKey("patients.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["packet", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ReadinessItemStatus.values),
                                   name="readiness_item_status_known"),
            models.CheckConstraint(condition=models.Q(status="pending") | models.Q(confirmed_at__isnull=False),
                                   name="readiness_item_confirmed_has_time"),
        ]

    @property
    def title(self) -> str:
        return self.label or str(ReadinessKind(self.kind).label)


# --- #18 item 9: admissions and transfers of care ---------------------------------------------------------------


class FacilityKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    REHABILITATION = "rehab", _("Rehabilitation facility")
    SKILLED_NURSING = "snf", _("Skilled nursing facility")
    OTHER = "other", pgettext_lazy("facility kind", "Other")


class Facility(models.Model):
    """An outside facility patients are admitted or transferred to (practice-wide directory, no patient data)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=FacilityKind.choices)
    npi = models.CharField(_("NPI"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    accepted_payers = models.ManyToManyField("patients.Payer", blank=True, related_name="+")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=FacilityKind.values), name="facility_kind_known"),
            models.UniqueConstraint(fields=["npi"], condition=~models.Q(npi=""), name="facility_npi_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TransferKind(models.TextChoices):
    ADMISSION = "admission", _("Hospital admission")
    TRANSFER = "transfer", _("Transfer of care")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("transfer status", "Requested")
    ACCEPTED = "accepted", pgettext_lazy("transfer status", "Accepted")
    SCHEDULED = "scheduled", pgettext_lazy("transfer status", "Scheduled")
    COMPLETED = "completed", pgettext_lazy("transfer status", "Completed")
    DECLINED = "declined", pgettext_lazy("transfer status", "Declined")


# The facility answers (accepts or declines), a date is set, the patient goes; completed and declined are final.
TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    TransferStatus.REQUESTED: frozenset({"accepted", "declined"}),
    TransferStatus.ACCEPTED: frozenset({"scheduled", "declined"}),
    TransferStatus.SCHEDULED: frozenset({"completed", "declined"}),
    TransferStatus.COMPLETED: frozenset(),
    TransferStatus.DECLINED: frozenset(),
}


class Transfer(models.Model):
    """A patient admitted to an outside hospital or transferred to another facility: its status with dates, the
    referral letter it travels with, the documents chosen for its packet, and the desk tasks that follow it up."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    diagnosis_codes = models.JSONField(_("diagnosis codes"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TransferStatus.choices,
                              default=TransferStatus.REQUESTED)
    status_note = models.CharField(_("note"), max_length=200, blank=True)
    requested_on = models.DateField(_("requested on"))
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()
    referral = models.ForeignKey(OutgoingReferral, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    documents = models.ManyToManyField("patients.Document", blank=True, related_name="+")
    follow_up_task_ids = models.JSONField(default=list, blank=True)  # frontdesk tasks (through its services)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-requested_on", "-pk"]
        indexes = [models.Index(fields=["location", "status"]), models.Index(fields=["patient", "requested_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TransferStatus.values), name="transfer_status_known"),
            models.CheckConstraint(condition=models.Q(kind__in=TransferKind.values), name="transfer_kind_known"),
            models.CheckConstraint(condition=models.Q(planned_for__isnull=True)
                                   | models.Q(planned_for__gte=models.F("requested_on")),
                                   name="transfer_planned_after_request"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.pk}"
