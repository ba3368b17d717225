"""Scheduling: appointment types, availability, appointments, resource bookings, series, waitlist.

Free slots are never stored: availability is computed from templates, exceptions, holidays and the
resource bookings below (see `availability.py`). What must never happen (two active bookings of one
practitioner, room, piece of equipment or patient at overlapping times) is enforced by the database:
on PostgreSQL an exclusion constraint over `tstzrange(start, end)` (migration 0003); on SQLite the
write lock taken at BEGIN (settings: transaction_mode IMMEDIATE) plus the service's re-check.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class AppointmentStatus(models.TextChoices):
    """FHIR R4 Appointment.status."""

    PROPOSED = "proposed", _("Proposed")
    PENDING = "pending", _("Pending")
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", _("Arrived")
    CHECKED_IN = "checked-in", _("Checked in")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")
    NOSHOW = "noshow", _("No-show")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")
    WAITLIST = "waitlist", _("Waitlist")


# What the button that moves an appointment to each status says (a verb, in the user's language).
MOVE_LABELS = {
    AppointmentStatus.PENDING: _("Mark pending"),
    AppointmentStatus.BOOKED: _("Back to booked"),
    AppointmentStatus.ARRIVED: _("Mark arrived"),
    AppointmentStatus.CHECKED_IN: _("Mark checked in"),
    AppointmentStatus.FULFILLED: _("Mark visit done"),
}


S = AppointmentStatus
# The state machine, as a table: from -> the statuses it may move to. Anything else is InvalidTransition.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.PENDING, S.BOOKED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.PENDING: frozenset({S.BOOKED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.WAITLIST: frozenset({S.BOOKED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.BOOKED: frozenset({S.ARRIVED, S.CHECKED_IN, S.CANCELLED, S.NOSHOW, S.ENTERED_IN_ERROR}),
    S.ARRIVED: frozenset({S.CHECKED_IN, S.FULFILLED, S.BOOKED, S.ENTERED_IN_ERROR}),
    S.CHECKED_IN: frozenset({S.FULFILLED, S.ENTERED_IN_ERROR}),
    S.NOSHOW: frozenset({S.ENTERED_IN_ERROR}),
    S.FULFILLED: frozenset({S.ENTERED_IN_ERROR}),
    S.CANCELLED: frozenset({S.ENTERED_IN_ERROR}),
    S.ENTERED_IN_ERROR: frozenset(),
}
# Statuses that occupy their practitioner, room, equipment and patient (they hold resource bookings).
ACTIVE_STATUSES: frozenset[str] = frozenset({S.PENDING, S.BOOKED, S.ARRIVED, S.CHECKED_IN, S.FULFILLED})
# Statuses an appointment may still be moved (rescheduled) in.
MOVABLE_STATUSES: frozenset[str] = frozenset({S.PROPOSED, S.PENDING, S.BOOKED})


class AppointmentCategory(models.TextChoices):
    VISIT = "visit", _("Office visit")
    PROCEDURE = "procedure", _("Procedure")
    SURGERY = "surgery", _("Surgery")


class ChecklistItem(models.TextChoices):
    """Pre-visit checklist: each item an appointment type asks for must be done before it is ready."""

    REFERRAL = "referral", _("Referral")
    PRIOR_AUTH = "prior_auth", _("Prior authorization")
    PHOTO_ID = "photo_id", _("Photo ID")
    INSURANCE_CARD = "insurance_card", _("Insurance card")
    SURGICAL_CLEARANCE = "surgical_clearance", _("Surgical clearance")
    PRE_OP = "pre_op", _("Pre-op instructions given")


class AppointmentType(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    patient_facing_name = models.CharField(_("name shown to patients"), max_length=80)
    # The practice's own words in Spanish; blank falls back to the English name.
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True)
    patient_facing_name_es = models.CharField(_("name shown to patients, in Spanish"), max_length=80, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    new_patient = models.BooleanField(_("new patient"), default=False)
    category = models.CharField(_("category"), max_length=12, choices=AppointmentCategory.choices,
                                default=AppointmentCategory.VISIT)
    buffer_before_minutes = models.PositiveSmallIntegerField(_("buffer before (minutes)"), default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(_("buffer after (minutes)"), default=0)
    # Blank: no room needed (telehealth, phone). Otherwise a practice.Room.Kind value.
    room_kind = models.CharField(_("room kind needed"), max_length=20, blank=True)
    # practice.Equipment.Kind values; one piece of each kind is booked.
    equipment_kinds = models.JSONField(_("equipment kinds needed"), default=list, blank=True)
    # Empty: every practitioner may take it.
    allowed_practitioners = models.ManyToManyField("practice.Practitioner", blank=True,
                                                   related_name="appointment_types")
    telehealth = models.BooleanField(_("telehealth"), default=False)
    checklist = models.JSONField(_("pre-visit checklist"), default=list, blank=True)  # ChecklistItem values
    color = models.CharField(max_length=7, default="#5b8def")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gt=0), name="appt_type_duration_positive"),
            models.CheckConstraint(condition=models.Q(duration_minutes__lte=720), name="appt_type_duration_max"),
            models.CheckConstraint(condition=models.Q(buffer_before_minutes__lte=240, buffer_after_minutes__lte=240),
                                   name="appt_type_buffers_max"),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name staff read, in the active language (English when no Spanish name was entered)."""
        return self.name_in(translation.get_language() or "en")

    def name_in(self, language: str) -> str:
        return self.name_es if language[:2] == "es" and self.name_es else self.name

    def patient_name_in(self, language: str) -> str:
        """The name a patient reads, in their language (English when no Spanish name was entered)."""
        if language[:2] == "es" and self.patient_facing_name_es:
            return self.patient_facing_name_es
        return self.patient_facing_name

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_after_minutes)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilityTemplate(models.Model):
    """A weekly block a practitioner works at a location, in the location's wall-clock time.

    With `reserved_types` set, only those appointment types may be booked in the block (for example
    two new-patient slots each morning)."""

    practitioner = models.ForeignKey("practice.Practitioner", on_delete=models.CASCADE,
                                     related_name="availability_templates")
    location = models.ForeignKey("practice.Location", on_delete=models.CASCADE, related_name="availability_templates")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True)  # inclusive; open-ended when empty
    reserved_types = models.ManyToManyField(AppointmentType, blank=True, related_name="reserved_blocks")
    label = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["practitioner", "weekday", "start_time"]
        indexes = [models.Index(fields=["location", "weekday"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")),
                                   name="availability_end_after_start"),
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6),
                                   name="availability_weekday_range"),
            models.CheckConstraint(condition=models.Q(effective_until__isnull=True)
                                   | models.Q(effective_until__gte=models.F("effective_from")),
                                   name="availability_effective_order"),
        ]

    def applies_on(self, day: dt.date) -> bool:
        return (day.weekday() == self.weekday and self.effective_from <= day
                and (self.effective_until is None or day <= self.effective_until))


class AvailabilityException(models.Model):
    """Time a practitioner is not available (vacation, conference, meeting), at one location or all."""

    class Kind(models.TextChoices):
        VACATION = "vacation", _("Vacation")
        CONFERENCE = "conference", _("Conference")
        MEETING = "meeting", _("Meeting")
        SICK = "sick", _("Sick leave")
        OTHER = "other", _("Other")

    practitioner = models.ForeignKey("practice.Practitioner", on_delete=models.CASCADE,
                                     related_name="availability_exceptions")
    location = models.ForeignKey("practice.Location", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["practitioner", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="exception_end_after_start"),
        ]


class LocationHoliday(models.Model):
    """A day a location is closed (holiday, closure): nobody can be booked there."""

    location = models.ForeignKey("practice.Location", on_delete=models.CASCADE, related_name="holidays")
    day = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["location", "day"], name="holiday_unique_per_day")]


class Series(models.Model):
    """A recurring series (e.g. weekly physical therapy, 8 visits)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointment_series")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    interval_days = models.PositiveSmallIntegerField(default=7)
    count = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        verbose_name_plural = "series"


class Appointment(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey("practice.Practitioner", on_delete=models.PROTECT,
                                     related_name="appointments")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey("practice.Room", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="appointments")
    equipment = models.ManyToManyField("practice.Equipment", blank=True, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments")
    telehealth = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    overbooked = models.BooleanField(default=False)
    overbook_reason = models.CharField(max_length=200, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    late_cancel = models.BooleanField(default=False)
    checklist_done = models.JSONField(default=list, blank=True)  # ChecklistItem values ticked off
    confirmed_at = models.DateTimeField(null=True, blank=True)  # the patient said they will come
    confirmed_via = models.CharField(max_length=20, blank=True)  # link, sms, phone, desk
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["location", "start"]),
            models.Index(fields=["practitioner", "start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["updated_at"], name="appointment_updated_at"),  # the reminders safety net
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(condition=~models.Q(overbooked=True, overbook_reason=""),
                                   name="appointment_overbook_has_reason"),
            models.CheckConstraint(condition=~models.Q(status="cancelled", cancel_reason=""),
                                   name="appointment_cancel_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def checklist_missing(self) -> list[str]:
        """What the visit still needs: asked of scheduling.services.readiness, the one home of readiness."""
        from .services.readiness import readiness

        return readiness(self).missing

    @property
    def ready_for_visit(self) -> bool:
        """Every pre-visit item the type asks for is done and no other app reports an unmet requirement (a payer
        rule's prior authorization): scheduling.services.readiness decides."""
        from .services.readiness import readiness

        return readiness(self).ready


class ResourceKind(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    ROOM = "room", _("Room")
    EQUIPMENT = "equipment", _("Equipment")
    PATIENT = "patient", _("Patient")


class ResourceBooking(models.Model):
    """One thing an active appointment occupies, over [start, end) including the type's buffers.

    Rows exist only while the appointment is active (the services delete them when it is cancelled,
    marked no-show or entered in error, and rewrite them when it moves). `exclusive` is false only for
    a practitioner's explicit overbook, which the exclusion constraint then lets through."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="bookings")
    resource_kind = models.CharField(max_length=12, choices=ResourceKind.choices)
    resource_id = models.BigIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    exclusive = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["resource_kind", "resource_id", "start"], name="booking_resource_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"),
            models.UniqueConstraint(fields=["appointment", "resource_kind", "resource_id"],
                                    name="booking_once_per_resource"),
        ]


# Longest span a booking can have (duration + buffers, see AppointmentType constraints): window queries
# use it to bound the index scan on start.
MAX_BOOKING_SPAN = dt.timedelta(minutes=720 + 240 + 240)


class AppointmentHistory(models.Model):
    """Every change to an appointment, in order: booking, moves, status changes, checklist."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["appointment", "at", "pk"]
        verbose_name_plural = "appointment history"


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier slot, with preferences."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        BOOKED = "booked", _("Booked")
        REMOVED = "removed", _("Removed")

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="waitlist_entries")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")  # empty: any location
    practitioners = models.ManyToManyField("practice.Practitioner", blank=True, related_name="+")  # empty: any
    weekdays = models.JSONField(default=list, blank=True)  # 0=Monday; empty: any day
    earliest_time = models.TimeField(null=True, blank=True)
    latest_time = models.TimeField(null=True, blank=True)
    notice_hours = models.PositiveSmallIntegerField(default=24)  # how much notice the patient needs
    current_appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+")  # the later one they hold, if any
    priority = models.PositiveSmallIntegerField(default=0)  # higher first
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-priority", "created_at"]
        indexes = [models.Index(fields=["status", "appointment_type"])]
        verbose_name_plural = "waitlist entries"


class CalendarFeed(models.Model):
    """A practitioner's private iCalendar feed. Only the token's SHA-256 is stored; revoking is final."""

    practitioner = models.ForeignKey("practice.Practitioner", on_delete=models.CASCADE, related_name="feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    include_patient_names = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)


class CalendarVersion(models.Model):
    """How many times a practitioner's free time may have grown: database triggers add one whenever one of their
    bookings is deleted or changed and whenever their weekly templates or time off change (migration 0008).
    A booking made does not count: it only ever takes time away. The first-available search trusts a remembered
    `DayFreeTime` only while this number is the one it was measured at (ADR 0012). No row: version 0."""

    # A plain id, no foreign key: a trigger may count a change for a practitioner being deleted in the same
    # transaction (their templates go with them), and the count must not stop that deletion.
    practitioner_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)


class DayFreeTime(models.Model):
    """The longest free stretch a practitioner had on one local day at one location, in all their working blocks
    there (reserved or not) minus their exclusive bookings, as the first-available search last measured it, at
    `version` of their calendar and in the location's `time_zone` then. While the version stands no booking can
    have lengthened it, so a search skips the day for any appointment type longer than it (ADR 0012)."""

    # Written after the search's commit (a cache of what the bookings say): no database constraint to race with a
    # practitioner or location deleted meanwhile; Django still deletes the rows with them.
    practitioner = models.ForeignKey("practice.Practitioner", on_delete=models.CASCADE, related_name="+",
                                     db_constraint=False)
    location = models.ForeignKey("practice.Location", on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False)
    day = models.DateField()
    time_zone = models.CharField(max_length=64)
    version = models.BigIntegerField()
    longest_free_minutes = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "practitioner", "day"],
                                               name="day_free_time_once")]
