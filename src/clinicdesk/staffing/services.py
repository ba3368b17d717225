"""Staff rosters: the configuration (shift types, skills, contracts, cover needs, requests), the engine instance
built from it for a location and a 4-week period, the solve into a draft roster, and publishing.

Every service takes `actor` first, checks Perm.STAFFING_ADMIN (at the location where there is one), writes inside
a transaction and audits what it changed (staff data, not PHI). The solve itself runs outside any transaction
(it takes seconds); its roster is then written in one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicdesk.audit.services import record
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require

from . import engine
from .models import (
    PERIOD_DAYS,
    CoverNeed,
    RequestKind,
    Roster,
    RosterAssignment,
    RosterStatus,
    ShiftRequest,
    ShiftType,
    Skill,
    StaffMember,
)

DEFAULT_SECONDS = 10.0
MAX_SECONDS = 120.0
CHANGE_WEIGHT = 5  # the cost of each (person, day) a re-solve changes from the published roster


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(code, message, fields={field: [message]})


def _require_location(location_id: int) -> None:
    """A practice-wide coordinator passes the permission check for any id: the location must also exist."""
    from clinicdesk.practice.models import Location

    if not Location.objects.filter(pk=location_id).exists():
        raise NotFound()


def _changed(obj: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    changes = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            changes[name] = str(value)
            setattr(obj, name, value)
    return changes


# --- shift types ------------------------------------------------------------------------------------------------

SHIFT_FIELDS = ("code", "name", "start", "end", "crosses_midnight", "paid_minutes", "active")


def _check_shift(shift: ShiftType) -> None:
    code = (shift.code or "").strip()
    if not code or len(code) > 8:
        raise _invalid("code", _("Give the shift a short code of up to 8 characters (it is shown in the grid)."))
    shift.code = code
    if not (shift.name or "").strip():
        raise _invalid("name", _("Give the shift a name."))
    if shift.start == shift.end:
        raise _invalid("end", _("A shift cannot start and end at the same time."))
    if (shift.end < shift.start) != bool(shift.crosses_midnight):
        raise _invalid("crosses_midnight", _("A shift that ends before it starts ends the next day; tick "
                                             "\"ends the next day\" only for such a shift."))
    length = shift.end_minute - shift.start_minute
    if not 0 < shift.paid_minutes <= length:
        raise _invalid("paid_minutes", _("Paid minutes must be more than 0 and at most the shift's length "
                                         "(%(length)s minutes).") % {"length": length})
    duplicate = ShiftType.objects.filter(location_id=shift.location_id, code=shift.code).exclude(pk=shift.pk)
    if duplicate.exists():
        raise _invalid("code", _("This location already has a shift with the code %(code)s.") % {"code": shift.code},
                       code="duplicate")


@transaction.atomic
def shift_type_create(*, actor: Actor, location_id: int, code: str, name: str, start: dt.time, end: dt.time,
                      paid_minutes: int, crosses_midnight: bool = False, active: bool = True) -> ShiftType:
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="shifttype")
    _require_location(location_id)
    shift = ShiftType(location_id=location_id, code=code, name=name.strip(), start=start, end=end,
                      crosses_midnight=crosses_midnight, paid_minutes=paid_minutes, active=active)
    _check_shift(shift)
    shift.save()
    record(actor, "staffing.shift_type.create", shift, detail={"code": shift.code})
    return shift


@transaction.atomic
def shift_type_update(*, actor: Actor, shift_type_id: int, **values: Any) -> ShiftType:
    shift = ShiftType.objects.select_for_update().filter(pk=shift_type_id).first()
    if shift is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=shift.location_id, resource_type="shifttype",
            resource_id=shift_type_id, hide=True)
    changes = _changed(shift, {k: v for k, v in values.items() if k in SHIFT_FIELDS})
    if changes:
        _check_shift(shift)
        shift.save()
        record(actor, "staffing.shift_type.update", shift, detail={"changed": changes})
    return shift


def shift_type_deactivate(*, actor: Actor, shift_type_id: int) -> ShiftType:
    return shift_type_update(actor=actor, shift_type_id=shift_type_id, active=False)


# --- skills -----------------------------------------------------------------------------------------------------

@transaction.atomic
def skill_create(*, actor: Actor, name: str, active: bool = True) -> Skill:
    require(actor, Perm.STAFFING_ADMIN, resource_type="skill")
    name = name.strip()
    if not name:
        raise _invalid("name", _("Give the skill a name."))
    if Skill.objects.filter(name__iexact=name).exists():
        raise _invalid("name", _("There is already a skill with this name."), code="duplicate")
    skill = Skill.objects.create(name=name, active=active)
    record(actor, "staffing.skill.create", skill, detail={"name": name})
    return skill


@transaction.atomic
def skill_update(*, actor: Actor, skill_id: int, name: str | None = None, active: bool | None = None) -> Skill:
    require(actor, Perm.STAFFING_ADMIN, resource_type="skill", resource_id=skill_id)
    skill = Skill.objects.select_for_update().filter(pk=skill_id).first()
    if skill is None:
        raise NotFound()
    values: dict[str, Any] = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise _invalid("name", _("Give the skill a name."))
        if Skill.objects.filter(name__iexact=name).exclude(pk=skill_id).exists():
            raise _invalid("name", _("There is already a skill with this name."), code="duplicate")
        values["name"] = name
    if active is not None:
        values["active"] = active
    changes = _changed(skill, values)
    if changes:
        skill.save()
        record(actor, "staffing.skill.update", skill, detail={"changed": changes})
    return skill


def skill_deactivate(*, actor: Actor, skill_id: int) -> Skill:
    return skill_update(actor=actor, skill_id=skill_id, active=False)


# --- staff contracts --------------------------------------------------------------------------------------------

CONTRACT_FIELDS = ("min_hours_week", "max_hours_week", "unavailable_weekdays", "max_consecutive_shifts",
                   "min_rest_minutes", "max_weekends", "active")


def _check_contract(member: StaffMember) -> None:
    if member.min_hours_week > member.max_hours_week:
        raise _invalid("min_hours_week", _("The minimum hours a week are more than the maximum."))
    if member.max_hours_week > 80:
        raise _invalid("max_hours_week", _("At most 80 hours a week."))
    days = sorted({int(day) for day in member.unavailable_weekdays or []})
    if any(not 0 <= day <= 6 for day in days):
        raise _invalid("unavailable_weekdays", _("Days are Monday to Sunday."))
    member.unavailable_weekdays = days
    if not 1 <= member.max_consecutive_shifts <= 14:
        raise _invalid("max_consecutive_shifts", _("Between 1 and 14 shifts in a row."))
    if member.min_rest_minutes > 24 * 60:
        raise _invalid("min_rest_minutes", _("At most 24 hours of rest between shifts."))
    if member.max_weekends > 4:
        raise _invalid("max_weekends", _("At most 4 weekends in 4 weeks."))


@transaction.atomic
def staff_member_create(*, actor: Actor, user_id: int, location_id: int, skill_ids: Iterable[int] = (),
                        **contract: Any) -> StaffMember:
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="staffmember")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise _invalid("user", _("Choose an active staff account."))
    if not user.works_at(location_id):
        raise _invalid("user", _("This person does not work at this location."))
    if StaffMember.objects.filter(user_id=user_id).exists():
        raise _invalid("user", _("This person already has a contract."), code="duplicate")
    member = StaffMember(user=user, location_id=location_id,
                         **{k: v for k, v in contract.items() if k in CONTRACT_FIELDS})
    _check_contract(member)
    member.save()
    member.skills.set(_skills(skill_ids))
    record(actor, "staffing.staff_member.create", member, detail={"user": user_id})
    return member


def _skills(skill_ids: Iterable[int]) -> list[Skill]:
    ids = set(skill_ids)
    skills = list(Skill.objects.filter(pk__in=ids))
    if len(skills) != len(ids):
        raise _invalid("skills", _("Unknown skill."))
    return skills


@transaction.atomic
def staff_member_update(*, actor: Actor, staff_member_id: int, skill_ids: Iterable[int] | None = None,
                        **values: Any) -> StaffMember:
    member = StaffMember.objects.select_for_update().select_related("user").filter(pk=staff_member_id).first()
    if member is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=member.location_id, resource_type="staffmember",
            resource_id=staff_member_id, hide=True)
    changes = _changed(member, {k: v for k, v in values.items() if k in CONTRACT_FIELDS})
    if changes:
        _check_contract(member)
        member.save()
    if skill_ids is not None:
        skills = _skills(skill_ids)
        if {s.pk for s in skills} != set(member.skills.values_list("pk", flat=True)):
            member.skills.set(skills)
            changes["skills"] = ",".join(str(s.pk) for s in skills)
    if changes:
        record(actor, "staffing.staff_member.update", member, detail={"changed": changes})
    return member


# --- cover needs and requests -----------------------------------------------------------------------------------

@transaction.atomic
def cover_need_create(*, actor: Actor, location_id: int, shift_type_id: int, count: int,
                      weekday: int | None = None, date: dt.date | None = None, skill_id: int | None = None,
                      under_weight: int = 100, over_weight: int = 1) -> CoverNeed:
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="coverneed")
    _require_location(location_id)
    if (weekday is None) == (date is None):
        raise _invalid("weekday", _("Give either a weekday or a date."))
    if weekday is not None and not 0 <= weekday <= 6:
        raise _invalid("weekday", _("Days are Monday to Sunday."))
    if not ShiftType.objects.filter(pk=shift_type_id, location_id=location_id).exists():
        raise _invalid("shift_type", _("Choose a shift of this location."))
    if skill_id is not None and not Skill.objects.filter(pk=skill_id).exists():
        raise _invalid("skill", _("Unknown skill."))
    if count > 50:
        raise _invalid("count", _("At most 50 staff on one shift."))
    need = CoverNeed.objects.create(location_id=location_id, shift_type_id=shift_type_id, count=count,
                                    weekday=weekday, date=date, skill_id=skill_id, under_weight=under_weight,
                                    over_weight=over_weight)
    record(actor, "staffing.cover_need.create", need, detail={"shift": shift_type_id, "count": count})
    return need


@transaction.atomic
def cover_need_delete(*, actor: Actor, cover_need_id: int) -> None:
    need = CoverNeed.objects.filter(pk=cover_need_id).first()
    if need is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=need.location_id, resource_type="coverneed",
            resource_id=cover_need_id, hide=True)
    record(actor, "staffing.cover_need.delete", need)
    need.delete()


@transaction.atomic
def shift_request_create(*, actor: Actor, staff_member_id: int, date: dt.date, kind: str,
                         shift_type_id: int | None = None, weight: int = 1) -> ShiftRequest:
    member = StaffMember.objects.filter(pk=staff_member_id).first()
    if member is None:
        raise NotFound()
    if member.user_id == getattr(actor, "pk", None):  # one's own request to work or not work a shift
        require(actor, Perm.STAFFING_READ, location=member.location_id, resource_type="shiftrequest")
    else:
        require(actor, Perm.STAFFING_ADMIN, location=member.location_id, resource_type="shiftrequest", hide=True)
    if kind not in RequestKind.values:
        raise _invalid("kind", _("A request is to work or to have the day off."))
    if kind == RequestKind.ON and shift_type_id is None:
        raise _invalid("shift_type", _("A request to work names the shift."))
    if shift_type_id is not None and not ShiftType.objects.filter(pk=shift_type_id,
                                                                  location_id=member.location_id).exists():
        raise _invalid("shift_type", _("Choose a shift of this location."))
    if not 1 <= weight <= 100:
        raise _invalid("weight", _("The weight is between 1 and 100."))
    request = ShiftRequest.objects.create(staff=member, date=date, kind=kind, shift_type_id=shift_type_id,
                                          weight=weight)
    record(actor, "staffing.shift_request.create", request, detail={"staff": staff_member_id, "kind": kind})
    return request


# --- the engine instance ----------------------------------------------------------------------------------------

def period_of(day: dt.date) -> dt.date:
    """The Monday starting the roster period `day` is asked for (the week's Monday)."""
    return day - dt.timedelta(days=day.weekday())


def _staff_key(member_id: int) -> str:
    return f"S{member_id}"


def _skill_key(skill_id: int) -> str:
    return f"K{skill_id}"


@dataclass
class BuiltInstance:
    """The engine's instance and the way back from its ids to the practice's records."""

    instance: engine.Instance
    start: dt.date
    staff: dict[str, StaffMember]
    shifts: dict[str, ShiftType]

    def day(self, index: int) -> dt.date:
        return self.start + dt.timedelta(days=index)

    def index(self, day: dt.date) -> int:
        return (day - self.start).days


def _build_instance(*, location_id: int, period_start: dt.date) -> BuiltInstance:
    """The engine instance of a location's active staff, shifts, cover needs and requests for the 4-week period
    starting `period_start` (a Monday). No permission check: callers are services that made one."""
    if period_start.weekday() != 0:
        raise _invalid("period_start", _("A roster period starts on a Monday."))
    horizon = PERIOD_DAYS
    end = period_start + dt.timedelta(days=horizon - 1)
    shifts = {s.code: s for s in ShiftType.objects.filter(location_id=location_id, active=True)}
    if not shifts:
        raise ValidationFailed("no-shift-types", _("This location has no active shift types yet."))
    members = list(StaffMember.objects.filter(location_id=location_id, active=True, user__is_active=True)
                   .select_related("user").prefetch_related("skills"))
    if not members:
        raise ValidationFailed("no-staff", _("Nobody at this location has an active contract yet."))
    weeks = horizon / 7
    from .leave_services import leave_days_off

    on_leave = leave_days_off(user_ids=[m.user_id for m in members], first_day=period_start, days=horizon)
    staff: dict[str, StaffMember] = {}
    contracts, days_off, skills, own = [], {}, {}, {}
    for member in members:
        key = _staff_key(member.pk)
        staff[key] = member
        contracts.append(engine.Staff(
            id=key, max_shifts={}, max_total_minutes=round(member.max_hours_week * 60 * weeks),
            min_total_minutes=round(member.min_hours_week * 60 * weeks),
            max_consecutive_shifts=member.max_consecutive_shifts, min_consecutive_shifts=1,
            min_consecutive_days_off=1, max_weekends=member.max_weekends))
        blocked = set(member.unavailable_weekdays or [])
        days_off[key] = frozenset(day for day in range(horizon)
                                  if (day % 7) in blocked or day in on_leave.get(member.user_id, ()))
        skills[key] = frozenset(_skill_key(s.pk) for s in member.skills.all() if s.active)
        # Minimum rest: shift b the day after shift a leaves 1,440 + b's start - a's end minutes between them.
        own[key] = frozenset((a.code, b.code) for a in shifts.values() for b in shifts.values()
                             if 1440 + b.start_minute - a.end_minute < member.min_rest_minutes)
    cover: dict[tuple[int, str, str], engine.Cover] = {}
    needs = CoverNeed.objects.filter(location_id=location_id, shift_type__active=True).select_related(
        "shift_type", "skill")
    # Weekday needs first, then dated ones, which replace the weekday's for the same shift and skill.
    for need in sorted(needs, key=lambda n: n.date is not None):
        if need.skill is not None and not need.skill.active:
            continue
        skill = _skill_key(need.skill_id) if need.skill_id else ""
        if need.date is not None:
            days = [(need.date - period_start).days] if period_start <= need.date <= end else []
        else:
            days = [day for day in range(horizon) if day % 7 == need.weekday]
        for day in days:
            cover[day, need.shift_type.code, skill] = engine.Cover(
                day=day, shift=need.shift_type.code, requirement=need.count, under_weight=need.under_weight,
                over_weight=need.over_weight, skill=skill)
    on: list[engine.Request] = []
    off: list[engine.Request] = []
    for request in ShiftRequest.objects.filter(staff__in=members, date__range=(period_start, end)).select_related(
            "shift_type"):
        key, day = _staff_key(request.staff_id), (request.date - period_start).days
        if request.shift_type is not None and request.shift_type.code not in shifts:
            continue
        if request.kind == RequestKind.ON and request.shift_type is not None:
            on.append(engine.Request(key, day, request.shift_type.code, request.weight))
        elif request.kind == RequestKind.OFF:
            codes = [request.shift_type.code] if request.shift_type is not None else list(shifts)
            off.extend(engine.Request(key, day, code, request.weight) for code in codes)
    from .training_selectors import certification_bars

    barred = certification_bars(members=members, shifts=shifts, cover=list(cover.values()),
                                period_start=period_start, horizon=horizon, staff_key=_staff_key,
                                skill_key=_skill_key)
    instance = engine.Instance(
        horizon=horizon, name=f"location {location_id} from {period_start.isoformat()}",
        shifts=tuple(engine.Shift(code, shift.paid_minutes) for code, shift in shifts.items()),
        staff=tuple(contracts), days_off=days_off, on_requests=tuple(on), off_requests=tuple(off),
        cover=tuple(cover[k] for k in sorted(cover)), skills=skills, own_successions=own, barred=barred)
    return BuiltInstance(instance=instance, start=period_start, staff=staff, shifts=shifts)


# --- solving and publishing -------------------------------------------------------------------------------------

def _published(location_id: int, period_start: dt.date) -> Roster | None:
    return Roster.objects.filter(location_id=location_id, period_start=period_start,
                                 status=RosterStatus.PUBLISHED).first()


def roster_solve(*, actor: Actor, location_id: int, period_start: dt.date, seconds: float = DEFAULT_SECONDS,
                 workers: int | None = None) -> Roster:
    """Solve the period into its draft roster (made, or replaced). When the period has a published roster, the
    solve keeps as much of it as it can (each changed person-day costs CHANGE_WEIGHT) and the draft says how many
    assignments changed. Refused with the reason when no roster meets every hard rule."""
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="roster")
    if not 0 < seconds <= MAX_SECONDS:
        raise _invalid("seconds", _("The time limit is between 1 and %(max)s seconds.") % {"max": int(MAX_SECONDS)})
    built = _build_instance(location_id=location_id, period_start=period_start)
    published = _published(location_id, period_start)
    previous: dict[tuple[str, int], str] | None = None
    if published is not None:
        previous = {(_staff_key(a.staff_id), built.index(a.date)): a.shift_type.code
                    for a in published.assignments.select_related("shift_type")}
    result = engine.solve(built.instance, seconds=seconds, workers=workers, previous=previous,
                          change_weight=CHANGE_WEIGHT if previous is not None else 0)
    if result.status == "INFEASIBLE":
        raise Conflict("roster-infeasible", _(
            "No roster meets every contract: check the contracts' minimum hours, the days people cannot work and "
            "the rest between shifts."))
    if not result.has_roster:
        raise Conflict("roster-not-found", _(
            "No roster was found within %(seconds)s seconds: try a longer time limit.") % {"seconds": seconds})
    changes = None
    if previous is not None:
        now = {(a.staff, a.day): a.shift for a in result.assignments}
        keys = set(previous) | set(now)
        changes = sum(1 for key in keys if previous.get(key) != now.get(key))
    with transaction.atomic():
        roster = Roster.objects.select_for_update().filter(
            location_id=location_id, period_start=period_start, status=RosterStatus.DRAFT).first()
        if roster is None:
            roster = Roster(location_id=location_id, period_start=period_start,
                            period_end=period_start + dt.timedelta(days=PERIOD_DAYS - 1))
        roster.objective = result.objective
        roster.breakdown = dict(result.breakdown)
        roster.solver_status = result.status
        roster.solved_at = timezone.now()
        roster.seconds = round(result.seconds, 2)
        roster.based_on = published
        roster.changes = changes
        try:
            with transaction.atomic():
                roster.save()
        except IntegrityError as error:  # another coordinator made the draft at the same moment
            raise Conflict("roster-busy", _("Someone else is solving this roster: try again.")) from error
        roster.assignments.all().delete()
        RosterAssignment.objects.bulk_create(
            RosterAssignment(roster=roster, staff=built.staff[a.staff], date=built.day(a.day),
                             shift_type=built.shifts[a.shift]) for a in result.assignments)
        record(actor, "staffing.roster.solve", roster, detail={
            "objective": result.objective, "status": result.status, "seconds": roster.seconds,
            "assignments": len(result.assignments), "changes": changes})
    return roster


@transaction.atomic
def roster_publish(*, actor: Actor, roster_id: int) -> Roster:
    """Publish a draft: the period's published roster (if any) is superseded by it."""
    roster = Roster.objects.select_for_update().filter(pk=roster_id).first()
    if roster is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=roster.location_id, resource_type="roster",
            resource_id=roster_id, hide=True)
    if roster.status != RosterStatus.DRAFT:
        raise InvalidTransition("roster-not-draft", _("Only a draft roster can be published."))
    old = Roster.objects.select_for_update().filter(location_id=roster.location_id,
                                                    period_start=roster.period_start,
                                                    status=RosterStatus.PUBLISHED).first()
    if old is not None:
        old.status = RosterStatus.SUPERSEDED
        old.save(update_fields=["status"])
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = timezone.now()
    roster.save(update_fields=["status", "published_at"])
    record(actor, "staffing.roster.publish", roster, detail={
        "period_start": roster.period_start.isoformat(), "supersedes": old.pk if old else None})
    return roster
