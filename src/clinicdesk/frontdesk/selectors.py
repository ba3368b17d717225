"""Reads of the front desk: today's arrivals, the check-in summary, the flow board, the walk-in queue,
the wait-time report, visitors, calls, the inbox and the pre-visit worklist. Lists that show patients
are audited with the patients they show; every list runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean
from typing import Any, cast

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.billing.selectors import payments_for_appointment
from clinicdesk.billing.services import balance_of, collected_for_appointment
from clinicdesk.core import clock
from clinicdesk.core.dates import business_days_after
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, Role, has_perm, require
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.patients.models import Coverage, Document, Patient, SignedForm
from clinicdesk.patients.selectors import (
    alerts_for_patients,
    listed_rows,
    outstanding_forms,
    require_patient_in_reach,
)
from clinicdesk.practice.models import Location, Practitioner, Room
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, ChecklistItem
from clinicdesk.scheduling.selectors import calendar_day, closed_days
from clinicdesk.scheduling.services import appointment_moves, move_refusal, readiness, readiness_prime

from .models import (
    OPEN_STATUSES,
    PRIORITY_ORDER,
    CallLog,
    SlipStatus,
    Task,
    TaskStatus,
    TriageSlip,
    Visit,
    Visitor,
    VisitStatus,
)
from .services import CHASE_ITEMS, active_coverages, escalation_minutes, expected_copay_with_source, local_today
from .services.common import _require_flow, _require_staff_any

HIDDEN = (AppointmentStatus.CANCELLED, AppointmentStatus.ENTERED_IN_ERROR)


def _audit_patients(actor: Actor, action: str, patient_ids: Iterable[int | None], **detail: Any) -> None:
    ids = sorted({p for p in patient_ids if p is not None})
    if ids:
        record(actor, action, resource_type="patient", detail={**detail, "patients": ids})


# --- arrivals ----------------------------------------------------------------------------------------

@dataclass
class Arrival:
    appointment: Appointment
    visit: Visit | None
    can_arrive: bool = False  # the row's actions, from scheduling's transitions table and day rule
    can_check_in: bool = False

    @classmethod
    def of(cls, appointment: Appointment, visit: Visit | None) -> Arrival:
        # Only the two moves the row offers: asking for every move words a refusal for each (a tenth of the page).
        return cls(appointment, visit,
                   can_arrive=visit is None and move_refusal(appointment, AppointmentStatus.ARRIVED) is None,
                   can_check_in=move_refusal(appointment, AppointmentStatus.CHECKED_IN) is None)


@atomic_service
def arrivals_today(*, actor: Actor, location: Location) -> list[Arrival]:
    """Today's appointments at the location with the visit each has started, if any."""
    require(actor, Perm.FRONTDESK, location=location)
    start, end = day_span_utc(local_today(location), location.tz)
    appointments = list(Appointment.objects.filter(listed_rows(), location=location, start__gte=start, start__lt=end)
                        .exclude(status__in=HIDDEN).select_related("patient", "practitioner", "appointment_type",
                                                                   "visit").order_by("start", "pk"))
    for a in appointments:
        a.location = location  # the day rule reads the location's zone: no query per row
    rows = [Arrival.of(a, getattr(a, "visit", None)) for a in appointments]
    _audit_patients(actor, "arrivals.list", (a.patient_id for a in appointments), location=location.pk)
    return rows


@dataclass
class Verification:
    what: str
    at: dt.datetime | None
    by: str
    today: bool


@dataclass
class ChecklistLine:
    """One pre-visit checklist item, in words, and what ticks it: the item ticked on the appointment, a
    document on file (a photo ID scan, an insurance card image) or a confirmation at the desk today."""

    item: str
    label: str
    done: bool
    how: str = ""


# Checklist items that evidence on file or at the desk satisfies (the other items are ticked by hand).
_DOCUMENT_FOR = {ChecklistItem.PHOTO_ID: Document.Kind.PHOTO_ID, ChecklistItem.INSURANCE_CARD:
                 Document.Kind.INSURANCE_CARD}
CONFIRMATION_FOR = {ChecklistItem.PHOTO_ID: "photo_id", ChecklistItem.INSURANCE_CARD: "insurance"}


def checklist_lines(appointment: Appointment, *, documents: set[str], card_on_file: bool = False,
                    confirmed_today: frozenset[str] | set[str] = frozenset()) -> list[ChecklistLine]:
    """What the visit needs (scheduling's `readiness`: the type's checklist and other apps' rules, e.g. a payer's
    prior authorization) with each item done or not, and why, so the check-in page, the worklist and the
    confirmations cannot disagree. An item a rule still requires is not done, whatever is on file."""
    needs = readiness(appointment)
    done = set(appointment.checklist_done or [])
    lines = []
    for item in needs.required:
        label = str(ChecklistItem(item).label) if item in ChecklistItem.values else str(CHASE_ITEMS.get(item, item))
        how, key = "", cast(Any, item)  # a stored value: the maps are keyed by ChecklistItem
        if item in needs.reasons:
            label = f"{label} ({' '.join(needs.reasons[item])})"
        elif item in done:
            how = _("ticked")
        elif CONFIRMATION_FOR.get(key) in confirmed_today:
            how = _("seen at the desk today")
        elif _DOCUMENT_FOR.get(key) in documents or (item == ChecklistItem.INSURANCE_CARD and card_on_file):
            how = _("copy on file")
        lines.append(ChecklistLine(item, label, bool(how), str(how)))
    return lines


@dataclass
class CheckInSummary:
    appointment: Appointment
    visit: Visit | None
    patient: Patient
    coverages: list[Coverage]
    expected_copay: Decimal | None
    outstanding: list[Any]
    intake_missing: bool
    photo_id_on_file: bool
    checklist: list[ChecklistLine]
    verifications: list[Verification]
    balance: Decimal
    payments: list[Any] = field(default_factory=list)
    can_check_in: bool = False
    copay_collected: Decimal = Decimal("0.00")  # money already taken for this visit (net of refunds)
    copay_from_payer: bool = False  # the expected co-pay is what the payer's 271 states

    @property
    def checklist_missing(self) -> list[str]:
        return [line.item for line in self.checklist if not line.done]

    @property
    def checklist_missing_labels(self) -> list[str]:
        return [line.label for line in self.checklist if not line.done]

    @property
    def copay_due(self) -> Decimal | None:
        """What is still to collect as the co-pay: the expected co-pay less what was already taken; None when
        there is nothing to pre-fill."""
        if self.expected_copay is None:
            return None
        due = self.expected_copay - self.copay_collected
        return due if due > 0 else None

    @property
    def flags(self) -> list[str]:
        flags = []
        for form in self.outstanding:
            if form.outdated:
                flags.append(_("%(title)s signed on version %(old)s; version %(new)s needs signing.")
                             % {"title": form.title, "old": form.signed_version, "new": form.version})
            else:
                flags.append(_("%(title)s not signed.") % {"title": form.title})
        if self.intake_missing:
            flags.append(_("Intake history not filled in."))
        if not self.coverages:
            flags.append(_("No active insurance on file."))
        if not self.photo_id_on_file:
            flags.append(_("No photo ID on file."))
        return flags


def _who(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@atomic_service
def check_in_summary(*, actor: Actor, appointment_id: int) -> CheckInSummary:
    require(actor, Perm.FRONTDESK, resource_type="appointment", resource_id=appointment_id)
    appointment = Appointment.objects.select_related("location", "patient", "practitioner", "appointment_type",
                                                     "visit").filter(pk=appointment_id).first()
    if appointment is None:
        raise NotFound()
    require(actor, Perm.FRONTDESK, location=appointment.location_id, hide=True, resource_type="appointment",
            resource_id=appointment_id, patient_id=appointment.patient_id)
    patient = appointment.patient
    require_patient_in_reach(actor, patient, perm=Perm.FRONTDESK, location=appointment.location_id,
                             resource_type="appointment", resource_id=appointment_id)
    day = local_today(appointment.location)
    coverages = active_coverages(patient, day)
    copay, copay_from_payer = expected_copay_with_source(coverages, appointment.practitioner, appointment)
    signed = list(SignedForm.objects.filter(patient=patient).select_related("template"))
    latest = Visit.objects.filter(patient=patient).select_related(
        "demographics_verified_by", "insurance_verified_by", "photo_id_verified_by")
    verifications = []
    for name, label in (("demographics", _("Demographics")), ("insurance", _("Insurance")),
                        ("photo_id", _("Photo ID"))):
        last = latest.filter(**{f"{name}_verified_at__isnull": False}).order_by(f"-{name}_verified_at").first()
        at = getattr(last, f"{name}_verified_at") if last else None
        verifications.append(Verification(str(label), at, _who(getattr(last, f"{name}_verified_by")) if last else "",
                                          bool(at and at.astimezone(appointment.location.tz).date() == day)))
    visit = getattr(appointment, "visit", None)
    documents = set(Document.objects.filter(patient=patient).values_list("kind", flat=True).distinct())
    verified = dict(zip(("demographics", "insurance", "photo_id"), verifications, strict=True))
    confirmed_today = {name for name, v in verified.items() if v.today}
    summary = CheckInSummary(
        appointment=appointment, visit=visit, patient=patient, coverages=coverages,
        expected_copay=copay, copay_from_payer=copay_from_payer,
        outstanding=outstanding_forms(signed), intake_missing=not any((patient.intake or {}).values()),
        photo_id_on_file=Document.Kind.PHOTO_ID in documents or verified["photo_id"].at is not None,
        checklist=checklist_lines(appointment, documents=documents, confirmed_today=confirmed_today,
                                  card_on_file=any(c.card_front_id for c in coverages)),
        verifications=verifications, balance=balance_of(patient.pk),
        payments=payments_for_appointment(appointment.pk), copay_collected=collected_for_appointment(appointment.pk),
        can_check_in=AppointmentStatus.CHECKED_IN in appointment_moves(appointment))
    record(actor, "checkin.read", appointment, patient=patient)
    return summary


# --- the practice's wait target ------------------------------------------------------------------------

DEFAULT_WAIT_TARGET_MINUTES = 15


def wait_target_minutes() -> int:
    """How long a patient may wait between arrival and being roomed before the desk's screens mark it
    (settings.FRONTDESK_WAIT_TARGET_MINUTES; 15 minutes unless the practice sets another)."""
    return int(getattr(settings, "FRONTDESK_WAIT_TARGET_MINUTES", DEFAULT_WAIT_TARGET_MINUTES))


# --- the flow board ------------------------------------------------------------------------------------

BOARD_COLUMNS = (
    ("waiting", gettext_lazy("Waiting"), (VisitStatus.ARRIVED, VisitStatus.CHECKED_IN)),
    ("roomed", gettext_lazy("Roomed"), (VisitStatus.ROOMED,)),
    ("provider", gettext_lazy("With provider"), (VisitStatus.WITH_PROVIDER,)),
    ("checkout", gettext_lazy("Ready for check-out"), (VisitStatus.READY_FOR_CHECKOUT,)),
    ("done", gettext_lazy("Checked out"), (VisitStatus.CHECKED_OUT,)),
)


@dataclass
class BoardColumn:
    key: str
    title: str
    visits: list[Visit] = field(default_factory=list)


@atomic_service
def flow_board(*, actor: Actor, location: Location) -> list[BoardColumn]:
    _require_flow(actor, location)
    visits = list(Visit.objects.filter(listed_rows(), location=location, day=local_today(location)).select_related(
        "patient", "practitioner", "room", "assistant", "service", "appointment").order_by("arrived_at", "pk"))
    columns = [BoardColumn(key, str(title)) for key, title, _statuses in BOARD_COLUMNS]
    where: dict[str, BoardColumn] = {status: columns[i] for i, (_k, _t, statuses) in enumerate(BOARD_COLUMNS)
                                     for status in statuses}
    alerts = alerts_for_patients(actor, (v.patient_id for v in visits))  # one query (#15)
    for visit in visits:
        visit.patient_alerts = alerts.get(visit.patient_id, [])  # type: ignore[attr-defined]
        if visit.status in where:
            where[visit.status].visits.append(visit)
    _audit_patients(actor, "flowboard.read", (v.patient_id for v in visits), location=location.pk)
    return columns


def board_choices(location: Location) -> dict[str, Any]:
    """Rooms and assistants to offer on the board (no patient data)."""
    from clinicdesk.accounts.models import User

    return {
        "rooms": list(Room.objects.filter(location=location, active=True).order_by("name")),
        "assistants": list(User.objects.filter(is_active=True, role=Role.NURSE, locations=location)
                           .order_by("last_name", "first_name")),
    }


# --- walk-ins ---------------------------------------------------------------------------------------------

@dataclass
class QueuedWalkIn:
    visit: Visit
    position: int
    estimated_start: dt.datetime | None
    practitioner: Practitioner | None

    @property
    def wait_minutes(self) -> int | None:
        if self.estimated_start is None:
            return None
        return max(0, int((self.estimated_start - clock.now()).total_seconds() // 60))


def fit_into_gaps(queue: list[tuple[Any, int, list[int]]], gaps: dict[int, list[tuple[dt.datetime, dt.datetime]]],
                  ) -> dict[Any, tuple[int, dt.datetime] | None]:
    """Assign each queued walk-in (key, minutes, allowed practitioner ids) in order to the earliest free
    gap of an allowed practitioner long enough for it; the gap shrinks by what it takes."""
    free = {pid: list(spans) for pid, spans in gaps.items()}
    placed: dict[Any, tuple[int, dt.datetime] | None] = {}
    for key, minutes, allowed in queue:
        need = dt.timedelta(minutes=minutes)
        best: tuple[dt.datetime, int, int] | None = None
        for pid in allowed:
            for index, (start, end) in enumerate(free.get(pid, [])):
                if end - start >= need and (best is None or start < best[0]):
                    best = (start, pid, index)
                    break
        if best is None:
            placed[key] = None
            continue
        start, pid, index = best
        span = free[pid][index]
        free[pid][index] = (start + need, span[1])
        placed[key] = (pid, start)
    return placed


@atomic_service
def walk_in_queue(*, actor: Actor, location: Location) -> list[QueuedWalkIn]:
    """Today's walk-ins still waiting, in arrival order, each with an estimated start fitted into the gaps
    of the schedule (free time of its provider, or of any provider for a service)."""
    require(actor, Perm.FRONTDESK, location=location)
    waiting = list(Visit.objects.filter(listed_rows(), location=location, day=local_today(location), walk_in=True,
                                        status__in=[VisitStatus.ARRIVED, VisitStatus.CHECKED_IN])
                   .select_related("patient", "practitioner", "service").order_by("arrived_at", "pk"))
    if not waiting:
        return []
    calendar = calendar_day(actor=actor, location=location, day=local_today(location))
    gaps: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    practitioners: dict[int, Practitioner] = {}
    for column in calendar.columns:
        if column.practitioner is None:
            continue
        practitioners[column.practitioner.pk] = column.practitioner
        merged: list[tuple[dt.datetime, dt.datetime]] = []
        for slot in sorted(column.free, key=lambda s: s.start):
            if merged and merged[-1][1] == slot.start:
                merged[-1] = (merged[-1][0], slot.end)
            else:
                merged.append((slot.start, slot.end))
        gaps[column.practitioner.pk] = merged
    today = local_today(location)
    # A walk-in for a service goes to a provider who sees patients of that age (not the paediatrician for an adult).
    queue = [(v.pk, v.service.duration_minutes if v.service else 15,
              [v.practitioner_id] if v.practitioner_id else
              [pk for pk, p in practitioners.items() if p.sees_age(v.patient.age_on(today))]) for v in waiting]
    placed = fit_into_gaps(queue, gaps)
    rows = []
    for position, visit in enumerate(waiting, start=1):
        spot = placed.get(visit.pk)
        rows.append(QueuedWalkIn(visit, position, spot[1] if spot else None,
                                 practitioners.get(spot[0]) if spot else visit.practitioner))
    _audit_patients(actor, "walkins.list", (v.patient_id for v in waiting), location=location.pk)
    return rows


# --- wait times --------------------------------------------------------------------------------------------

@dataclass
class WaitFigures:
    label: str
    visits: int
    arrival_to_room: float | None
    room_to_provider: float | None
    total: float | None


def _minutes(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() / 60


def _figures(label: str, visits: list[Visit]) -> WaitFigures:
    def avg(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(mean(present), 1) if present else None

    return WaitFigures(
        label=label, visits=len(visits),
        arrival_to_room=avg([_minutes(v.roomed_at, v.arrived_at) for v in visits]),
        room_to_provider=avg([_minutes(v.provider_at, v.roomed_at) for v in visits]),
        total=avg([_minutes(v.checked_out_at, v.arrived_at) for v in visits]))


@dataclass
class WaitReport:
    location: Location
    first_day: dt.date
    last_day: dt.date
    overall: WaitFigures
    by_provider: list[WaitFigures]


@atomic_service
def wait_time_report(*, actor: Actor, location: Location, first_day: dt.date, last_day: dt.date,
                     practitioner_id: int | None = None) -> WaitReport:
    """Average minutes from arrival to room, room to provider, and arrival to check-out, per provider and
    for the location, over a date range. Figures only: no patient is shown."""
    if not (has_perm(actor, Perm.REPORTS_READ, location=location) or has_perm(actor, Perm.FRONTDESK,
                                                                              location=location)):
        require(actor, Perm.REPORTS_READ, location=location)
    if last_day < first_day:
        raise ValidationFailed("end-before-start", _("The last day is before the first day."))
    if (last_day - first_day).days > 366:
        raise ValidationFailed("range-too-long", _("Choose at most a year."))
    visits = Visit.objects.filter(location=location, day__gte=first_day, day__lte=last_day).exclude(
        status=VisitStatus.LEFT).select_related("practitioner").order_by("pk")
    if practitioner_id:
        visits = visits.filter(practitioner_id=practitioner_id)
    rows = list(visits)
    groups: dict[Any, list[Visit]] = defaultdict(list)
    for visit in rows:
        groups[visit.practitioner].append(visit)
    by_provider = [_figures(str(p) if p else _("No provider"), vs)
                   for p, vs in sorted(groups.items(), key=lambda item: str(item[0] or ""))]
    return WaitReport(location, first_day, last_day, _figures(_("All providers"), rows), by_provider)


# --- visitors and calls ------------------------------------------------------------------------------------

@atomic_service
def visitors_open(*, actor: Actor, location: Location) -> list[Visitor]:
    require(actor, Perm.FRONTDESK, location=location)
    return list(Visitor.objects.filter(location=location, signed_out_at__isnull=True)
                .select_related("signed_in_by").order_by("signed_in_at", "pk"))


@atomic_service
def visitors_on(*, actor: Actor, location: Location, day: dt.date) -> list[Visitor]:
    require(actor, Perm.FRONTDESK, location=location)
    start, end = day_span_utc(day, location.tz)
    return list(Visitor.objects.filter(location=location, signed_in_at__gte=start, signed_in_at__lt=end)
                .select_related("signed_in_by", "signed_out_by").order_by("signed_in_at", "pk"))


@atomic_service
def calls_on(*, actor: Actor, location: Location, day: dt.date) -> list[CallLog]:
    require(actor, Perm.FRONTDESK, location=location)
    start, end = day_span_utc(day, location.tz)
    calls = list(CallLog.objects.filter(listed_rows(), location=location, created_at__gte=start, created_at__lt=end)
                 .select_related("patient", "created_by", "slip", "slip__responded_by").order_by("-created_at", "-pk"))
    _audit_patients(actor, "calls.list", (c.patient_id for c in calls), location=location.pk)
    return calls


# --- the inbox ------------------------------------------------------------------------------------------

def slip_escalated(slip: TriageSlip, now: dt.datetime | None = None) -> bool:
    """Escalated when the worker stamped it, or computed on read: open past its priority's limit."""
    if slip.escalated_at is not None:
        return True
    if slip.status != SlipStatus.OPEN:
        return False
    limit = dt.timedelta(minutes=escalation_minutes()[slip.priority])
    return (now or clock.now()) - slip.created_at >= limit


@dataclass
class Inbox:
    tasks: list[Task]
    slips: list[TriageSlip]
    escalations: list[TriageSlip]
    answered: list[TriageSlip]
    today: dt.date

    def overdue(self, task: Task) -> bool:
        return task.due_date < self.today

    @property
    def count(self) -> int:
        return len(self.tasks) + len(self.slips) + len(self.escalations) + len(self.answered)


def _mine(actor: Actor) -> Q:
    return Q(assignee_id=actor.pk) | Q(assignee__isnull=True, pool=actor.role)


def _at_my_locations(actor: Actor) -> Q:
    return Q() if getattr(actor, "practice_wide", False) else Q(location_id__in=sorted(actor.location_ids()))


@atomic_service
def inbox_for(*, actor: Actor) -> Inbox:
    """The user's tasks (their own and their role's pool), triage slips for them to answer, escalated slips
    (the practice coordinator), and answered slips to call back (the desk). Overdue first."""
    _require_staff_any(actor)
    now = clock.now()
    today = now.date()
    where = _at_my_locations(actor)
    tasks = list(Task.objects.filter(where, _mine(actor), status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
                 .select_related("patient", "assignee", "location").order_by("due_date", "pk"))
    for task in tasks:
        today = clock.today_in(task.location.tz)
        break
    slips: list[TriageSlip] = []
    escalations: list[TriageSlip] = []
    answered: list[TriageSlip] = []
    slip_rows = TriageSlip.objects.filter(where).select_related("patient", "assignee", "responded_by", "call")
    if has_perm(actor, Perm.CLINICAL_TRIAGE):
        slips = list(slip_rows.filter(_mine(actor), status=SlipStatus.OPEN))
    if actor.role == Role.PRACTICE_COORDINATOR:
        escalations = [s for s in slip_rows.filter(status=SlipStatus.OPEN) if slip_escalated(s, now)]
    if has_perm(actor, Perm.FRONTDESK) and actor.role != Role.NURSE:
        answered = list(slip_rows.filter(status=SlipStatus.ANSWERED))
    slips.sort(key=lambda s: (PRIORITY_ORDER[s.priority], s.created_at))
    tasks.sort(key=lambda t: (t.due_date >= today, t.due_date, PRIORITY_ORDER[t.priority], t.pk))
    _audit_patients(actor, "inbox.read", [*(t.patient_id for t in tasks),
                                          *(s.patient_id for s in [*slips, *escalations, *answered])])
    return Inbox(tasks, slips, escalations, answered, today)


# --- the pre-visit worklist ----------------------------------------------------------------------------

@dataclass
class NotReady:
    appointment: Appointment
    missing: list[tuple[str, str]]  # (item, label)
    chased: set[str]


def worklist_days(location: Location, count: int = 3) -> list[dt.date]:
    """The pre-visit worklist's next `count` business days at the location (its holidays skipped)."""
    today = local_today(location)
    closed = closed_days(location_id=location.pk, first=today, last=today + dt.timedelta(days=count * 3 + 30))
    return business_days_after(today, count, closed)


@atomic_service
def previsit_worklist(*, actor: Actor, location: Location, business_days: int = 3) -> list[NotReady]:
    """Appointments in the next business days that are not ready: checklist items not done, required forms
    not signed (or outdated), no active insurance."""
    require(actor, Perm.FRONTDESK, location=location)
    days = worklist_days(location, business_days)
    start, _end = day_span_utc(days[0], location.tz)
    _start, end = day_span_utc(days[-1], location.tz)
    appointments = [a for a in Appointment.objects.filter(listed_rows(),
        location=location, start__gte=start, start__lt=end,
        status__in=[AppointmentStatus.BOOKED, AppointmentStatus.PENDING]).select_related(
        "patient", "practitioner", "appointment_type", "location").order_by("start", "pk")
        if a.start.astimezone(location.tz).date() in days]
    patient_ids = {a.patient_id for a in appointments}
    # The newest version of each form each patient signed: three columns, not the signed forms' whole rows.
    signed: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, code, version in SignedForm.objects.filter(patient_id__in=patient_ids).values_list(
            "patient_id", "template__code", "template__version"):
        signed[pid][code] = max(signed[pid].get(code, 0), version)
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in Coverage.objects.filter(patient_id__in=patient_ids):
        coverages[coverage.patient_id].append(coverage)
    documents: dict[int, set[str]] = defaultdict(set)
    for patient_id, kind in Document.objects.filter(patient_id__in=patient_ids).values_list("patient_id", "kind"):
        documents[patient_id].add(kind)
    chased: dict[int, set[str]] = defaultdict(set)
    for appointment_id, item in Task.objects.filter(
            appointment__in=[a.pk for a in appointments], status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]
    ).exclude(chase_item="").values_list("appointment_id", "chase_item"):
        chased[appointment_id].add(item)
    # Every required form's current version, read once (patients.selectors decides which are required);
    # a patient is missing forms when they signed an older version or none. One query for any number.
    required = {form.code: form.version for form in outstanding_forms([])}
    readiness_prime(appointments)  # other apps' requirements (a payer's prior authorization) asked once
    rows = []
    for appointment in appointments:
        pid = appointment.patient_id
        missing = [(line.item, line.label) for line in checklist_lines(
            appointment, documents=documents[pid], card_on_file=any(c.card_front_id for c in coverages[pid]))
            if not line.done]
        best = signed[pid]
        if any(best.get(code, 0) < version for code, version in required.items()):
            missing.append(("forms", str(CHASE_ITEMS["forms"])))
        day = appointment.start.astimezone(location.tz).date()
        if not any(c.is_active_on(day) for c in coverages[pid]):
            missing.append(("insurance", str(CHASE_ITEMS["insurance"])))
        if missing:
            rows.append(NotReady(appointment, missing, chased[appointment.pk]))
    _audit_patients(actor, "previsit.list", (r.appointment.patient_id for r in rows), location=location.pk)
    return rows


@atomic_service
def visit_detail(*, actor: Actor, visit_id: int) -> Visit:
    visit = Visit.objects.select_related("location", "patient", "practitioner", "room", "assistant", "service",
                                         "appointment", "follow_up__practitioner").filter(pk=visit_id).first()
    if visit is None:
        raise NotFound()
    _require_flow(actor, visit.location_id, hide=True, resource_type="visit", resource_id=visit_id,
                  patient_id=visit.patient_id)
    record(actor, "visit.read", visit, patient=visit.patient_id)
    return visit


def open_statuses() -> frozenset[str]:
    return OPEN_STATUSES
