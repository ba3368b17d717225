"""Leave (issue #20 item 4): requests, the coordinator's decision, and what an approved leave changes.

- Anyone on the staff asks for their own leave; the practice coordinator (Perm.STAFFING_ADMIN at the person's
  location) enters leave for anybody, approves, declines, and cancels approved leave.
- Leave that overlaps the person's requested or approved leave is refused, naming the other leave.
- Approving a provider's leave blocks their calendar through the scheduling service (an availability exception,
  so nothing new is booked into it); the appointments already booked are listed with a proposed cover each
  (`staffing.leave_selectors.leave_cover_proposals`), which the coordinator applies in one step here
  (`leave_cover_apply`): every move goes through `appointment_reschedule`, all or none, so nothing is double-booked
  and each patient gets the booking confirmation for the new time by their own channel and language.
- Approving a staff member's leave takes the days out of their roster: the published roster of each period it
  touches is re-solved into a draft that changes as little as possible (`leave_rosters_resolve`, run after the
  commit as a task), which the coordinator reviews and publishes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.practice.models import Practitioner
from clinicdesk.scheduling import services as scheduling_services
from clinicdesk.scheduling.models import AvailabilityException

from .models import (
    LEAVE_TRANSITIONS,
    PERIOD_DAYS,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    Roster,
    RosterAssignment,
    RosterStatus,
    StaffMember,
)

OPEN_STATUSES = (LeaveStatus.REQUESTED, LeaveStatus.APPROVED)
LEAVE_FIELDS = ("kind", "first_day", "last_day", "status")


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(code, message, fields={field: [message]})


def _day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _person(actor: Actor, *, user_id: int | None, practitioner_id: int | None) -> tuple[Any, Practitioner | None]:
    """The user and practitioner the leave is for: the actor themself unless a coordinator names someone."""
    if user_id is None and practitioner_id is None:
        user = staff_user(actor)
        if user is None:
            raise _invalid("user", _("Say whose leave this is."))
        return user, Practitioner.objects.filter(user=user).first()
    if practitioner_id is not None:
        practitioner = Practitioner.objects.filter(pk=practitioner_id).select_related("user").first()
        if practitioner is None:
            raise NotFound()
        return practitioner.user, practitioner
    user = get_user_model().objects.filter(pk=int(user_id or 0)).first()
    if user is None:
        raise NotFound()
    return user, Practitioner.objects.filter(user=user).first()


def _location_of(user: Any, practitioner: Practitioner | None, location_id: int | None) -> int:
    if location_id is not None:
        return location_id
    member = StaffMember.objects.filter(user=user).first() if user is not None else None
    if member is not None:
        return int(member.location_id)
    if practitioner is not None:
        first = practitioner.locations.order_by("pk").first()
        if first is not None:
            return int(first.pk)
    if user is not None:
        ids = sorted(user.location_ids())
        if ids:
            return int(ids[0])
    raise _invalid("location", _("This person works at no location yet."))


def _same_person(leave: LeaveRequest | None = None, *, user: Any = None,
                 practitioner: Practitioner | None = None) -> Any:
    from django.db.models import Q

    if leave is not None:
        user, practitioner = leave.user, leave.practitioner
    match = Q(pk__in=[])
    if user is not None:
        match |= Q(user=user)
    if practitioner is not None:
        match |= Q(practitioner=practitioner)
    return LeaveRequest.objects.filter(match)


def _refuse_overlap(*, user: Any, practitioner: Practitioner | None, first_day: dt.date, last_day: dt.date,
                    statuses: tuple[str, ...], exclude_id: int | None = None) -> None:
    clash = (_same_person(user=user, practitioner=practitioner)
             .filter(status__in=statuses, first_day__lte=last_day, last_day__gte=first_day)
             .exclude(pk=exclude_id).order_by("first_day").first())
    if clash is not None:
        message = _("This overlaps %(status)s leave from %(first)s to %(last)s.") % {
            "status": clash.get_status_display().lower(), "first": _day(clash.first_day),
            "last": _day(clash.last_day)}
        raise ValidationFailed("leave-overlaps", message, fields={"first_day": [message]})


@atomic_service
def leave_request(*, actor: Actor, kind: str, first_day: dt.date, last_day: dt.date, note: str = "",
                  user_id: int | None = None, practitioner_id: int | None = None,
                  location_id: int | None = None) -> LeaveRequest:
    """Ask for leave (one's own), or enter it for someone (the coordinator). Refused when it overlaps the person's
    requested or approved leave."""
    user, practitioner = _person(actor, user_id=user_id, practitioner_id=practitioner_id)
    location = _location_of(user, practitioner, location_id)
    own = user is not None and staff_user(actor) is not None and user.pk == actor.pk
    require(actor, Perm.STAFFING_READ if own else Perm.STAFFING_ADMIN, location=location, resource_type="leave")
    if kind not in LeaveKind.values:
        raise _invalid("kind", _("Not a kind of leave."))
    if last_day < first_day:
        raise _invalid("last_day", _("The last day is before the first day."), "end-before-start")
    if (last_day - first_day).days > 366:
        raise _invalid("last_day", _("Leave lasts at most a year."))
    _refuse_overlap(user=user, practitioner=practitioner, first_day=first_day, last_day=last_day,
                    statuses=OPEN_STATUSES)
    leave = LeaveRequest.objects.create(user=user, practitioner=practitioner, location_id=location, kind=kind,
                                        first_day=first_day, last_day=last_day, note=note.strip()[:300],
                                        requested_by=staff_user(actor))
    record(actor, "leave.request", leave, detail={"kind": kind, "first_day": first_day.isoformat(),
                                                  "last_day": last_day.isoformat()})
    return leave


def _locked(actor: Actor, leave_id: int, perm: Perm = Perm.STAFFING_ADMIN) -> LeaveRequest:
    leave = (LeaveRequest.objects.select_for_update(of=("self",)).filter(pk=leave_id)
             .select_related("practitioner", "user").first())
    if leave is None:
        raise NotFound()
    require(actor, perm, location=leave.location_id, resource_type="leave", resource_id=leave.pk, hide=True)
    return leave


def _move(leave: LeaveRequest, to_status: str) -> str:
    if to_status not in LEAVE_TRANSITIONS[leave.status]:
        raise InvalidTransition("leave-transition", _("Leave that is %(status)s cannot be %(to)s.") % {
            "status": leave.get_status_display().lower(), "to": LeaveStatus(to_status).label.lower()})
    before = leave.status
    leave.status = to_status
    return before


def _block_calendar(actor: Actor, leave: LeaveRequest) -> None:
    """A provider's approved leave: not bookable from the first day's midnight to the day after the last, at the
    leave's location's time."""
    assert leave.practitioner is not None
    tz = leave.location.tz
    start = local_to_utc(leave.first_day, dt.time(0), tz)
    end = local_to_utc(leave.last_day + dt.timedelta(days=1), dt.time(0), tz)
    kinds = {LeaveKind.VACATION: AvailabilityException.Kind.VACATION, LeaveKind.SICK: AvailabilityException.Kind.SICK}
    kind = kinds.get(LeaveKind(leave.kind), AvailabilityException.Kind.OTHER)
    exception = scheduling_services.availability_exception_add(
        actor=actor, practitioner_id=int(leave.practitioner_id or 0), start=start, end=end, kind=kind,
        reason=str(LeaveKind(leave.kind).label))
    leave.exception_id = exception.pk


@atomic_service
def leave_approve(*, actor: Actor, leave_id: int, note: str = "") -> LeaveRequest:
    """Approve leave: a provider's calendar is blocked for it (its booked appointments then wait for the cover
    the coordinator applies); a staff member's published rosters are re-solved without those days (after the
    commit)."""
    leave = _locked(actor, leave_id)
    _refuse_overlap(user=leave.user, practitioner=leave.practitioner, first_day=leave.first_day,
                    last_day=leave.last_day, statuses=(LeaveStatus.APPROVED,), exclude_id=leave.pk)
    before = _move(leave, LeaveStatus.APPROVED)
    leave.decided_by, leave.decided_at = staff_user(actor), dj_timezone.now()
    leave.decision_note = note.strip()[:300]
    if leave.practitioner_id is not None:
        _block_calendar(actor, leave)
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "exception_id"])
    record(actor, "leave.approve", leave, detail={"from": before, "to": leave.status})
    if leave.user_id is not None and rostered_days(leave):
        from . import tasks

        leave_pk = leave.pk
        transaction.on_commit(lambda: tasks.resolve_rosters_for_leave.enqueue(leave_pk))
    return leave


@atomic_service
def leave_decline(*, actor: Actor, leave_id: int, note: str) -> LeaveRequest:
    leave = _locked(actor, leave_id)
    if not note.strip():
        raise _invalid("note", _("Say why the leave is declined."))
    before = _move(leave, LeaveStatus.DECLINED)
    leave.decided_by, leave.decided_at = staff_user(actor), dj_timezone.now()
    leave.decision_note = note.strip()[:300]
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(actor, "leave.decline", leave, detail={"from": before, "to": leave.status})
    return leave


@atomic_service
def leave_cancel(*, actor: Actor, leave_id: int) -> LeaveRequest:
    """Withdraw leave: the person their own request; the coordinator any leave, approved included (the provider's
    calendar opens again; appointments already moved stay where they are)."""
    leave = (LeaveRequest.objects.select_for_update(of=("self",)).filter(pk=leave_id)
             .select_related("practitioner", "user").first())
    if leave is None:
        raise NotFound()
    own = leave.user_id is not None and leave.user_id == getattr(staff_user(actor), "pk", None)
    if not (own and leave.status == LeaveStatus.REQUESTED):
        require(actor, Perm.STAFFING_ADMIN, location=leave.location_id, resource_type="leave",
                resource_id=leave.pk, hide=not own)
    before = _move(leave, LeaveStatus.CANCELLED)
    exception_id, leave.exception_id = leave.exception_id, None
    leave.save(update_fields=["status", "exception_id"])
    if exception_id is not None and AvailabilityException.objects.filter(pk=exception_id).exists():
        scheduling_services.availability_exception_remove(actor=actor, exception_id=exception_id)
    record(actor, "leave.cancel", leave, detail={"from": before, "to": leave.status})
    return leave


# --- a staff member's roster -------------------------------------------------------------------------------------

def rostered_days(leave: LeaveRequest) -> list[RosterAssignment]:
    """The person's shifts in published rosters during the leave."""
    if leave.user_id is None:
        return []
    return list(RosterAssignment.objects.filter(
        roster__status=RosterStatus.PUBLISHED, staff__user_id=leave.user_id,
        date__range=(leave.first_day, leave.last_day)).select_related("roster", "shift_type").order_by("date"))


def leave_rosters_resolve(*, actor: Actor, leave_id: int, seconds: float = 10.0) -> list[Roster]:
    """Re-solve every published roster the approved leave takes shifts out of, into a draft that keeps the rest
    of the roster (staffing.services.roster_solve weighs every change). Each draft waits for the coordinator."""
    from .services import roster_solve

    leave = LeaveRequest.objects.filter(pk=leave_id).first()
    if leave is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=leave.location_id, resource_type="leave", resource_id=leave_id)
    if leave.status != LeaveStatus.APPROVED:
        return []
    periods = sorted({(a.roster.location_id, a.roster.period_start) for a in rostered_days(leave)})
    drafts = [roster_solve(actor=actor, location_id=location_id, period_start=start, seconds=seconds)
              for location_id, start in periods]
    record(actor, "leave.rosters.resolve", leave, detail={"drafts": [r.pk for r in drafts]})
    return drafts


def leave_days_off(*, user_ids: list[int], first_day: dt.date, days: int = PERIOD_DAYS) -> dict[int, set[int]]:
    """For the roster engine: per user, the day indexes (from `first_day`) of their approved leave."""
    last_day = first_day + dt.timedelta(days=days - 1)
    off: dict[int, set[int]] = {}
    for leave in LeaveRequest.objects.filter(user_id__in=user_ids, status=LeaveStatus.APPROVED,
                                             first_day__lte=last_day, last_day__gte=first_day):
        start = max(leave.first_day, first_day)
        stop = min(leave.last_day, last_day)
        off.setdefault(leave.user_id or 0, set()).update(
            range((start - first_day).days, (stop - first_day).days + 1))
    return off


# --- covering a provider's appointments --------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverMove:
    appointment_id: int
    start: dt.datetime
    practitioner_id: int


@dataclass
class CoverReport:
    moved: list[int]


@atomic_service
def leave_cover_apply(*, actor: Actor, leave_id: int, moves: list[CoverMove]) -> CoverReport:
    """Move the chosen appointments of an approved provider leave, all or none. Each move is a reschedule through
    the booking service (its locks and constraints: a time taken since the proposal refuses the whole step,
    naming the appointment). Only appointments the leave affects may be moved here."""
    from .leave_selectors import affected_appointments

    leave = _locked(actor, leave_id)
    if leave.status != LeaveStatus.APPROVED or leave.practitioner_id is None:
        raise InvalidTransition("leave-not-approved", _("Only an approved provider leave has appointments to cover."))
    if not moves:
        raise _invalid("moves", _("Choose at least one appointment to move."))
    affected = {a.pk: a for a in affected_appointments(leave)}
    seen: set[int] = set()
    for move in moves:
        if move.appointment_id not in affected or move.appointment_id in seen:
            raise _invalid("moves", _("That appointment is not one this leave affects."))
        seen.add(move.appointment_id)
    for move in sorted(moves, key=lambda m: m.start):
        appointment = affected[move.appointment_id]
        try:
            scheduling_services.appointment_reschedule(
                actor=actor, appointment_id=move.appointment_id, start=move.start,
                practitioner_id=move.practitioner_id, reason=_("Provider on leave"))
        except (ValidationFailed, Conflict) as error:
            local = appointment.start.astimezone(appointment.location.tz)
            raise Conflict("cover-taken", _(
                "The appointment of %(when)s could not be moved: %(why)s Nothing was moved; review the "
                "proposals again.") % {"when": formats.date_format(local, "SHORT_DATETIME_FORMAT"),
                                       "why": error.detail}) from error
    record(actor, "leave.cover.apply", leave, detail={"moved": len(moves)})
    return CoverReport(moved=[m.appointment_id for m in moves])


def can_manage_leave(actor: Actor, leave: LeaveRequest) -> bool:
    return has_perm(actor, Perm.STAFFING_ADMIN, location=leave.location_id)
