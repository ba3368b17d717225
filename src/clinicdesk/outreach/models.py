"""Health-education workshops and community events (#24 item 3): the event, who registered (a patient or a
non-patient contact kept with their consent), the waitlist, attendance at the door and the follow-up survey.

`Event.taken` counts the confirmed places. It only moves by a conditional UPDATE (`taken < capacity`) inside the
registering transaction, and a check constraint holds `taken <= capacity`: two registrations racing for the last
place cannot both get it; the loser is put on the waitlist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventKind(models.TextChoices):
    DIABETES = "diabetes", _("Diabetes workshop")
    PRENATAL = "prenatal", _("Prenatal workshop")
    ASTHMA = "asthma", _("Asthma workshop")
    NUTRITION = "nutrition", _("Nutrition workshop")
    HEART = "heart", _("Heart health workshop")
    OTHER_WORKSHOP = "workshop", _("Other workshop")
    COMMUNITY = "community", _("Community event")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Open to the public")
    PATIENTS = "patients", _("Patients only")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("event status", "Scheduled")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class Event(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("organizing location"))
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=160)
    title_es = models.CharField(_("title (Spanish)"), max_length=160)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    place = models.CharField(_("place"), max_length=240, blank=True,
                             help_text=_("A room or a street address; empty: at the organizing location."))
    online_url = models.URLField(_("online link"), max_length=400, blank=True)
    start = models.DateTimeField(_("starts"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("length (minutes)"), default=60)
    capacity = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(default=0)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="outreach_event_not_overbooked"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="outreach_event_has_places"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="outreach_event_has_length"),
        ]

    def __str__(self) -> str:
        return self.title_en

    def title_in(self, language: str) -> str:
        return self.title_es if language.startswith("es") else self.title_en

    def description_in(self, language: str) -> str:
        return self.description_es if language.startswith("es") else self.description_en

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


class Contact(models.Model):
    """Someone who is not a patient, registered for an event: kept with what they agreed to."""

    given_name = models.CharField(_("first name"), max_length=80)
    family_name = models.CharField(_("last name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    consent = models.BooleanField(_("agreed to be contacted"), default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("registration status", "Has a place")
    WAITLISTED = "waitlisted", pgettext_lazy("registration status", "Waitlist")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="registrations")
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    walk_in = models.BooleanField(default=False)
    attended = models.BooleanField(default=False)
    attended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    survey_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["pk"]  # the waitlist's order: first registered, first promoted
        constraints = [
            models.CheckConstraint(condition=Q(patient__isnull=False, contact__isnull=True)
                                   | Q(patient__isnull=True, contact__isnull=False),
                                   name="outreach_registration_one_person"),
            models.UniqueConstraint(fields=["event", "patient"], condition=~Q(status="cancelled"),
                                    name="outreach_patient_once_per_event"),
            models.UniqueConstraint(fields=["event", "contact"], condition=~Q(status="cancelled"),
                                    name="outreach_contact_once_per_event"),
        ]

    @property
    def person_name(self) -> str:
        return self.patient.display_name if self.patient_id else self.contact.display_name  # type: ignore[union-attr]


class SurveyAnswer(models.Model):
    """The follow-up survey: a few fixed questions, answered once through the link sent after the event."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="survey")
    rating = models.PositiveSmallIntegerField()
    useful = models.BooleanField()
    would_recommend = models.BooleanField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                              name="outreach_survey_rating_1_to_5")]


from .models_campaigns import (  # noqa: E402,F401 - campaigns (#24 item 4) live in their own module
    CAMPAIGN_TRANSITIONS,
    Campaign,
    CampaignMember,
    CampaignStatus,
    MemberState,
)
