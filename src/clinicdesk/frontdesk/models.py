"""The front-desk day: visits moving through the clinic, walk-ins, visitors, calls, triage slips, tasks.

A `Visit` is one patient's passage through the clinic on one day, with a time stamp for every step of
the flow board. Its status field has its transition table next to it (`TRANSITIONS`); the services
refuse any other move. Appointment statuses stay scheduling's (arrived, checked-in, fulfilled): the
visit services call scheduling's own services to move them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    ARRIVED = "arrived", _("Arrived")
    CHECKED_IN = "checked-in", _("Waiting")
    ROOMED = "roomed", _("Roomed")
    WITH_PROVIDER = "with-provider", _("With provider")
    READY_FOR_CHECKOUT = "ready-checkout", _("Ready for check-out")
    CHECKED_OUT = "checked-out", _("Checked out")
    LEFT = "left", _("Left without being seen")


V = VisitStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    V.ARRIVED: frozenset({V.CHECKED_IN, V.LEFT}),
    V.CHECKED_IN: frozenset({V.ROOMED, V.LEFT}),
    V.ROOMED: frozenset({V.WITH_PROVIDER, V.LEFT}),
    V.WITH_PROVIDER: frozenset({V.READY_FOR_CHECKOUT}),
    V.READY_FOR_CHECKOUT: frozenset({V.CHECKED_OUT}),
    V.CHECKED_OUT: frozenset(),
    V.LEFT: frozenset(),
}
# The time stamp each status sets.
STAMP: dict[str, str] = {
    V.ARRIVED: "arrived_at",
    V.CHECKED_IN: "checked_in_at",
    V.ROOMED: "roomed_at",
    V.WITH_PROVIDER: "provider_at",
    V.READY_FOR_CHECKOUT: "checkout_ready_at",
    V.CHECKED_OUT: "checked_out_at",
    V.LEFT: "left_at",
}
WAITING_STATUSES = frozenset({V.ARRIVED, V.CHECKED_IN})
OPEN_STATUSES = frozenset({V.ARRIVED, V.CHECKED_IN, V.ROOMED, V.WITH_PROVIDER, V.READY_FOR_CHECKOUT})


class Visit(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    appointment = models.OneToOneField("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="visit")
    practitioner = models.ForeignKey("practice.Practitioner", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    service = models.ForeignKey("scheduling.AppointmentType", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    walk_in = models.BooleanField(default=False)
    day = models.DateField()  # the location's local date
    status = models.CharField(max_length=16, choices=VisitStatus.choices, default=VisitStatus.ARRIVED)
    room = models.ForeignKey("practice.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assistant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    arrived_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    roomed_at = models.DateTimeField(null=True, blank=True)
    provider_at = models.DateTimeField(null=True, blank=True)
    checkout_ready_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Check-in confirmations: who confirmed what on file, when.
    demographics_verified_at = models.DateTimeField(null=True, blank=True)
    demographics_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                 on_delete=models.PROTECT, related_name="+")
    insurance_verified_at = models.DateTimeField(null=True, blank=True)
    insurance_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    photo_id_verified_at = models.DateTimeField(null=True, blank=True)
    photo_id_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")
    expected_copay = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    follow_up = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    note = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["arrived_at", "pk"]
        indexes = [models.Index(fields=["location", "day", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VisitStatus.values), name="visit_status_known"),
            models.CheckConstraint(condition=Q(walk_in=True) | Q(appointment__isnull=False),
                                   name="visit_scheduled_has_appointment"),
            models.CheckConstraint(condition=Q(roomed_at__isnull=True) | Q(roomed_at__gte=models.F("arrived_at")),
                                   name="visit_roomed_after_arrival"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk}"

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES


class VisitEvent(models.Model):
    """Every move of a visit, time-stamped (the flow board's history and the wait-time report's source)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["visit", "at", "pk"]


class Visitor(models.Model):
    class IdType(models.TextChoices):
        DRIVERS_LICENSE = "drivers-license", _("Driver's license")
        STATE_ID = "state-id", _("State ID")
        PASSPORT = "passport", _("Passport")
        EMPLOYEE_BADGE = "employee-badge", _("Employer badge")
        OTHER = "other", _("Other")

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    visiting = models.CharField(_("visiting"), max_length=120)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_last4 = models.CharField(_("ID, last four"), max_length=4)
    badge = models.CharField(_("badge number"), max_length=20)
    signed_in_at = models.DateTimeField()
    signed_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    signed_out_at = models.DateTimeField(null=True, blank=True)
    signed_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")

    class Meta:
        ordering = ["-signed_in_at", "-pk"]
        indexes = [models.Index(fields=["location", "signed_in_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(signed_out_at__isnull=True)
                                   | Q(signed_out_at__gte=models.F("signed_in_at")), name="visitor_out_after_in"),
        ]


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    SAME_DAY = "same-day", _("Same day")
    ROUTINE = "routine", _("Routine")


PRIORITY_ORDER: dict[str, int] = {Priority.URGENT: 0, Priority.SAME_DAY: 1, Priority.ROUTINE: 2}


class CallReason(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment")
    BILLING = "billing", _("Billing")
    REFILL = "refill", _("Refill")
    CLINICAL = "clinical", _("Clinical question")
    RECORDS = "records", _("Records request")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class CallDisposition(models.TextChoices):
    RESOLVED = "resolved", _("Resolved on the call")
    MESSAGE = "message", _("Message taken")
    CALLBACK = "callback", _("Call back needed")
    TRANSFERRED = "transferred", _("Transferred")
    TRIAGE = "triage", _("Sent to triage")


class CallLog(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Phone call")
        MESSAGE = "message", _("Message")

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CALL)
    caller_name = models.CharField(_("caller"), max_length=120)
    caller_phone = models.CharField(_("phone"), max_length=20, blank=True)
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=CallReason.choices)
    disposition = models.CharField(_("disposition"), max_length=12, choices=CallDisposition.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["location", "created_at"])]


class SlipStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


SLIP_TRANSITIONS: dict[str, frozenset[str]] = {
    SlipStatus.OPEN: frozenset({SlipStatus.ANSWERED}),
    SlipStatus.ANSWERED: frozenset({SlipStatus.CLOSED}),
    SlipStatus.CLOSED: frozenset(),
}


class TriageSlip(models.Model):
    """A clinical question taken at the desk, routed to a clinician or a pool, answered, called back."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    call = models.OneToOneField(CallLog, null=True, blank=True, on_delete=models.PROTECT, related_name="slip")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"), max_length=2000)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    pool = models.CharField(_("pool"), max_length=40, blank=True)  # a Role value when routed to a pool
    status = models.CharField(max_length=10, choices=SlipStatus.choices, default=SlipStatus.OPEN)
    escalated_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["location", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(assignee__isnull=False) | ~Q(pool=""), name="slip_routed"),
            models.CheckConstraint(condition=Q(status="open") | ~Q(response=""), name="slip_answered_has_response"),
        ]


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in-progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


class Task(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("task"), max_length=200)
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    pool = models.CharField(_("pool"), max_length=40, blank=True)
    due_date = models.DateField(_("due"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    chase_item = models.CharField(max_length=30, blank=True)  # pre-visit item this task chases
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["location", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(assignee__isnull=False) | ~Q(pool=""), name="task_assigned"),
            models.UniqueConstraint(fields=["appointment", "chase_item"],
                                    condition=Q(status__in=["open", "in-progress"]) & ~Q(chase_item=""),
                                    name="task_one_open_chase_per_item"),
        ]


class HeadsUp(models.Model):
    """A short note from the desk to the provider of a visit today ("the patient in room 3 is agitated"). It shows
    on the provider's screens until they acknowledge it (frontdesk.headsup)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.CharField(_("message"), max_length=200)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)  # first shown on the provider's screen
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        indexes = [models.Index(fields=["recipient", "acknowledged_at"])]
