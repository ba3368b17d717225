"""Reads of time and attendance (#20 item 7): one's own clock (open punch, today's shift, recent punches), the
attendance board of a location and day (rostered vs clocked: late, left early, missed, open punches), and the
hours of a pay period per person (regular hours, overtime over 40 hours in a week, late and missed shifts).

Late: clocked in after the shift's start plus the grace minutes. Left early: clocked out before the shift's end
less the grace minutes. Missed: a shift of the published roster with no clock-in by its end. Punches are matched
to shifts by person and local day. Staff data, not patient data: one's own for everyone, the board and the
report for the practice coordinator (Perm.STAFFING_ADMIN at the location).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.core.timezones import day_span_utc, local_to_utc

from .clock_services import clock_settings
from .models import RosterAssignment, RosterStatus, StaffMember
from .models_clock import ClockSettings, Punch

WEEK_OVERTIME_MINUTES = 40 * 60
HUNDREDTH = Decimal("0.01")


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(HUNDREDTH)


@dataclass
class Attendance:
    """A person's day at a location: their shift (if rostered) and their punches, judged."""

    member: StaffMember
    day: dt.date
    assignment: RosterAssignment | None
    punches: list[Punch] = field(default_factory=list)
    shift_start: dt.datetime | None = None
    shift_end: dt.datetime | None = None
    late_minutes: int = 0
    early_minutes: int = 0
    missed: bool = False
    upcoming: bool = False  # the shift has not started (or has, and may still be clocked into)

    @property
    def late(self) -> bool:
        return self.late_minutes > 0

    @property
    def left_early(self) -> bool:
        return self.early_minutes > 0

    @property
    def open(self) -> bool:
        return any(p.clock_out is None for p in self.punches)

    @property
    def minutes(self) -> int:
        return sum(p.minutes for p in self.punches)

    @property
    def first_in(self) -> dt.datetime | None:
        return self.punches[0].clock_in if self.punches else None

    @property
    def last_out(self) -> dt.datetime | None:
        return self.punches[-1].clock_out if self.punches else None

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(label, tone) for the board."""
        found: list[tuple[str, str]] = []
        if self.missed:
            found.append((_("Missed"), "danger"))
        if self.late:
            found.append((_("Late by %(n)s min") % {"n": self.late_minutes}, "warning"))
        if self.left_early:
            found.append((_("Left %(n)s min early") % {"n": self.early_minutes}, "warning"))
        if self.open:
            found.append((_("Clocked in"), "info"))
        if self.assignment is None and self.punches:
            found.append((_("Not rostered"), "neutral"))
        if any(p.corrected for p in self.punches):
            found.append((_("Corrected"), "neutral"))
        if not found:
            if self.upcoming and not self.punches:
                found.append((_("Not in yet"), "neutral"))
            else:
                found.append((_("On time"), "success"))
        return found


def _judge(row: Attendance, grace: int, now: dt.datetime) -> None:
    assignment = row.assignment
    if assignment is None:
        return
    shift = assignment.shift_type
    tz = row.member.location.tz
    row.shift_start = local_to_utc(row.day, shift.start, tz)
    row.shift_end = row.shift_start + dt.timedelta(minutes=shift.end_minute - shift.start_minute)
    if not row.punches:
        row.missed = now >= row.shift_end
        row.upcoming = not row.missed
        return
    late = (row.punches[0].clock_in - row.shift_start).total_seconds() / 60
    if late > grace:
        row.late_minutes = int(late)
    out = row.punches[-1].clock_out
    if out is not None:
        early = (row.shift_end - out).total_seconds() / 60
        if early > grace:
            row.early_minutes = int(early)


def attendance(*, location_id: int, first: dt.date, last: dt.date, tz: ZoneInfo, grace: int,
               now: dt.datetime, staff_id: int | None = None) -> list[Attendance]:
    """Every (person, day) from `first` to `last` at the location with a published shift or a punch. No
    permission check (the callers below make it)."""
    assignments = (RosterAssignment.objects.filter(roster__location_id=location_id,
                                                   roster__status=RosterStatus.PUBLISHED, date__range=(first, last))
                   .select_related("shift_type", "staff__user", "staff__location"))
    start, _end = day_span_utc(first, tz)
    _start, end = day_span_utc(last, tz)
    punches = (Punch.objects.filter(location_id=location_id, clock_in__gte=start, clock_in__lt=end)
               .select_related("staff__user", "staff__location").order_by("clock_in", "pk"))
    if staff_id is not None:
        assignments = assignments.filter(staff_id=staff_id)
        punches = punches.filter(staff_id=staff_id)
    rows: dict[tuple[int, dt.date], Attendance] = {}
    for a in assignments:
        rows[a.staff_id, a.date] = Attendance(member=a.staff, day=a.date, assignment=a)
    for p in punches:
        day = p.clock_in.astimezone(tz).date()
        row = rows.get((p.staff_id, day))
        if row is None:
            row = rows[p.staff_id, day] = Attendance(member=p.staff, day=day, assignment=None)
        row.punches.append(p)
    for row in rows.values():
        _judge(row, grace, now)
    return sorted(rows.values(), key=lambda r: (r.day, r.shift_start or r.first_in or now,
                                                r.member.display_name.lower()))


# --- one's own clock -----------------------------------------------------------------------------------------------

@dataclass
class MyClock:
    member: StaffMember | None
    open_punch: Punch | None
    today: Attendance | None
    recent: list[Punch]
    has_pin: bool


def my_clock(*, actor: Actor) -> MyClock:
    """The actor's contract, open punch, today's shift and last punches."""
    from .models_clock import ClockPin

    require(actor, Perm.STAFFING_READ, resource_type="punch")
    user_id = getattr(actor, "pk", 0) or 0
    member = StaffMember.objects.select_related("location", "user").filter(user_id=user_id, active=True).first()
    if member is None:
        return MyClock(None, None, None, [], False)
    settings = clock_settings()
    now = clock.now()
    today = now.astimezone(member.location.tz).date()
    rows = attendance(location_id=member.location_id, first=today, last=today, tz=member.location.tz,
                      grace=settings.grace_minutes, now=now, staff_id=member.pk)
    return MyClock(member=member, open_punch=Punch.objects.filter(staff=member, clock_out__isnull=True).first(),
                   today=rows[0] if rows else None,
                   recent=list(Punch.objects.filter(staff=member).select_related("assignment__shift_type")[:10]),
                   has_pin=ClockPin.objects.filter(user_id=user_id).exists())


def clock_staff_choices(*, actor: Actor, location_id: int) -> list[tuple[int, str]]:
    """(staff ID, name) of the location's active contracts, for the coordinator setting someone's PIN."""
    require(actor, Perm.STAFFING_ADMIN, location=location_id)
    members = StaffMember.objects.filter(location_id=location_id, active=True).select_related("user")
    return sorted(((m.pk, m.display_name) for m in members), key=lambda pair: pair[1].lower())


# --- the coordinator's board and report ----------------------------------------------------------------------------

def attendance_board(*, actor: Actor, location_id: int, day: dt.date, tz: ZoneInfo) -> list[Attendance]:
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="punch")
    return attendance(location_id=location_id, first=day, last=day, tz=tz,
                      grace=clock_settings().grace_minutes, now=clock.now())


def punch_detail(*, actor: Actor, punch_id: int) -> Punch:
    found = Punch.objects.select_related("staff__user", "staff__location", "assignment__shift_type").filter(
        pk=punch_id).first()
    if found is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=found.location_id, resource_type="punch", resource_id=punch_id,
            hide=True)
    return found


def period_of(day: dt.date, settings: ClockSettings | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day of the pay period holding `day`."""
    settings = settings or clock_settings()
    length = settings.period_days
    start = settings.anchor + dt.timedelta(days=((day - settings.anchor).days // length) * length)
    return start, start + dt.timedelta(days=length - 1)


@dataclass
class PayLine:
    member: StaffMember
    minutes: int = 0
    overtime_minutes: int = 0
    late_shifts: int = 0
    missed_shifts: int = 0
    early_shifts: int = 0
    open_punches: int = 0

    @property
    def regular_hours(self) -> Decimal:
        return hours(self.minutes - self.overtime_minutes)

    @property
    def overtime_hours(self) -> Decimal:
        return hours(self.overtime_minutes)

    @property
    def total_hours(self) -> Decimal:
        return hours(self.minutes)


@dataclass
class PayReport:
    start: dt.date
    end: dt.date
    lines: list[PayLine]


def pay_period_report(*, actor: Actor, location_id: int, tz: ZoneInfo, day: dt.date) -> PayReport:
    """The pay period holding `day` at a location: per person, the hours clocked (closed punches, counted on the
    day they were clocked in), overtime (beyond 40 hours in each week from the period's start), regular hours
    (the rest), and the shifts late, left early and missed."""
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="punch")
    settings = clock_settings()
    start, end = period_of(day, settings)
    rows = attendance(location_id=location_id, first=start, last=end, tz=tz, grace=settings.grace_minutes,
                      now=clock.now())
    lines: dict[int, PayLine] = {}
    weekly: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        line = lines.setdefault(row.member.pk, PayLine(row.member))
        line.minutes += row.minutes
        weekly[row.member.pk, (row.day - start).days // 7] += row.minutes
        line.late_shifts += row.late
        line.early_shifts += row.left_early
        line.missed_shifts += row.missed
        line.open_punches += sum(1 for p in row.punches if p.clock_out is None)
    for (member_id, _week), minutes in weekly.items():
        lines[member_id].overtime_minutes += max(0, minutes - WEEK_OVERTIME_MINUTES)
    ordered = sorted(lines.values(), key=lambda line: line.member.display_name.lower())
    return PayReport(start=start, end=end, lines=ordered)


CSV_HEADER = ("staff", "period_start", "period_end", "regular_hours", "overtime_hours", "late_shifts",
              "missed_shifts")


def pay_period_rows(report: PayReport) -> list[list[str]]:
    """The report as CSV rows under CSV_HEADER (names, ISO dates, hours with two decimals)."""
    return [[line.member.display_name, report.start.isoformat(), report.end.isoformat(), str(line.regular_hours),
             str(line.overtime_hours), str(line.late_shifts), str(line.missed_shifts)] for line in report.lines]
