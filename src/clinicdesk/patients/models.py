"""Patients: the US Core Patient record, related persons, insurance on file, signed forms,
documents, change history, break-the-glass access and suspected duplicates.

Writes go through `patients.services`; reads that show a patient through `patients.selectors`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    """FHIR administrative gender."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class GenderIdentity(models.TextChoices):
    """US Core gender identity value set (SNOMED CT concepts, shown by name)."""

    BLANK = "", _("Not recorded")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non-binary", _("Non-binary")
    TRANSGENDER_FEMALE = "transgender-female", _("Transgender female")
    TRANSGENDER_MALE = "transgender-male", _("Transgender male")
    OTHER = "other", _("Other")
    NOT_DISCLOSED = "asked-declined", _("Chose not to disclose")


class Race(models.TextChoices):
    """OMB race categories (CDC race codes) plus 'declined'."""

    AMERICAN_INDIAN = "1002-5", _("American Indian or Alaska Native")
    ASIAN = "2028-9", _("Asian")
    BLACK = "2054-5", _("Black or African American")
    PACIFIC_ISLANDER = "2076-8", _("Native Hawaiian or Other Pacific Islander")
    WHITE = "2106-3", _("White")
    OTHER = "2131-1", _("Other race")
    DECLINED = "asked-declined", _("Declined to answer")


class Ethnicity(models.TextChoices):
    BLANK = "", _("Not recorded")
    HISPANIC = "2135-2", _("Hispanic or Latino")
    NOT_HISPANIC = "2186-5", _("Not Hispanic or Latino")
    DECLINED = "asked-declined", _("Declined to answer")


class PhoneType(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", pgettext_lazy("phone type", "Home")  # a home phone ("Casa"), not the home page ("Inicio")
    WORK = "work", _("Work")


class ConsentSource(models.TextChoices):
    BLANK = "", _("—")
    VERBAL = "verbal", _("Verbal, at the desk")
    PAPER = "paper", _("Signed on paper")
    PORTAL = "portal", _("Patient portal")
    IMPORT = "import", _("Imported")


class Patient(models.Model):
    mrn = models.CharField(_("MRN"), max_length=12, unique=True)
    family_name = models.CharField(_("last name"), max_length=80)
    given_name = models.CharField(_("first name"), max_length=80)
    middle_name = models.CharField(_("middle name"), max_length=80, blank=True)
    suffix = models.CharField(_("suffix"), max_length=10, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=80, blank=True)
    previous_family_name = models.CharField(_("previous last name"), max_length=80, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    gender_identity = models.CharField(_("gender identity"), max_length=24, choices=GenderIdentity.choices,
                                       blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    race = models.JSONField(_("race"), default=list, blank=True)  # list of Race codes
    ethnicity = models.CharField(_("ethnicity"), max_length=16, choices=Ethnicity.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_type = models.CharField(_("phone type"), max_length=8, choices=PhoneType.choices,
                                  default=PhoneType.MOBILE)
    alt_phone = models.CharField(_("other phone"), max_length=20, blank=True)
    alt_phone_type = models.CharField(_("other phone type"), max_length=8, choices=PhoneType.choices,
                                      default=PhoneType.HOME)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="en")
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    primary_care_provider = models.CharField(_("primary care provider"), max_length=120, blank=True)
    referring_provider = models.CharField(_("referring provider"), max_length=120, blank=True)
    # Communication preferences: opt-in with date and source.
    sms_opt_in = models.BooleanField(_("text messages"), default=False)
    sms_opt_in_date = models.DateField(null=True, blank=True)
    sms_opt_in_source = models.CharField(max_length=10, choices=ConsentSource.choices, blank=True)
    email_opt_in = models.BooleanField(_("e-mail messages"), default=False)
    email_opt_in_date = models.DateField(null=True, blank=True)
    email_opt_in_source = models.CharField(max_length=10, choices=ConsentSource.choices, blank=True)
    voicemail_opt_in = models.BooleanField(_("voicemail"), default=False)
    voicemail_opt_in_date = models.DateField(null=True, blank=True)
    voicemail_opt_in_source = models.CharField(max_length=10, choices=ConsentSource.choices, blank=True)
    # Intake history: {"allergies": [..], "medications": [..], "problems": [..], "surgeries": [..], "notes": ""}
    intake = models.JSONField(_("intake history"), default=dict, blank=True)
    guarantor_is_self = models.BooleanField(_("patient is the responsible party"), default=True)
    home_location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="patients")
    restricted = models.BooleanField(_("restricted record"), default=False)
    active = models.BooleanField(default=True)
    inactive_reason = models.CharField(max_length=200, blank=True)
    deceased_date = models.DateField(_("date of death"), null=True, blank=True)
    registration_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from", db_index=False)
    # Search keys, kept by the service that writes the names and phone (patients.keys).
    name_key = models.CharField(max_length=170, db_index=True, editable=False)
    given_key = models.CharField(max_length=80, db_index=True, editable=False)
    phone_digits = models.CharField(max_length=15, db_index=True, blank=True, editable=False)
    alt_phone_digits = models.CharField(max_length=15, null=True, blank=True, editable=False)  # NULL when none
    family_sound = models.CharField(max_length=8, blank=True, editable=False)
    given_sound = models.CharField(max_length=8, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["birth_date"]),
            models.Index(fields=["family_sound", "given_sound"], name="patient_sound_idx"),
            models.Index(fields=["given_sound", "birth_date"], name="patient_given_sound_dob_idx"),
            # Few patients have a second phone: a partial index keeps the planners' statistics honest.
            models.Index(fields=["alt_phone_digits"], name="patient_alt_phone_idx",
                         condition=models.Q(alt_phone_digits__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(merged_into=models.F("pk")),
                                   name="patient_not_merged_into_self"),
            models.CheckConstraint(condition=models.Q(merged_into__isnull=True) | models.Q(active=False),
                                   name="patient_merged_is_inactive"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def race_labels(self) -> list[str]:
        labels = dict(Race.choices)
        return [str(labels.get(code, code)) for code in self.race or []]


class MrnSequence(models.Model):
    """One row holding the last MRN number handed out; locked while taking the next."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.BigIntegerField(default=100000)


class RelatedPerson(models.Model):
    """Emergency contacts and the guarantor (responsible party)."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency contact")
        GUARANTOR = "guarantor", _("Guarantor (responsible party)")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="related_persons")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=160)
    relationship = models.CharField(_("relationship"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "pk"]


class PayerKind(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial")
    MEDICARE = "medicare", _("Medicare")
    MEDICARE_ADVANTAGE = "medicare-advantage", _("Medicare Advantage")
    MEDICAID = "medicaid", _("Medicaid")
    MILITARY = "military", _("Military / veterans")
    SELF_PAY = "self-pay", _("Self-pay")
    OTHER = "other", _("Other")


class PayerChannel(models.TextChoices):
    """How claims or eligibility questions reach a payer."""

    REALTIME = "clearinghouse-realtime", _("Clearinghouse, real time")
    BATCH = "clearinghouse-batch", _("Clearinghouse, batch")
    PAPER = "paper-portal", _("Paper or payer portal")
    NONE = "none", _("None")


class PlanType(models.TextChoices):
    HMO = "hmo", _("HMO")
    PPO = "ppo", _("PPO")
    EPO = "epo", _("EPO")
    POS = "pos", _("POS")
    MEDICARE_ADVANTAGE = "medicare-advantage", _("Medicare Advantage")
    MEDICAID_MANAGED = "medicaid-managed", _("Medicaid managed care")
    INDEMNITY = "indemnity", _("Indemnity")


class Payer(models.Model):
    """The maintained payer list (seeded with common US payers; coordinators and billing add more). The default
    co-pays fill a new coverage's co-pays when the desk leaves them empty (patients.services.coverage); the
    channels say how claims and eligibility questions reach the payer (#18)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    payer_code = models.CharField(_("electronic payer id"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PayerKind.choices, default=PayerKind.COMMERCIAL)
    address_line = models.CharField(_("street address"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    claim_channel = models.CharField(_("claim channel"), max_length=24, choices=PayerChannel.choices,
                                     default=PayerChannel.NONE)
    eligibility_channel = models.CharField(_("eligibility channel"), max_length=24, choices=PayerChannel.choices,
                                           default=PayerChannel.NONE)
    default_copay_primary = models.DecimalField(_("default co-pay, primary care"), max_digits=8, decimal_places=2,
                                                null=True, blank=True)
    default_copay_specialist = models.DecimalField(_("default co-pay, specialist"), max_digits=8,
                                                   decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(default_copay_primary__isnull=True)
                                   | models.Q(default_copay_primary__gte=0),
                                   name="payer_default_copay_primary_not_negative"),
            models.CheckConstraint(condition=models.Q(default_copay_specialist__isnull=True)
                                   | models.Q(default_copay_specialist__gte=0),
                                   name="payer_default_copay_specialist_not_negative"),
            models.CheckConstraint(condition=models.Q(claim_channel__in=PayerChannel.values)
                                   & models.Q(eligibility_channel__in=PayerChannel.values),
                                   name="payer_channels_known"),
        ]

    def __str__(self) -> str:
        return self.name


class PayerPlan(models.Model):
    """One of a payer's plans (products). A coverage may point to one; its free-text plan name stays."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("name"), max_length=120)
    plan_type = models.CharField(_("plan type"), max_length=20, choices=PlanType.choices, default=PlanType.PPO)
    network_id = models.CharField(_("network or product id"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["payer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "name"], name="payer_plan_name_unique"),
            models.CheckConstraint(condition=models.Q(plan_type__in=PlanType.values), name="payer_plan_type_known"),
        ]

    def __str__(self) -> str:
        return self.name


class CoverageOrder(models.IntegerChoices):
    PRIMARY = 1, _("Primary")
    SECONDARY = 2, _("Secondary")
    TERTIARY = 3, _("Tertiary")


class SubscriberRelationship(models.TextChoices):
    """FHIR subscriber-relationship codes."""

    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class Coverage(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    plan_name = models.CharField(_("plan"), max_length=120, blank=True)
    plan = models.ForeignKey(PayerPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="coverages",
                             verbose_name=_("plan on the payer's list"))
    member_id = models.CharField(_("member id"), max_length=30)
    group_number = models.CharField(_("group number"), max_length=30, blank=True)
    relationship = models.CharField(_("subscriber relationship"), max_length=8,
                                    choices=SubscriberRelationship.choices, default=SubscriberRelationship.SELF)
    subscriber_family_name = models.CharField(_("subscriber last name"), max_length=80, blank=True)
    subscriber_given_name = models.CharField(_("subscriber first name"), max_length=80, blank=True)
    subscriber_birth_date = models.DateField(_("subscriber date of birth"), null=True, blank=True)
    subscriber_sex = models.CharField(_("subscriber sex"), max_length=8, choices=Sex.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), choices=CoverageOrder.choices,
                                             default=CoverageOrder.PRIMARY)
    start_date = models.DateField(_("effective date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    copay_primary = models.DecimalField(_("co-pay, primary care"), max_digits=8, decimal_places=2, null=True,
                                        blank=True)
    copay_specialist = models.DecimalField(_("co-pay, specialist"), max_digits=8, decimal_places=2, null=True,
                                           blank=True)
    card_front = models.ForeignKey("Document", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    card_back = models.ForeignKey("Document", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "-start_date"]
        indexes = [models.Index(fields=["patient", "order"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__isnull=True)
                                   | models.Q(end_date__gte=models.F("start_date")),
                                   name="coverage_end_after_start"),
            models.CheckConstraint(condition=models.Q(order__gte=1, order__lte=3), name="coverage_order_range"),
            models.CheckConstraint(condition=models.Q(copay_primary__isnull=True) | models.Q(copay_primary__gte=0),
                                   name="coverage_copay_primary_not_negative"),
            models.CheckConstraint(condition=models.Q(copay_specialist__isnull=True)
                                   | models.Q(copay_specialist__gte=0),
                                   name="coverage_copay_specialist_not_negative"),
        ]

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    @property
    def subscriber_name(self) -> str:
        if self.relationship == SubscriberRelationship.SELF:
            return ""
        return f"{self.subscriber_family_name}, {self.subscriber_given_name}"


class FormTemplate(models.Model):
    """A consent or practice form, one row per version and language."""

    class Code(models.TextChoices):
        NPP = "npp", _("HIPAA Notice of Privacy Practices acknowledgment")
        CONSENT_TO_TREAT = "consent-to-treat", _("Consent to treat")
        FINANCIAL_POLICY = "financial-policy", _("Financial policy")

    code = models.SlugField(_("form"), max_length=40)
    title = models.CharField(_("title"), max_length=160)
    version = models.PositiveSmallIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=8)
    body = models.TextField(_("text"))
    required = models.BooleanField(_("required for every patient"), default=True)
    active = models.BooleanField(default=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version", "language"], name="form_template_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.language})"


class SignedForm(models.Model):
    """A signature on one version of a form. Read-only once written; its PDF is stored alongside."""

    class SignerKind(models.TextChoices):
        PATIENT = "patient", _("Patient")
        REPRESENTATIVE = "representative", _("Representative")

    class SignatureKind(models.TextChoices):
        TYPED = "typed", _("Typed")
        DRAWN = "drawn", _("Drawn")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="signed_forms")
    template = models.ForeignKey(FormTemplate, on_delete=models.PROTECT, related_name="signatures")
    signer_kind = models.CharField(max_length=16, choices=SignerKind.choices, default=SignerKind.PATIENT)
    signer_name = models.CharField(_("signer"), max_length=160)
    signer_relationship = models.CharField(_("relationship to the patient"), max_length=60, blank=True)
    signature_kind = models.CharField(max_length=8, choices=SignatureKind.choices)
    typed_signature = models.CharField(max_length=160, blank=True)
    signed_at = models.DateTimeField()
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    pdf = models.CharField(max_length=200)  # storage name
    pdf_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["patient", "template"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("A signed form is read-only.")
        super().save(*args, **kwargs)


class Document(models.Model):
    class Kind(models.TextChoices):
        PHOTO_ID = "photo-id", _("Photo ID")
        INSURANCE_CARD = "insurance-card", _("Insurance card")
        REFERRAL = "referral", _("Referral")
        OUTSIDE_RECORDS = "outside-records", _("Outside records")
        LAB_REPORT = "lab-report", _("Lab report")
        SIGNED_FORM = "signed-form", _("Signed form")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    document_date = models.DateField(_("document date"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    storage_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-document_date", "-pk"]
        indexes = [models.Index(fields=["patient", "document_date"])]

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")


class PatientChange(models.Model):
    """Field-level change history: who, when, old and new value."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_by_name = models.CharField(max_length=150, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["patient", "changed_at"])]


class BreakGlassAccess(models.Model):
    """A reasoned opening of a restricted record; listed for the compliance officer."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["actor", "patient", "expires_at"])]


class DuplicateCandidate(models.Model):
    """A suspected pair of charts for one person, for the duplicate-review worklist."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        NOT_DUPLICATE = "not-duplicate", _("Not a duplicate")

    first = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    agreeing = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=20, default="scan")  # scan, registration, import
    reason = models.CharField(max_length=300, blank=True)
    found_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "score"])]


# --- patient alerts (#15) --------------------------------------------------------------------------------------

class AlertSeverity(models.TextChoices):
    """The colour of an alert's badge: the name of a design token (`--alert-<severity>` in app.css)."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Danger")


class AlertKind(models.Model):
    """A kind of patient alert (behaviour, fall risk, interpreter needed, latex allergy, and any the practice
    adds). Referred to by alerts: deactivated, never deleted; an inactive kind is no longer offered."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=80)
    label_es = models.CharField(_("label (Spanish)"), max_length=80)
    severity = models.CharField(_("colour"), max_length=10, choices=AlertSeverity.choices,
                                default=AlertSeverity.WARNING)
    needs_detail = models.BooleanField(_("asks for a detail"), default=False)  # the interpreter's language
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["label_en", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils import translation

        return self.label_es if (translation.get_language() or "en")[:2] == "es" and self.label_es else self.label_en


class PatientAlert(models.Model):
    """An alert set on a chart by staff, with a reason. Ended, never deleted: an ended alert stays in the
    history."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    kind = models.ForeignKey(AlertKind, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(_("detail"), max_length=80, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "ended_at"])]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="patient_alert_reason_given")]

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def label(self) -> str:
        return f"{self.kind.label}: {self.detail}" if self.detail else self.kind.label
