"""Reads for shift swaps and open shifts (#20 item 5): the open shifts of a published roster (its cover needs
left short, counted as the engine counts them), the offers a person may take, their own swaps, and the swaps
awaiting the coordinator."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require

from .models import Roster, RosterAssignment, RosterStatus, ShiftSwap, ShiftType, Skill, StaffMember, SwapStatus
from .services import _build_instance, _skill_key, _staff_key

ACTIVE = (SwapStatus.OFFERED, SwapStatus.TAKEN)


@dataclass(frozen=True)
class OpenShift:
    roster: Roster
    date: dt.date
    shift_type: ShiftType
    skill: Skill | None
    short: int


def open_shifts(roster: Roster, *, from_day: dt.date | None = None) -> list[OpenShift]:
    """The cover needs of a published roster left short from `from_day` (today) on, with how many are missing
    (claims awaiting approval already count)."""
    built = _build_instance(location_id=roster.location_id, period_start=roster.period_start)
    first = from_day or clock.now().date()
    working: dict[tuple[int, str], list[str]] = {}
    for staff_id, date, code in RosterAssignment.objects.filter(roster=roster).values_list(
            "staff_id", "date", "shift_type__code"):
        working.setdefault((built.index(date), code), []).append(_staff_key(staff_id))
    claimed = Counter((s.date, s.shift_type_id, s.skill_id) for s in ShiftSwap.objects.filter(
        roster=roster, kind="open", status__in=ACTIVE))
    skills = {_skill_key(s.pk): s for s in Skill.objects.all()}
    found = []
    for need in built.instance.cover:
        date = built.day(need.day)
        if date < first:
            continue
        have = sum(1 for key in working.get((need.day, need.shift), []) if built.instance.counts_for(key, need))
        shift = built.shifts[need.shift]
        skill = skills.get(need.skill) if need.skill else None
        short = need.requirement - have - claimed[date, shift.pk, skill.pk if skill else None]
        if short > 0:
            found.append(OpenShift(roster, date, shift, skill, short))
    return sorted(found, key=lambda o: (o.date, o.shift_type.start_minute, o.skill.name if o.skill else ""))


def published_roster(*, actor: Actor, location_id: int, on: dt.date) -> Roster | None:
    require(actor, Perm.STAFFING_READ, location=location_id)
    return Roster.objects.filter(location_id=location_id, status=RosterStatus.PUBLISHED,
                                 period_start__lte=on, period_end__gte=on).first()


def _base() -> QuerySet[ShiftSwap]:
    return ShiftSwap.objects.select_related("roster", "shift_type", "skill", "from_staff__user", "offered_to__user",
                                            "taken_by__user")


def swaps_to_take(*, actor: Actor, location_id: int) -> list[ShiftSwap]:
    """Offers at the location the actor may take: named to them, or to anyone, not their own, not past."""
    require(actor, Perm.STAFFING_READ, location=location_id)
    member = StaffMember.objects.filter(user_id=getattr(actor, "pk", 0) or 0).first()
    if member is None:
        return []
    return list(_base().filter(roster__location_id=location_id, roster__status=RosterStatus.PUBLISHED,
                               kind="offer", status=SwapStatus.OFFERED, date__gte=clock.now().date())
                .filter(Q(offered_to__isnull=True) | Q(offered_to=member)).exclude(from_staff=member))


def my_swaps(*, actor: Actor) -> list[ShiftSwap]:
    require(actor, Perm.STAFFING_READ)
    user_id = getattr(actor, "pk", 0) or 0
    return list(_base().filter(Q(from_staff__user_id=user_id) | Q(taken_by__user_id=user_id))
                .filter(date__gte=clock.now().date() - dt.timedelta(days=7)))


def swaps_awaiting(*, actor: Actor, location_id: int) -> list[ShiftSwap]:
    """Taken swaps and claimed open shifts awaiting the coordinator's decision."""
    require(actor, Perm.STAFFING_ADMIN, location=location_id)
    return list(_base().filter(roster__location_id=location_id, status=SwapStatus.TAKEN))


def swaps_list(*, actor: Actor, location_id: int, status: str | None = None) -> list[ShiftSwap]:
    require(actor, Perm.STAFFING_ADMIN, location=location_id)
    found = _base().filter(roster__location_id=location_id)
    if status:
        found = found.filter(status=status)
    return list(found)


def swap_detail(*, actor: Actor, swap_id: int) -> ShiftSwap:
    """A swap: for the coordinator of its location, and for the people it involves."""
    swap = _base().filter(pk=swap_id).first()
    if swap is None:
        raise NotFound()
    user_id = getattr(actor, "pk", None)
    involved = {s.user_id for s in (swap.from_staff, swap.offered_to, swap.taken_by) if s is not None}
    if user_id in involved or (swap.offered_to_id is None and swap.status == SwapStatus.OFFERED):
        require(actor, Perm.STAFFING_READ, location=swap.roster.location_id, resource_type="shiftswap",
                resource_id=swap_id, hide=True)
    else:
        require(actor, Perm.STAFFING_ADMIN, location=swap.roster.location_id, resource_type="shiftswap",
                resource_id=swap_id, hide=True)
    return swap


def my_assignments(*, actor: Actor, location_id: int) -> list[RosterAssignment]:
    """The actor's coming shifts in published rosters at the location (to offer one)."""
    require(actor, Perm.STAFFING_READ, location=location_id)
    return list(RosterAssignment.objects.filter(
        staff__user_id=getattr(actor, "pk", 0) or 0, roster__location_id=location_id,
        roster__status=RosterStatus.PUBLISHED, date__gte=clock.now().date()).select_related("shift_type")
        .order_by("date")[:60])


def colleagues(*, actor: Actor, location_id: int) -> list[StaffMember]:
    require(actor, Perm.STAFFING_READ, location=location_id)
    return list(StaffMember.objects.filter(location_id=location_id, active=True).select_related("user")
                .exclude(user_id=getattr(actor, "pk", 0) or 0))


def own_member(*, actor: Actor, location_id: int) -> StaffMember | None:
    require(actor, Perm.STAFFING_READ, location=location_id)
    return StaffMember.objects.select_related("user").filter(user_id=getattr(actor, "pk", 0) or 0,
                                                             location_id=location_id, active=True).first()
