"""The practice: organization, locations (time zone, hours), rooms, equipment, practitioners."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    npi = models.CharField(_("group NPI"), max_length=10, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=12, blank=True)

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="locations")
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address_line = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("city"), max_length=80)
    state = models.CharField(_("state"), max_length=2)
    postal_code = models.CharField(_("ZIP code"), max_length=10)
    phone = models.CharField(_("phone"), max_length=20)
    time_zone = models.CharField(_("time zone"), max_length=64)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class OpeningHours(models.Model):
    """Wall-clock hours in the location's zone; several rows a day allow a lunch break."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["location", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="hours_close_after_open"),
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6), name="hours_weekday_range"),
        ]


class Room(models.Model):
    class Kind(models.TextChoices):
        EXAM = "exam", _("Exam room")
        PROCEDURE = "procedure", _("Procedure room")
        CONSULT = "consult", _("Consult room")
        IMAGING = "imaging", _("Imaging room")
        OPERATING = "operating", _("Operating room")

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EXAM)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_name_unique_per_location")]

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    class Kind(models.TextChoices):
        ULTRASOUND = "ultrasound", _("Ultrasound")
        ECG = "ecg", _("ECG")
        XRAY = "xray", _("X-ray")
        LASER = "laser", _("Laser")
        SPIROMETER = "spirometer", _("Spirometer")
        CRYO = "cryo", _("Cryotherapy unit")

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="equipment")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        verbose_name_plural = "equipment"

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    """A clinical specialty (NUCC taxonomy code optional)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    taxonomy = models.CharField(_("NUCC taxonomy code"), max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class Practitioner(models.Model):
    user = models.OneToOneField("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="practitioner")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    credentials = models.CharField(_("credentials"), max_length=40, blank=True)
    npi = models.CharField(_("NPI"), max_length=10, unique=True)
    specialty = models.CharField(_("specialty"), max_length=80, blank=True)  # the main one, as shown
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="practitioners")
    locations = models.ManyToManyField(Location, related_name="practitioners")
    color = models.CharField(max_length=7, default="#2f6f9f")
    active = models.BooleanField(default=True)
    # The ages of the patients the provider sees, in whole years (a paediatric provider: 0 to 17); blank: any.
    min_patient_age = models.PositiveSmallIntegerField(_("youngest patient age (years)"), null=True, blank=True)
    max_patient_age = models.PositiveSmallIntegerField(_("oldest patient age (years)"), null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_patient_age__isnull=True)
                                   | models.Q(max_patient_age__isnull=True)
                                   | models.Q(max_patient_age__gte=models.F("min_patient_age")),
                                   name="practitioner_age_range_ordered"),
            models.CheckConstraint(condition=models.Q(max_patient_age__isnull=True)
                                   | models.Q(max_patient_age__lte=130), name="practitioner_age_range_max"),
        ]

    def __str__(self) -> str:
        suffix = f", {self.credentials}" if self.credentials else ""
        return f"{self.first_name} {self.last_name}{suffix}"

    def sees_age(self, age: int) -> bool:
        """The provider takes patients of this age (in whole years)."""
        return ((self.min_patient_age is None or age >= self.min_patient_age)
                and (self.max_patient_age is None or age <= self.max_patient_age))

    @property
    def age_range_label(self) -> str:
        if self.min_patient_age is None and self.max_patient_age is None:
            return ""
        if self.max_patient_age is None:
            return str(_("patients aged %(low)s and over") % {"low": self.min_patient_age})
        return str(_("patients aged %(low)s to %(high)s") % {"low": self.min_patient_age or 0,
                                                             "high": self.max_patient_age})


class PracticeSettings(models.Model):
    """The practice's own settings (one row, pk=1). Without a row, the environment's values apply
    (settings.PRACTICE_SHORT_NAME and the defaults below): practice/settings_selectors.py."""

    LANGUAGES = (("en", _("English")), ("es", _("Spanish")))

    short_name = models.CharField(_("practice short name"), max_length=60)
    late_cancel_hours = models.PositiveSmallIntegerField(_("late-cancellation window (hours)"), default=24)
    records_retention_years = models.PositiveSmallIntegerField(_("records retention (years)"), default=7)
    receipt_footer = models.CharField(_("receipt footer"), max_length=300, blank=True)
    default_language = models.CharField(_("default language"), max_length=8, choices=LANGUAGES, default="en")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("practice settings")
        verbose_name_plural = _("practice settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="practice_settings_single_row"),
            models.CheckConstraint(condition=models.Q(late_cancel_hours__lte=336),
                                   name="practice_settings_late_cancel_range"),
            models.CheckConstraint(condition=models.Q(records_retention_years__gte=1,
                                                      records_retention_years__lte=100),
                                   name="practice_settings_retention_range"),
            models.CheckConstraint(condition=models.Q(default_language__in=["en", "es"]),
                                   name="practice_settings_language_known"),
        ]

    def __str__(self) -> str:
        return self.short_name
