"""A ready-made staffing setup for a location: the demo practice (and the tests) call `staffing_demo`.

It makes an early and a late shift at the location (or reuses them), the four usual skills, a contract for each
staff user given, weekday and weekend cover needs, and a solved and published roster for the 4-week period
starting `period_start` (a Monday). Everything goes through the services, so it is audited like a coordinator's
own setup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clinicdesk.core.permissions import Actor

from . import services
from .models import Roster, ShiftType, Skill, StaffMember

# (code, name, start, end, paid minutes)
SHIFTS = (("E", "Early", dt.time(7), dt.time(15), 450), ("L", "Late", dt.time(12), dt.time(20), 450))
SKILLS = ("Front desk", "Phlebotomy", "X-ray", "Spanish speaker")


@dataclass
class DemoStaffing:
    shifts: dict[str, ShiftType]
    skills: dict[str, Skill]
    members: list[StaffMember]
    roster: Roster | None


def staffing_demo(*, actor: Actor, location_id: int, users: Sequence[Any], period_start: dt.date,
                  seconds: float = 5.0, publish: bool = True, workers: int | None = None) -> DemoStaffing:
    """Shift types, skills, contracts for `users` (staff accounts working at the location), cover needs and,
    with `publish`, a published roster for the period. `actor` is a practice coordinator of the location."""
    shifts = {s.code: s for s in ShiftType.objects.filter(location_id=location_id)}
    for code, name, start, end, paid in SHIFTS:
        if code not in shifts:
            shifts[code] = services.shift_type_create(actor=actor, location_id=location_id, code=code,
                                                      name=name, start=start, end=end, paid_minutes=paid)
    skills = {s.name: s for s in Skill.objects.all()}
    for name in SKILLS:
        if name not in skills:
            skills[name] = services.skill_create(actor=actor, name=name)
    members = []
    for index, user in enumerate(users):
        member = StaffMember.objects.filter(user=user).first()
        if member is None:
            held = [skills["Front desk"].pk] if index % 2 == 0 else [skills["Phlebotomy"].pk]
            if index % 3 == 0:
                held.append(skills["Spanish speaker"].pk)
            if index == 1:
                held.append(skills["X-ray"].pk)
            member = services.staff_member_create(
                actor=actor, user_id=user.pk, location_id=location_id, skill_ids=held,
                min_hours_week=15 if index % 4 == 3 else 22, max_hours_week=24 if index % 4 == 3 else 38,
                unavailable_weekdays=[2] if index % 5 == 4 else [], max_consecutive_shifts=5,
                min_rest_minutes=720, max_weekends=2)
        members.append(member)
    _cover_needs(actor=actor, location_id=location_id, shifts=shifts, skills=skills, staff=len(members))
    roster = None
    if publish:
        roster = services.roster_solve(actor=actor, location_id=location_id, period_start=period_start,
                                       seconds=seconds, workers=workers)
        roster = services.roster_publish(actor=actor, roster_id=roster.pk)
    return DemoStaffing(shifts=shifts, skills=skills, members=members, roster=roster)


def _cover_needs(*, actor: Actor, location_id: int, shifts: dict[str, ShiftType], skills: dict[str, Skill],
                   staff: int) -> None:
    """Weekday cover: two early (one more when the team is big enough), among them a front desk person and a
    phlebotomist, and one front desk person late; Saturday: one early. (Made once: a location with needs keeps
    its own.)"""
    from .models import CoverNeed

    if CoverNeed.objects.filter(location_id=location_id).exists():
        return
    extra = 1 if staff >= 6 else 0
    for weekday in range(5):
        services.cover_need_create(actor=actor, location_id=location_id, weekday=weekday,
                                   shift_type_id=shifts["E"].pk, count=2 + extra)
        services.cover_need_create(actor=actor, location_id=location_id, weekday=weekday,
                                   shift_type_id=shifts["E"].pk, skill_id=skills["Front desk"].pk, count=1)
        services.cover_need_create(actor=actor, location_id=location_id, weekday=weekday,
                                   shift_type_id=shifts["E"].pk, skill_id=skills["Phlebotomy"].pk, count=1)
        services.cover_need_create(actor=actor, location_id=location_id, weekday=weekday,
                                   shift_type_id=shifts["L"].pk, skill_id=skills["Front desk"].pk, count=1)
    services.cover_need_create(actor=actor, location_id=location_id, weekday=5, shift_type_id=shifts["E"].pk,
                               count=1)


def staffing_extras_demo(*, actor: Actor, setup: DemoStaffing, today: dt.date, seconds: float = 2.0) -> None:
    """Trainings (some expiring within 60 days, one expired) for the team, CLIA competency required of
    phlebotomists, and a few swaps on the published roster: one offered to anyone, one taken awaiting approval,
    one approved. Refusals by the rules are skipped (the roster decides what is possible). Then leave (approved
    and requested), the previous 4-week roster (so that the practice has a month of rosters behind and ahead) and
    the time clock's punches of the past two weeks (attendance_demo)."""
    from clinicdesk.core.exceptions import DomainError

    from . import swap_services
    from .models import RosterAssignment, Training, TrainingRecord
    from .training_services import trainings_seed

    trainings_seed()

    clia = Training.objects.filter(code="CLIA").first()
    if clia is not None and not clia.skills.exists():
        clia.skills.add(setup.skills["Phlebotomy"])
    trainings = {t.code: t for t in Training.objects.filter(active=True)}
    # Days left on each person's HIPAA: a spread from expired to a year, so the matrix shows every colour.
    left = (-12, 5, 25, 50, 200, 320, 90, 15)
    for index, member in enumerate(setup.members):
        if TrainingRecord.objects.filter(user_id=member.user_id).exists():
            continue
        for code, training in trainings.items():
            days = left[index % len(left)] if code == "HIPAA" else 120 + 31 * index
            until = today + dt.timedelta(days=days)
            TrainingRecord.objects.create(
                user_id=member.user_id, training=training,
                completed_on=until - dt.timedelta(days=training.valid_months * 30), valid_until=until)
    if setup.roster is None:
        return
    coming = list(RosterAssignment.objects.filter(roster=setup.roster, date__gt=today + dt.timedelta(days=2))
                  .select_related("staff__user").order_by("date", "pk")[:12])
    made = 0
    for assignment in coming:
        if made >= 3:
            break
        try:
            swap = swap_services.swap_offer(actor=actor, assignment_id=assignment.pk, note="Family event")
        except DomainError:
            continue
        made += 1
        if made == 1:
            continue  # the first stays on offer to anyone
        for candidate in (m for m in setup.members if m.pk != assignment.staff_id):
            try:
                swap_services.swap_take(actor=candidate.user, swap_id=swap.pk)
            except DomainError:
                continue
            if made == 3:  # the third is approved; the second awaits the coordinator
                with contextlib.suppress(DomainError):
                    swap_services.swap_approve(actor=actor, swap_id=swap.pk)
            break
    _leave_demo(actor=actor, setup=setup, today=today)
    attendance_demo(actor=actor, setup=setup, today=today, seconds=seconds)


def _leave_demo(*, actor: Actor, setup: DemoStaffing, today: dt.date) -> None:
    """Approved leave in the previous roster period (solved after it, so the roster leaves the days off) and after
    the current one, and a request waiting for the coordinator next week. Made once per location."""
    from clinicdesk.core.exceptions import DomainError

    from . import leave_services
    from .models import LeaveRequest

    members = setup.members
    if len(members) < 3 or LeaveRequest.objects.filter(location_id=members[0].location_id).exists():
        return
    start = services.period_of(today)
    plans = ((members[1], start - dt.timedelta(days=11), 2, "vacation", True),
             (members[2], start + dt.timedelta(days=31), 5, "vacation", True),
             (members[0], today + dt.timedelta(days=8), 1, "personal", False))
    for member, first, days, kind, approve in plans:
        try:
            leave = leave_services.leave_request(actor=actor, user_id=member.user_id, kind=kind, first_day=first,
                                                 last_day=first + dt.timedelta(days=days - 1))
            if approve:
                leave_services.leave_approve(actor=actor, leave_id=leave.pk)
        except DomainError:
            continue


def attendance_demo(*, actor: Actor, setup: DemoStaffing, today: dt.date, seconds: float = 2.0) -> int:
    """The previous 4-week roster of the location (solved and published when missing) and the team's punches for
    the shifts of the past two weeks, through the time clock service at the punch's moment: most on time, every
    seventh about a quarter of an hour late, one left early and one shift missed. Returns the punches made."""
    from clinicdesk.core import clock
    from clinicdesk.core.timezones import local_to_utc

    from . import clock_services
    from .models import Punch, RosterAssignment, RosterStatus

    if not setup.members:
        return 0
    location_id = setup.members[0].location_id
    previous = services.period_of(today) - dt.timedelta(days=28)
    if not Roster.objects.filter(location_id=location_id, period_start=previous,
                                 status=RosterStatus.PUBLISHED).exists():
        draft = services.roster_solve(actor=actor, location_id=location_id, period_start=previous, seconds=seconds)
        services.roster_publish(actor=actor, roster_id=draft.pk)
    if Punch.objects.filter(location_id=location_id).exists():
        return 0
    past = list(RosterAssignment.objects.filter(
        roster__location_id=location_id, roster__status=RosterStatus.PUBLISHED,
        date__range=(today - dt.timedelta(days=14), today - dt.timedelta(days=1)))
        .select_related("shift_type", "staff__user", "staff__location").order_by("date", "shift_type__start", "pk"))
    made = 0
    for index, assignment in enumerate(past):
        if index == 5:
            continue  # the missed shift
        shift, member = assignment.shift_type, assignment.staff
        start = local_to_utc(assignment.date, shift.start, member.location.tz)
        end = start + dt.timedelta(minutes=shift.end_minute - shift.start_minute)
        late = 12 + index % 9 if index % 7 == 3 else -(index % 6)
        early = 45 if index == 8 else -(index % 11)
        with clock.frozen_at(start + dt.timedelta(minutes=late)):
            clock_services.clock_punch_self(actor=member.user, action=clock_services.IN)
        with clock.frozen_at(end - dt.timedelta(minutes=early)):
            clock_services.clock_punch_self(actor=member.user, action=clock_services.OUT)
        made += 1
    return made
