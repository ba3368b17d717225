"""Reads of the schedule. Reads that show patients are audited with the patients they show.

Every selector here runs a fixed number of queries whatever the number of appointments: the calendar
pages pin that with `django_assert_num_queries` at two sizes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, Min, Prefetch, Q
from django.utils.formats import date_format
from django.utils.translation import gettext

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.core.timezones import day_span_utc, local_to_utc
from clinicdesk.patients.selectors import alerts_for_patients
from clinicdesk.practice.models import Location, Practitioner, Room

from . import intervals
from .availability import Window
from .ics import appointment_ics as appointment_ics  # public: comms attaches it to confirmations
from .models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    CalendarFeed,
    LocationHoliday,
    ResourceKind,
    WaitlistEntry,
)
from .search import Option, SearchQuery, find_options
from .services import feed_token_hash

ROW = dt.timedelta(minutes=5)  # the calendar grid's row height
FREE_SLOT = dt.timedelta(minutes=15)  # clickable empty slots
HIDDEN_STATUSES = (AppointmentStatus.CANCELLED, AppointmentStatus.ENTERED_IN_ERROR)
# What the calendar grid and its cancelled list show of an appointment: times, status, type name and colour,
# room, provider and the patient's name. The rest of each row, the patient's chart above all, is not read (a
# 20-provider day builds 2,000 model instances: the full rows were a third of the page's time).
CALENDAR_FIELDS = ("location_id", "start", "end", "status", "overbooked", "late_cancel", "practitioner", "room",
                   "patient__family_name", "patient__given_name", "appointment_type__name", "appointment_type__color")


@atomic_service
def appointments_for_day(*, actor: Actor, location: Location, day: dt.date) -> list[Appointment]:
    """The day's appointments at a location, in its own time zone; the list shows patients, so it is
    audited with the patients it shows."""
    require(actor, Perm.SCHEDULE_READ, location=location)
    start, end = day_span_utc(day, location.tz)
    appointments = list(
        Appointment.objects.filter(location=location, start__gte=start, start__lt=end)
        .select_related("patient", "practitioner", "room", "appointment_type")
        .order_by("start", "practitioner__last_name", "pk")
    )
    if appointments:
        record(actor, "appointment.list", resource_type="appointment",
               detail={"location": location.pk, "day": day.isoformat(),
                       "patients": sorted({a.patient_id for a in appointments})})
    return appointments


def _status_alias(status: str) -> str:
    return "status_" + status.replace("-", "_")


def appointment_counts_today(locations: Sequence[Any]) -> list[dict[str, Any]]:
    """Counts per location for its own today. Numbers only: no patient is shown, so not a PHI read."""
    rows = []
    for location in locations:
        day = clock.today_in(location.tz)
        start, end = day_span_utc(day, location.tz)
        figures = Appointment.objects.filter(location=location, start__gte=start, start__lt=end).aggregate(
            total=Count("pk"),
            booked=Count("pk", filter=Q(status=AppointmentStatus.BOOKED)),
            cancelled=Count("pk", filter=Q(status=AppointmentStatus.CANCELLED)),
            **{_status_alias(value): Count("pk", filter=Q(status=value)) for value in AppointmentStatus.values},
        )
        by_status = {value: figures.pop(_status_alias(value)) for value in AppointmentStatus.values}
        rows.append({"location": location, "day": day, "by_status": by_status, **figures})
    return rows


# --- the calendar --------------------------------------------------------------------------------


def closed_days(*, location_id: int, first: dt.date, last: dt.date) -> set[dt.date]:
    """The location's holidays and closures from `first` to `last` (both included): the days that are not
    business days there."""
    return set(LocationHoliday.objects.filter(location_id=location_id, day__gte=first, day__lte=last)
               .values_list("day", flat=True))

@dataclass
class Placed:
    """Something drawn on the grid: `row` and `span` count 5-minute rows from the top (CSS classes)."""

    row: int
    span: int
    start: dt.datetime
    end: dt.datetime
    appointment: Appointment | None = None
    reserved: str = ""
    practitioner_id: int | None = None

    @property
    def iso(self) -> str:
        return self.start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Column:
    key: str
    title: str
    practitioner: Practitioner | None = None
    room: Room | None = None
    day: dt.date | None = None
    appointments: list[Placed] = field(default_factory=list)
    blocks: list[Placed] = field(default_factory=list)
    free: list[Placed] = field(default_factory=list)
    note: str = ""


@dataclass
class Calendar:
    location: Location
    day: dt.date
    view: str  # "providers", "rooms" or "week"
    columns: list[Column]
    rows: int
    hours: list[tuple[int, str]]  # (row, "08:00")
    grid_start: dt.time
    cancelled: list[Appointment] = field(default_factory=list)
    holiday: str = ""
    practitioner: Practitioner | None = None
    alerts: dict[int, list[Any]] = field(default_factory=dict)  # patient id -> active patient alerts (#15)


def _rows_for(moment: dt.datetime, day: dt.date, tz: dt.tzinfo, top: dt.time) -> int:
    local = moment.astimezone(tz)
    if local.date() < day:
        return 1
    minutes = 24 * 60 if local.date() > day else local.hour * 60 + local.minute
    return max(1, (minutes - (top.hour * 60 + top.minute)) // 5 + 1)


def _place(start: dt.datetime, end: dt.datetime, day: dt.date, tz: dt.tzinfo, top: dt.time, rows: int, **extra: Any
           ) -> Placed:
    row = min(_rows_for(start, day, tz, top), rows)
    last = min(max(_rows_for(end, day, tz, top), row + 1), rows + 1)
    return Placed(row=row, span=max(1, last - row), start=start, end=end, **extra)


def _grid_bounds(starts: list[dt.time], ends: list[dt.time]) -> tuple[dt.time, int]:
    first = min([dt.time(7), *starts])
    last_minutes = max([19 * 60, *((t.hour * 60 + t.minute) or 24 * 60 for t in ends)])
    top = dt.time(first.hour)
    rows = -(-(last_minutes - top.hour * 60) // 5)
    return top, min(rows, 24 * 12)


def _free_slots(open_spans: list[intervals.Span], busy: list[intervals.Span], now: dt.datetime) -> list[intervals.Span]:
    slots: list[intervals.Span] = []
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for start, end in intervals.subtract(open_spans, busy):
        cursor = epoch + -(-(max(start, now) - epoch) // FREE_SLOT) * FREE_SLOT
        if cursor > start and start >= now:
            slots.append((start, min(cursor, end)))  # a leading sliver up to the quarter hour
        while cursor + FREE_SLOT <= end:
            slots.append((cursor, cursor + FREE_SLOT))
            cursor += FREE_SLOT
    return [s for s in slots if s[1] - s[0] >= dt.timedelta(minutes=5)]


def _audit_shown(actor: Actor, appointments: Sequence[Appointment], **detail: Any) -> None:
    if appointments:
        record(actor, "appointment.list", resource_type="appointment",
               detail={**detail, "patients": sorted({a.patient_id for a in appointments})})


@atomic_service
def calendar_day(*, actor: Actor, location: Location, day: dt.date, view: str = "providers") -> Calendar:
    """One column per provider (or per room) for a day at a location, with free slots to click."""
    require(actor, Perm.SCHEDULE_READ, location=location)
    tz = location.tz
    start, end = day_span_utc(day, tz)
    practitioners = list(Practitioner.objects.filter(locations=location, active=True).order_by("last_name",
                                                                                                 "first_name", "pk"))
    appointments = list(
        Appointment.objects.filter(location=location, start__gte=start, start__lt=end)
        .select_related("patient", "practitioner", "room", "appointment_type").only(*CALENDAR_FIELDS)
        .order_by("start", "pk"))
    shown = [a for a in appointments if a.status not in HIDDEN_STATUSES]
    cancelled = [a for a in appointments if a.status in HIDDEN_STATUSES]
    window = Window.load(location=location, first_day=day, last_day=day,
                         practitioner_ids=[p.pk for p in practitioners])
    blocks = {p.pk: window.blocks(p.pk, day) for p in practitioners}
    local_starts = [a.start.astimezone(tz).time() for a in shown if a.start.astimezone(tz).date() == day]
    local_starts += [b.start.astimezone(tz).time() for bs in blocks.values() for b in bs]
    local_ends = [a.end.astimezone(tz).time() for a in shown] + [b.end.astimezone(tz).time()
                                                                 for bs in blocks.values() for b in bs]
    top, rows = _grid_bounds(local_starts, local_ends)
    now = clock.now()
    type_names = dict(AppointmentType.objects.values_list("pk", "name")) if any(
        b.reserved for bs in blocks.values() for b in bs) else {}
    columns: list[Column] = []
    if view == "rooms":
        rooms = list(Room.objects.filter(location=location, active=True).order_by("name", "pk"))
        by_room: dict[int | None, list[Appointment]] = {}
        for a in shown:
            by_room.setdefault(a.room_id, []).append(a)
        for room in rooms:
            column = Column(key=f"r-{room.pk}", title=room.name, room=room, note=room.get_kind_display())
            column.appointments = [_place(a.start, a.end, day, tz, top, rows, appointment=a)
                                   for a in by_room.get(room.pk, [])]
            columns.append(column)
        unroomed = by_room.get(None, [])
        if unroomed:
            column = Column(key="r-none", title="—", note="No room")
            column.appointments = [_place(a.start, a.end, day, tz, top, rows, appointment=a) for a in unroomed]
            columns.append(column)
    else:
        by_practitioner: dict[int, list[Appointment]] = {}
        for a in shown:
            by_practitioner.setdefault(a.practitioner_id, []).append(a)
        for practitioner in practitioners:
            column = Column(key=f"p-{practitioner.pk}", title=str(practitioner), practitioner=practitioner,
                            note=practitioner.specialty)
            column.appointments = [_place(a.start, a.end, day, tz, top, rows, appointment=a)
                                   for a in by_practitioner.get(practitioner.pk, [])]
            column.blocks = [_place(b.start, b.end, day, tz, top, rows,
                                    reserved=", ".join(type_names.get(t, "") for t in sorted(b.reserved)))
                             for b in blocks[practitioner.pk]]
            open_spans = intervals.normalize((b.start, b.end) for b in blocks[practitioner.pk])
            busy = window.busy_for(ResourceKind.PRACTITIONER, practitioner.pk)
            column.free = [_place(s, e, day, tz, top, rows, practitioner_id=practitioner.pk)
                           for s, e in _free_slots(open_spans, busy, now)]
            columns.append(column)
    hours = [((h * 60 - top.hour * 60) // 5 + 1, f"{h:02d}:00") for h in range(top.hour, 24)
             if (h * 60 - top.hour * 60) // 5 < rows]
    _audit_shown(actor, appointments, location=location.pk, day=day.isoformat(), view=view)
    return Calendar(location=location, day=day, view=view, columns=columns, rows=rows, hours=hours, grid_start=top,
                    cancelled=cancelled, holiday=window.holidays.get(day, ""),
                    alerts=alerts_for_patients(actor, (a.patient_id for a in shown)))


@atomic_service
def calendar_week(*, actor: Actor, location: Location, practitioner_id: int, week_start: dt.date) -> Calendar:
    """One provider's week at a location: a column per day."""
    require(actor, Perm.SCHEDULE_READ, location=location)
    practitioner = Practitioner.objects.filter(pk=practitioner_id, locations=location).first()
    if practitioner is None:
        raise NotFound()
    tz = location.tz
    days = [week_start + dt.timedelta(days=i) for i in range(7)]
    start, _ = day_span_utc(days[0], tz)
    _, end = day_span_utc(days[-1], tz)
    appointments = list(
        Appointment.objects.filter(location=location, practitioner=practitioner, start__gte=start, start__lt=end)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("patient", "practitioner", "room", "appointment_type").only(*CALENDAR_FIELDS)
        .order_by("start", "pk"))
    window = Window.load(location=location, first_day=days[0], last_day=days[-1], practitioner_ids=[practitioner.pk])
    blocks = {d: window.blocks(practitioner.pk, d) for d in days}
    starts = [a.start.astimezone(tz).time() for a in appointments] + [
        b.start.astimezone(tz).time() for bs in blocks.values() for b in bs]
    ends = [a.end.astimezone(tz).time() for a in appointments] + [
        b.end.astimezone(tz).time() for bs in blocks.values() for b in bs]
    top, rows = _grid_bounds(starts, ends)
    now = clock.now()
    busy = window.busy_for(ResourceKind.PRACTITIONER, practitioner.pk)
    columns = []
    for current in days:
        column = Column(key=f"d-{current.isoformat()}", title=date_format(current, gettext("D m/d")),
                        practitioner=practitioner, day=current, note=window.holidays.get(current, ""))
        column.appointments = [_place(a.start, a.end, current, tz, top, rows, appointment=a) for a in appointments
                               if a.start.astimezone(tz).date() == current]
        column.blocks = [_place(b.start, b.end, current, tz, top, rows) for b in blocks[current]]
        open_spans = intervals.normalize((b.start, b.end) for b in blocks[current])
        column.free = [_place(s, e, current, tz, top, rows, practitioner_id=practitioner.pk)
                       for s, e in _free_slots(open_spans, busy, now)]
        columns.append(column)
    hours = [((h * 60 - top.hour * 60) // 5 + 1, f"{h:02d}:00") for h in range(top.hour, 24)
             if (h * 60 - top.hour * 60) // 5 < rows]
    _audit_shown(actor, appointments, location=location.pk, week=week_start.isoformat(), practitioner=practitioner.pk)
    return Calendar(location=location, day=week_start, view="week", columns=columns, rows=rows, hours=hours,
                    grid_start=top, practitioner=practitioner,
                    alerts=alerts_for_patients(actor, (a.patient_id for a in appointments)))


@atomic_service
def appointment_detail(*, actor: Actor, appointment_id: int) -> Appointment:
    require(actor, Perm.SCHEDULE_READ, resource_type="appointment", resource_id=appointment_id)
    appointment = (Appointment.objects.select_related("patient", "practitioner", "location", "room",
                                                      "appointment_type")
                   .prefetch_related("equipment", "history").filter(pk=appointment_id).first())
    if appointment is None:
        raise NotFound()
    require(actor, Perm.SCHEDULE_READ, location=appointment.location_id, resource_type="appointment",
            resource_id=appointment_id, patient_id=appointment.patient_id, hide=True)
    record(actor, "appointment.read", appointment, patient=appointment.patient_id)
    return appointment


def booking_choices(*, actor: Actor, location: Location) -> dict[str, Any]:
    """Practitioners, types and rooms to offer in the booking dialog (no patient data)."""
    require(actor, Perm.SCHEDULE_WRITE, location=location)
    types = list(AppointmentType.objects.filter(active=True).prefetch_related(
        Prefetch("allowed_practitioners", queryset=Practitioner.objects.only("pk"))).order_by("name"))
    return {
        "practitioners": list(Practitioner.objects.filter(locations=location, active=True)
                              .order_by("last_name", "first_name")),
        "types": types,
        "rooms": list(Room.objects.filter(location=location, active=True).order_by("name")),
    }


@atomic_service
def slots_search(*, actor: Actor, query: SearchQuery) -> list[Option]:
    """First-available: ranked options with reasons (see search.py). Shows no patient data."""
    location = Location.objects.filter(pk=query.location_id, active=True).first()
    if location is None:
        raise ValidationFailed("unknown-location", gettext("No such location."))
    require(actor, Perm.SCHEDULE_READ, location=location)
    types = list(AppointmentType.objects.filter(active=True))  # a handful: the one asked for, and the shortest
    kind = next((t for t in types if t.pk == query.appointment_type_id), None)
    if kind is None:
        raise ValidationFailed("unknown-appointment-type", gettext("No such appointment type."))
    if query.first_day and query.last_day and query.last_day < query.first_day:
        raise ValidationFailed("end-before-start", gettext("The last day is before the first day."))
    practitioners = _bookable(location, kind)
    if query.practitioner_ids:
        practitioners = practitioners.filter(pk__in=query.practitioner_ids)
    shortest_minutes = min(t.duration_minutes for t in types)
    return find_options(query, location=location, practitioners=list(practitioners), kind=kind,
                        shortest=dt.timedelta(minutes=shortest_minutes))


def _bookable(location: Location, kind: AppointmentType) -> Any:
    """The active practitioners of the location who take the type (a type that lists nobody: anybody)."""
    allowed = AppointmentType.allowed_practitioners.through.objects.filter(appointmenttype_id=kind.pk)
    return (Practitioner.objects.filter(locations=location, active=True)
            .filter(Q(pk__in=allowed.values("practitioner_id")) | ~Exists(allowed))
            .order_by("last_name", "pk"))


def practitioners_free_at(*, actor: Actor, location: Location, appointment_type_id: int,
                          starts: Sequence[dt.datetime]) -> dict[dt.datetime, list[Option]]:
    """For each start, every practitioner who could take an appointment of the type then, as an option: they work
    then in a block that admits the type, nothing of theirs overlaps it with the type's buffers, and a room and
    the equipment it needs are free. One availability window for all the days, bookings read in one query: the
    exact-time question the first-available search answers one call at a time. Past starts get none."""
    require(actor, Perm.SCHEDULE_READ, location=location)
    kind = AppointmentType.objects.filter(pk=appointment_type_id, active=True).first()
    if kind is None:
        raise ValidationFailed("unknown-appointment-type", gettext("No such appointment type."))
    now, tz = clock.now(), location.tz
    wanted = sorted({start for start in starts if start >= now})
    answer: dict[dt.datetime, list[Option]] = {start: [] for start in starts}
    practitioners = list(_bookable(location, kind))
    if not wanted or not practitioners:
        return answer
    days = sorted({start.astimezone(tz).date() for start in wanted})
    window = Window.load(location=location, first_day=days[0], last_day=days[-1],
                         practitioner_ids=[p.pk for p in practitioners], room_kind=kind.room_kind or None,
                         equipment_kinds=kind.equipment_kinds or (), lazy_bookings=True, lazy_resources=True,
                         margins=(kind.buffer_before, kind.buffer_after))
    window.load_bookings(days, resources=True)
    window.ensure_resources(days)
    duration, before, after = kind.duration, kind.buffer_before, kind.buffer_after
    for start in wanted:
        end, day = start + duration, start.astimezone(tz).date()
        for practitioner in practitioners:
            if not any(open_start <= start and end <= open_end
                       for open_start, open_end in window.open_for(practitioner.pk, day, kind.pk)):
                continue
            if window.busy_between(ResourceKind.PRACTITIONER.value, practitioner.pk, start - before, end + after):
                continue
            room = window.free_room(start - before, end + after) if kind.room_kind else None
            if kind.room_kind and room is None:
                continue
            equipment: list[Any] = []
            for wanted_kind in kind.equipment_kinds or ():
                piece = window.free_equipment(wanted_kind, start - before, end + after)
                if piece is None or piece in equipment:
                    break
                equipment.append(piece)
            else:
                answer[start].append(Option(start=start, end=end, practitioner=practitioner, location=location,
                                            room=room, equipment=equipment, score=0.0))
    return answer


# --- waitlist ------------------------------------------------------------------------------------

@dataclass
class WaitlistMatch:
    entry: WaitlistEntry
    score: int
    reasons: list[str]


@atomic_service
def waitlist_matches(*, actor: Actor, location: Location, practitioner_id: int, appointment_type_id: int,
                     start: dt.datetime, end: dt.datetime, limit: int = 5) -> list[WaitlistMatch]:
    """The waitlisted patients who best fit a freed slot, best first, for the coordinator to offer."""
    require(actor, Perm.SCHEDULE_WRITE, location=location)
    tz = location.tz
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    kind = AppointmentType.objects.filter(pk=appointment_type_id).first()
    duration = kind.duration if kind else end - start
    entries = (WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
               .filter(Q(location=location) | Q(location__isnull=True))
               .select_related("patient", "appointment_type", "current_appointment")
               .prefetch_related("practitioners").order_by("-priority", "created_at", "pk")[:500])
    notice = (start - clock.now()).total_seconds() / 3600
    matches: list[WaitlistMatch] = []
    for entry in entries:
        if entry.appointment_type.duration > (end - start) or entry.notice_hours > notice:
            continue
        if entry.weekdays and local_start.weekday() not in entry.weekdays:
            continue
        if entry.earliest_time and local_start.time() < entry.earliest_time:
            continue
        if entry.latest_time and local_end.time() > entry.latest_time:
            continue
        wanted = [p.pk for p in entry.practitioners.all()]
        if wanted and practitioner_id not in wanted:
            continue
        score, reasons = 0, []
        if entry.appointment_type_id == appointment_type_id:
            score += 3
            reasons.append("Same appointment type.")
        elif entry.appointment_type.duration == duration:
            score += 1
            reasons.append("Same length.")
        if wanted:
            score += 2
            reasons.append("Asked for this provider.")
        if entry.current_appointment and entry.current_appointment.start > start:
            days = (entry.current_appointment.start - start).days
            score += min(days, 30) // 3
            reasons.append(f"Would come {days} day(s) earlier.")
        score += entry.priority
        waited = (clock.now() - entry.created_at).days
        reasons.append(f"Waiting {waited} day(s).")
        matches.append(WaitlistMatch(entry, score, reasons))
    matches.sort(key=lambda m: (-m.score, m.entry.created_at, m.entry.pk))
    chosen = matches[:limit]
    if chosen:
        record(actor, "waitlist.match", resource_type="waitlistentry",
               detail={"patients": sorted({m.entry.patient_id for m in chosen}), "slot": start.isoformat()})
    return chosen


@atomic_service
def waitlist_for(*, actor: Actor, location: Location) -> list[WaitlistEntry]:
    require(actor, Perm.SCHEDULE_READ, location=location)
    entries = list(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
                   .filter(Q(location=location) | Q(location__isnull=True, patient__home_location=location))
                   .select_related("patient", "appointment_type").prefetch_related("practitioners")
                   .order_by("-priority", "created_at", "pk"))
    if entries:
        record(actor, "waitlist.list", resource_type="waitlistentry",
               detail={"patients": sorted({e.patient_id for e in entries})})
    return entries


# --- calendar feeds ------------------------------------------------------------------------------

@dataclass
class Feed:
    practitioner: Practitioner
    include_patient_names: bool
    appointments: list[Appointment]


@atomic_service
def calendar_feed(*, token: str, past_days: int = 30, future_days: int = 180) -> Feed:
    """What a private feed URL shows. The token is the credential; a revoked or unknown one is NotFound."""
    feed = CalendarFeed.objects.select_related("practitioner").filter(
        token_hash=feed_token_hash(token), revoked_at__isnull=True).first()
    if feed is None:
        raise NotFound()
    now = clock.now()
    appointments = list(
        Appointment.objects.filter(practitioner=feed.practitioner, status__in=ACTIVE_STATUSES,
                                   start__gte=now - dt.timedelta(days=past_days),
                                   start__lt=now + dt.timedelta(days=future_days))
        .select_related("patient", "location", "room", "appointment_type").order_by("start"))
    detail: dict[str, Any] = {"practitioner": feed.practitioner_id, "events": len(appointments)}
    if feed.include_patient_names:
        detail["patients"] = sorted({a.patient_id for a in appointments})
    record(None, "calendar.feed.read", feed, detail=detail)
    return Feed(feed.practitioner, feed.include_patient_names, appointments)


def local_datetime(day: dt.date, time: dt.time, location: Location) -> dt.datetime:
    return local_to_utc(day, time, location.tz)


def can_overbook(actor: Actor, location: Location) -> bool:
    return has_perm(actor, Perm.SCHEDULE_OVERBOOK, location=location)


def patient_seen_at(patient_id: int, location_id: int) -> bool:
    """The patient has an appointment at the location (registered with patients.visibility: such a chart is in
    reach there, for a follow-up or the visit's co-pay)."""
    return Appointment.objects.filter(patient_id=patient_id, location_id=location_id).exists()


# --- the appointment history, for the no-show model (insight) ---------------------------------------------------

HISTORY_FIELDS = ("id", "patient_id", "location_id", "location__time_zone", "created_at", "start", "status",
                  "confirmed_at", "telehealth", "patient__birth_date", "patient__sex", "patient__postal_code")


@atomic_service
def appointment_history(*, actor: Actor | None, appointment_ids: Sequence[int] | None = None
                        ) -> list[dict[str, Any]]:
    """Every appointment that was booked (all of them, or those of the patients of `appointment_ids`) as plain
    values, oldest first: when it was booked (created_at) and for when, its status, when the patient confirmed,
    its location and time zone, and the patient's birth date, sex and ZIP code. For reports and the no-show model
    (reports.read; the operator on the server passes `actor=None`); audited as one entry naming how many rows and
    patients."""
    if actor is not None:
        require(actor, Perm.REPORTS_READ)
    rows = list(_history_of(appointment_ids).order_by("start", "pk").values(*HISTORY_FIELDS))
    if rows:
        record(actor, "appointment.history", resource_type="appointment",
               detail={"rows": len(rows), "patients": len({row["patient_id"] for row in rows})})
    return rows


def _history_of(appointment_ids: Sequence[int] | None = None, *, patient_ids: Sequence[int] | None = None) -> Any:
    """The rows `appointment_history` reads: every booked appointment, or those of the patients of the ids. The
    patients are named as values, not as a subquery: PostgreSQL then reads their rows through the patient index
    (a subquery made it scan every appointment of the practice: 18 ms against 1 at 58,000 appointments)."""
    queryset = Appointment.objects.exclude(
        status__in=(AppointmentStatus.ENTERED_IN_ERROR, AppointmentStatus.WAITLIST, AppointmentStatus.PROPOSED))
    if appointment_ids is None and patient_ids is None:
        return queryset
    patients = set(patient_ids) if patient_ids is not None else set(Appointment.objects.filter(
        pk__in=sorted(set(appointment_ids or ()))).values_list("patient_id", flat=True))
    return queryset.filter(patient_id__in=sorted(patients))


@dataclass(frozen=True)
class HistoryStamp:
    """An appointment's location and status, and a digest of everything `appointment_history` would return for
    its patient: it changes whenever one of those rows is added, changed (`updated_at`), removed or re-filed, or
    the patient's birth date, sex, ZIP code or chart changes."""
    location_id: int
    status: str
    digest: str


def appointment_history_stamps(*, appointment_ids: Sequence[int]) -> dict[int, HistoryStamp]:
    """{appointment id: HistoryStamp} of the ids that exist: two aggregate queries instead of the history itself,
    so that a reader of the history (the no-show risk on the calendar) can tell whether what it computed from it
    before still holds. No patient data leaves (ids, a status, a digest): not audited; the history is, when read."""
    wanted = list(Appointment.objects.filter(pk__in=sorted(set(appointment_ids))).values(
        "pk", "patient_id", "location_id", "status", "location__time_zone", "patient__birth_date", "patient__sex",
        "patient__postal_code", "patient__updated_at"))
    by_status = {f"status_{n}": Count("pk", filter=Q(status=status))
                 for n, status in enumerate(AppointmentStatus.values)}
    per_patient = {group.pop("patient_id"): tuple(group.values()) for group in _history_of(
        patient_ids=[row["patient_id"] for row in wanted]).order_by("patient_id").values("patient_id").annotate(
        last_id=Max("pk"), changed=Max("updated_at"), confirmed=Count("confirmed_at"), first_start=Min("start"),
        last_start=Max("start"), **by_status)}  # the counts by status: a move shows even under a frozen clock
    stamps = {}
    for row in wanted:
        facts = (per_patient.get(row["patient_id"]), row["location__time_zone"], row["patient__birth_date"],
                 row["patient__sex"], row["patient__postal_code"], row["patient__updated_at"])
        stamps[row["pk"]] = HistoryStamp(row["location_id"], row["status"],
                                         hashlib.sha256(repr(facts).encode()).hexdigest()[:32])
    return stamps


def appointment_ids_on_day(*, actor: Actor, location: Location, day: dt.date) -> list[int]:
    """The ids (no patient data) of the appointments still to happen or under way at a location on a day, in its
    time zone (reports.read there; another location's looks missing)."""
    require(actor, Perm.REPORTS_READ)
    require(actor, Perm.REPORTS_READ, location=location, hide=True)
    start, end = day_span_utc(day, location.tz)
    return list(Appointment.objects.filter(location=location, start__gte=start, start__lt=end,
                                           status__in=ACTIVE_STATUSES).order_by("start", "pk")
                .values_list("pk", flat=True))


def template_capacity(*, location: Location, first_day: dt.date, last_day: dt.date
                      ) -> dict[dt.date, list[tuple[float, frozenset[int]]]]:
    """Per local day, the minutes of each block the providers' availability templates open at the location (less
    its holidays and the providers' exceptions), with the type ids a block is reserved for (empty: any type).
    No patient data and no bookings: the capacity insight's demand forecast is compared with (#22)."""
    from .models import AvailabilityTemplate

    ids = sorted(set(AvailabilityTemplate.objects.filter(location=location, effective_from__lte=last_day)
                     .values_list("practitioner_id", flat=True)))
    window = Window.load(location=location, first_day=first_day, last_day=last_day, practitioner_ids=ids,
                         lazy_resources=True, lazy_bookings=True)
    return {day: [((block.end - block.start).total_seconds() / 60, block.reserved)
                  for practitioner_id in ids for block in window.blocks(practitioner_id, day)]
            for day in window.days()}
