"""Staff rosters (issue #20, items 1, 2 and 8 for the practice's own data): shift types per location, skills, staff
contracts, cover needs, shift requests, and rosters solved by the engine (staffing/engine) for a location and a
4-week period, drafted and then published.

Staff data, not patient data: every change is audited with `record(...)`, and no append-only history is kept.
A roster period starts on a Monday (the engine's day 0) and lasts PERIOD_DAYS days. At most one roster per
location and period is published; re-solving a published one makes a new draft that changes as little as
possible, and publishing it supersedes the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PERIOD_DAYS = 28


class ShiftType(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=8, help_text=_("Shown in the roster grid, e.g. E, L, N."))
    name = models.CharField(_("name"), max_length=80)
    start = models.TimeField(_("starts at"))
    end = models.TimeField(_("ends at"))
    crosses_midnight = models.BooleanField(_("ends the next day"), default=False)
    paid_minutes = models.PositiveIntegerField(_("paid minutes"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["location_id", "start", "code"]
        constraints = [models.UniqueConstraint(fields=["location", "code"], name="staffing_shifttype_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """Minutes after the start of the shift's own day (past 1,440 when it ends the next day)."""
        return self.end.hour * 60 + self.end.minute + (1440 if self.crosses_midnight else 0)


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A staff user's contract at one location: what the roster may ask of them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    skills = models.ManyToManyField(Skill, blank=True, related_name="staff")
    min_hours_week = models.PositiveSmallIntegerField(_("minimum hours a week"), default=0)
    max_hours_week = models.PositiveSmallIntegerField(_("maximum hours a week"), default=40)
    # Weekdays they cannot work, 0 = Monday .. 6 = Sunday.
    unavailable_weekdays = models.JSONField(_("days they cannot work"), default=list, blank=True)
    max_consecutive_shifts = models.PositiveSmallIntegerField(_("maximum shifts in a row"), default=5)
    min_rest_minutes = models.PositiveIntegerField(_("minimum rest between shifts (minutes)"), default=660)
    max_weekends = models.PositiveSmallIntegerField(_("maximum weekends worked in 4 weeks"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["location_id", "user__last_name", "user__first_name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        user = self.user
        return str(user.get_full_name() or user.get_username())


class CoverNeed(models.Model):
    """How many staff (holding `skill`, or anyone) a shift needs on a weekday, or on one date (a date's need
    replaces the weekday's for the same shift and skill)."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)  # 0 = Monday
    date = models.DateField(_("date"), null=True, blank=True)
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="needs")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="needs")
    count = models.PositiveSmallIntegerField(_("how many"))
    under_weight = models.PositiveIntegerField(_("cost of each one short"), default=100)
    over_weight = models.PositiveIntegerField(_("cost of each one over"), default=1)

    class Meta:
        ordering = ["location_id", "weekday", "date", "shift_type__start", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weekday__isnull=True) ^ Q(date__isnull=True),
                                              name="staffing_coverneed_weekday_xor_date")]


class RequestKind(models.TextChoices):
    ON = "on", _("Wants to work")
    OFF = "off", _("Wants the day off")


class ShiftRequest(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="requests")
    date = models.DateField(_("date"))
    shift_type = models.ForeignKey(ShiftType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("request"), max_length=3, choices=RequestKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["date", "pk"]


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class Roster(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=12, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    objective = models.IntegerField(_("cost"), null=True, blank=True)
    breakdown = models.JSONField(default=dict, blank=True)  # engine soft rule -> cost
    solver_status = models.CharField(max_length=16, blank=True)  # OPTIMAL or FEASIBLE
    solved_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changes = models.IntegerField(null=True, blank=True)  # assignments differing from `based_on`
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "location_id", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["location", "period_start"], condition=Q(status="published"),
                                    name="staffing_roster_one_published"),
            models.UniqueConstraint(fields=["location", "period_start"], condition=Q(status="draft"),
                                    name="staffing_roster_one_draft"),
        ]


class RosterAssignment(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="assignments")
    date = models.DateField()
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "shift_type__start", "pk"]
        constraints = [models.UniqueConstraint(fields=["roster", "staff", "date"],
                                               name="staffing_assignment_one_a_day")]


# --- leave (#20 item 4) ------------------------------------------------------------------------------------------

class LeaveKind(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK = "sick", _("Sick leave")
    TRAINING = "training", _("Training")
    PERSONAL = "personal", _("Personal leave")


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("leave status", "Requested")
    APPROVED = "approved", pgettext_lazy("leave status", "Approved")
    DECLINED = "declined", pgettext_lazy("leave status", "Declined")
    CANCELLED = "cancelled", pgettext_lazy("leave status", "Cancelled")


# Which status may follow which (a bad move raises InvalidTransition in staffing.leave_services).
LEAVE_TRANSITIONS: dict[str, frozenset[str]] = {
    LeaveStatus.REQUESTED: frozenset({LeaveStatus.APPROVED, LeaveStatus.DECLINED, LeaveStatus.CANCELLED}),
    LeaveStatus.APPROVED: frozenset({LeaveStatus.CANCELLED}),
    LeaveStatus.DECLINED: frozenset(),
    LeaveStatus.CANCELLED: frozenset(),
}


class LeaveRequest(models.Model):
    """A person's absence for whole days, first to last. The person is a staff user (`user`), and for a provider
    also their practitioner record (`practitioner`, which may have no user account). Approving a provider's leave
    blocks their calendar (a scheduling availability exception, `exception_id`) and lists the appointments it
    affects with a proposed cover for each (staffing.leave_services)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    practitioner = models.ForeignKey("practice.Practitioner", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=LeaveKind.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=LeaveStatus.choices,
                              default=LeaveStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    exception_id = models.IntegerField(null=True, blank=True)  # scheduling.AvailabilityException while approved
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_day", "-pk"]
        indexes = [models.Index(fields=["status", "first_day"]), models.Index(fields=["user", "first_day"]),
                   models.Index(fields=["practitioner", "first_day"])]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")),
                                   name="staffing_leave_last_after_first"),
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(practitioner__isnull=False),
                                   name="staffing_leave_has_a_person"),
        ]

    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def status_tone(self) -> str:
        """The badge tone of the status (components/badge.html)."""
        return {LeaveStatus.REQUESTED: "warning", LeaveStatus.APPROVED: "success",
                LeaveStatus.DECLINED: "danger"}.get(LeaveStatus(self.status), "neutral")

    @property
    def person_name(self) -> str:
        if self.practitioner_id is not None and self.practitioner is not None:
            return str(self.practitioner)
        return (self.user.get_full_name() or self.user.get_username()) if self.user is not None else ""


class LeaveAllowance(models.Model):
    """Days of leave of a kind a person has in a calendar year (vacation, usually); the balance is the allowance
    less the working days of approved leave of that kind in the year."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=LeaveKind.choices, default=LeaveKind.VACATION)
    days = models.DecimalField(_("days"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["year", "user_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "year", "kind"], name="staffing_allowance_one_per_kind"),
            models.CheckConstraint(condition=Q(days__gte=0), name="staffing_allowance_not_negative"),
        ]


# --- shift swaps and open shifts (#20 item 5) ---------------------------------------------------------------------

class SwapKind(models.TextChoices):
    OFFER = "offer", _("Shift offered")
    OPEN = "open", _("Open shift")


class SwapStatus(models.TextChoices):
    OFFERED = "offered", pgettext_lazy("swap status", "Offered")
    TAKEN = "taken", pgettext_lazy("swap status", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("swap status", "Approved")
    DECLINED = "declined", pgettext_lazy("swap status", "Declined")
    CANCELLED = "cancelled", pgettext_lazy("swap status", "Cancelled")


SWAP_TRANSITIONS: dict[str, frozenset[str]] = {
    SwapStatus.OFFERED: frozenset({SwapStatus.TAKEN, SwapStatus.CANCELLED}),
    SwapStatus.TAKEN: frozenset({SwapStatus.APPROVED, SwapStatus.DECLINED, SwapStatus.CANCELLED}),
    SwapStatus.APPROVED: frozenset(),
    SwapStatus.DECLINED: frozenset(),
    SwapStatus.CANCELLED: frozenset(),
}


class ShiftSwap(models.Model):
    """A published shift changing hands: offered by the person rostered on it (to a named colleague, or to anyone
    qualified) and taken by a colleague; or an open shift (a cover need short on the published roster) claimed by
    someone. Either way the practice coordinator approves it, and only then does the roster change."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="swaps")
    kind = models.CharField(_("kind"), max_length=8, choices=SwapKind.choices)
    date = models.DateField(_("date"))
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    offered_to = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    taken_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.OFFERED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "shift_type__start", "pk"]
        indexes = [models.Index(fields=["status", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind="open") | Q(from_staff__isnull=False),
                                   name="staffing_swap_offer_has_giver"),
            models.UniqueConstraint(fields=["roster", "from_staff", "date"],
                                    condition=Q(status__in=["offered", "taken"], kind="offer"),
                                    name="staffing_swap_one_open_offer"),
        ]

    @property
    def status_tone(self) -> str:
        return {SwapStatus.OFFERED: "info", SwapStatus.TAKEN: "warning", SwapStatus.APPROVED: "success",
                SwapStatus.DECLINED: "danger"}.get(SwapStatus(self.status), "neutral")


# --- training and certifications (#20 item 6) ---------------------------------------------------------------------

class Training(models.Model):
    """A training or certification staff must hold: everyone in `roles` (role codes) and everyone holding one of
    `skills` (CLIA competency for waived testing). A shift type listed in `shift_types` may only be worked by
    someone whose record is current that day; so may a shift whose cover need names one of `skills`, by a holder
    of that skill."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    valid_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=12)
    roles = models.JSONField(_("required of roles"), default=list, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="required_trainings")
    shift_types = models.ManyToManyField(ShiftType, blank=True, related_name="required_trainings")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def role_labels(self) -> list[str]:
        """The roles that must hold it, in words."""
        from clinicdesk.core.permissions import Role

        return [Role(code).label for code in self.roles or [] if code in Role._value2member_map_]


class TrainingRecord(models.Model):
    """A completed training, valid from `completed_on` to `valid_until` (inclusive), with its evidence (a file in
    the default storage under staffing/training/)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"))
    evidence = models.CharField(max_length=300, blank=True)  # storage name
    evidence_name = models.CharField(_("evidence"), max_length=200, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_until", "-pk"]
        indexes = [models.Index(fields=["user", "training", "valid_until"])]
        constraints = [models.CheckConstraint(condition=Q(valid_until__gte=models.F("completed_on")),
                                              name="staffing_training_valid_after_done")]


class TrainingReminder(models.Model):
    """One expiry reminder sent (so that each of 60, 30 and 7 days ahead is sent once per record)."""

    record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="reminders")
    days_ahead = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "days_ahead"],
                                               name="staffing_training_reminder_once")]


# --- time and attendance (#20 item 7): models_clock.py ------------------------------------------------------------

from .models_clock import ClockPin, ClockSettings, PayPeriod, Punch, PunchMethod  # noqa: E402, F401
