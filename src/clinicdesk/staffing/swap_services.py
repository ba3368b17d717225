"""Shift swaps and open shifts (#20 item 5).

A staff member offers one of their shifts in a published roster, to a named colleague or to anyone qualified; a
colleague takes it; the practice coordinator approves, and only then does the roster change. An open shift (a
cover need the published roster leaves short) can be claimed the same way. Taking, claiming and approving all
check the taker's changed schedule against the engine's hard rules (engine.check, the rules of the evaluator):
one shift a day, forbidden successions and minimum rest, maximum shifts in a row, weekends and hours, approved
leave and days they cannot work, expired certifications the shift needs, and the skills the shift's cover counts
on. A refusal names the rule (`SwapRefused.rule`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.audit.services import record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user

from . import engine
from .engine.check import change_violations, missing_skills
from .models import (
    SWAP_TRANSITIONS,
    Roster,
    RosterAssignment,
    RosterStatus,
    ShiftSwap,
    ShiftType,
    Skill,
    StaffMember,
    SwapKind,
    SwapStatus,
)
from .services import BuiltInstance, _build_instance, _skill_key, _staff_key

RULE_LABELS: dict[str, Any] = {
    "one_shift_a_day": gettext_lazy("one shift a day"),
    "succession": gettext_lazy("forbidden succession of shifts"),
    "rest": gettext_lazy("minimum rest between shifts"),
    "day_off": gettext_lazy("a day they cannot work"),
    "leave": gettext_lazy("approved leave"),
    "max_consecutive_shifts": gettext_lazy("maximum shifts in a row"),
    "max_weekends": gettext_lazy("maximum weekends worked"),
    "max_total_minutes": gettext_lazy("maximum hours"),
    "max_shifts": gettext_lazy("maximum shifts of this kind"),
    "certification": gettext_lazy("a required certification has expired"),
    "skills": gettext_lazy("skills the shift needs"),
    "not_staff": gettext_lazy("not on this location's staff"),
    "day_outside_horizon": gettext_lazy("outside the roster's period"),
}


class SwapRefused(ValidationFailed):
    """A change that breaks a hard rule; `rule` is the engine's name for it (and the problem's `rule` member)."""

    def __init__(self, rule: str, who: str) -> None:
        label = RULE_LABELS.get(rule, rule)
        message = _("%(who)s cannot take this shift: it breaks the rule “%(rule)s”.") % {
            "who": who, "rule": label}
        super().__init__("swap-breaks-rule", message, fields={"taker": [message]})
        self.rule = rule

    def as_problem(self) -> dict[str, Any]:
        return super().as_problem() | {"rule": self.rule}


def _move(swap: ShiftSwap, status: str) -> None:
    if status not in SWAP_TRANSITIONS[SwapStatus(swap.status)]:
        raise InvalidTransition("swap-state", _("This swap can no longer be changed that way."))
    swap.status = status


def _member_of(actor: Actor) -> StaffMember | None:
    return (StaffMember.objects.select_related("user").filter(user_id=getattr(actor, "pk", 0) or 0, active=True)
            .first())


def _line(roster: Roster, member: StaffMember, built: BuiltInstance) -> dict[int, str]:
    return {built.index(a.date): a.shift_type.code
            for a in RosterAssignment.objects.filter(roster=roster, staff=member).select_related("shift_type")}


def _rule_of(violation: engine.Violation, built: BuiltInstance, line: dict[int, str], member: StaffMember) -> str:
    """The engine's rule, told apart where one engine rule covers two of the practice's: a forbidden succession
    or too little rest; approved leave or a day the contract excludes."""
    if violation.rule == "succession" and violation.day is not None:
        before, after = line.get(violation.day - 1), line.get(violation.day)
        if before and after and after not in built.instance.shift_by_id[before].cannot_follow:
            return "rest"
    if (violation.rule == "day_off" and violation.day is not None
            and built.day(violation.day).weekday() not in set(member.unavailable_weekdays or [])):
        return "leave"
    return violation.rule


def check_taker(*, roster: Roster, date: dt.date, shift_type: ShiftType, taker: StaffMember,
                giver: StaffMember | None = None, skill: Skill | None = None) -> None:
    """Refuse (SwapRefused, naming the rule) when `taker` may not work `shift_type` on `date` in `roster` in
    place of `giver` (or filling the open need for `skill`)."""
    who = taker.display_name
    built = _build_instance(location_id=roster.location_id, period_start=roster.period_start)
    key = _staff_key(taker.pk)
    if key not in built.instance.staff_by_id:
        raise SwapRefused("not_staff", who)
    line = _line(roster, taker, built)
    day = built.index(date)
    found = change_violations(built.instance, key, line, day=day, shift=shift_type.code)
    if found:
        after = dict(line) | {day: shift_type.code}
        raise SwapRefused(_rule_of(found[0], built, after, taker), who)
    missing = missing_skills(built.instance, day=day, shift=shift_type.code,
                             giver=_staff_key(giver.pk) if giver is not None else None, taker=key,
                             skill=_skill_key(skill.pk) if skill is not None else "")
    if missing:
        raise SwapRefused("skills", who)


def _published_assignment(assignment_id: int) -> RosterAssignment:
    found = (RosterAssignment.objects.select_related("roster", "staff__user", "shift_type")
             .filter(pk=assignment_id, roster__status=RosterStatus.PUBLISHED).first())
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def swap_offer(*, actor: Actor, assignment_id: int, offered_to_id: int | None = None, note: str = "") -> ShiftSwap:
    """Offer one's own shift of a published roster (the coordinator may offer anyone's), to a named colleague or
    to anyone qualified. The colleague named must be able to take it now."""
    assignment = _published_assignment(assignment_id)
    own = assignment.staff.user_id == getattr(actor, "pk", None)
    if own:
        require(actor, Perm.STAFFING_READ, location=assignment.roster.location_id, resource_type="shiftswap")
    else:
        require(actor, Perm.STAFFING_ADMIN, location=assignment.roster.location_id, resource_type="shiftswap",
                resource_id=assignment_id, hide=True)
    if assignment.date < clock.now().date():
        raise ValidationFailed("swap-past", _("This shift is in the past."))
    offered_to = None
    if offered_to_id is not None:
        offered_to = StaffMember.objects.select_related("user").filter(
            pk=offered_to_id, location_id=assignment.roster.location_id, active=True).first()
        if offered_to is None or offered_to.pk == assignment.staff_id:
            raise ValidationFailed("swap-colleague", _("Choose a colleague at this location."),
                                   fields={"offered_to": [_("Choose a colleague at this location.")]})
        check_taker(roster=assignment.roster, date=assignment.date, shift_type=assignment.shift_type,
                    taker=offered_to, giver=assignment.staff)
    try:
        with transaction.atomic():
            swap = ShiftSwap.objects.create(
                roster=assignment.roster, kind=SwapKind.OFFER, date=assignment.date,
                shift_type=assignment.shift_type, from_staff=assignment.staff, offered_to=offered_to,
                note=(note or "").strip()[:300])
    except IntegrityError as error:
        raise Conflict("swap-already-offered", _("This shift is already on offer.")) from error
    record(actor, "staffing.swap.offer", swap, detail={"date": swap.date.isoformat(), "to": offered_to_id})
    return swap


def _swap(swap_id: int) -> ShiftSwap:
    swap = (ShiftSwap.objects.select_for_update().filter(pk=swap_id).first())
    if swap is None:
        raise NotFound()
    return (ShiftSwap.objects.select_related("roster", "shift_type", "skill", "from_staff__user",
                                             "offered_to__user", "taken_by__user").get(pk=swap.pk))


@transaction.atomic
def swap_take(*, actor: Actor, swap_id: int) -> ShiftSwap:
    """Take a shift on offer (the colleague it names, or anyone qualified when it names no one)."""
    swap = _swap(swap_id)
    require(actor, Perm.STAFFING_READ, location=swap.roster.location_id, resource_type="shiftswap",
            resource_id=swap_id, hide=True)
    taker = _member_of(actor)
    if taker is None or taker.location_id != swap.roster.location_id:
        raise ValidationFailed("swap-no-contract", _("Only staff with a contract at this location can take "
                                                     "shifts."))
    if swap.kind != SwapKind.OFFER or (swap.offered_to_id is not None and swap.offered_to_id != taker.pk):
        raise NotFound()
    if swap.from_staff_id == taker.pk:
        raise ValidationFailed("swap-own", _("This is your own shift."))
    _move(swap, SwapStatus.TAKEN)
    check_taker(roster=swap.roster, date=swap.date, shift_type=swap.shift_type, taker=taker, giver=swap.from_staff)
    swap.taken_by = taker
    swap.taken_at = timezone.now()
    swap.save()
    record(actor, "staffing.swap.take", swap, detail={"taker": taker.pk})
    return swap


@transaction.atomic
def open_shift_claim(*, actor: Actor, roster_id: int, date: dt.date, shift_type_id: int,
                     skill_id: int | None = None, note: str = "") -> ShiftSwap:
    """Claim an open shift: a cover need of the published roster that is short on `date` (for `skill`, or for
    anyone). The coordinator then approves it like a swap."""
    roster = Roster.objects.filter(pk=roster_id, status=RosterStatus.PUBLISHED).first()
    if roster is None:
        raise NotFound()
    require(actor, Perm.STAFFING_READ, location=roster.location_id, resource_type="shiftswap", hide=True)
    taker = _member_of(actor)
    if taker is None or taker.location_id != roster.location_id:
        raise ValidationFailed("swap-no-contract", _("Only staff with a contract at this location can take "
                                                     "shifts."))
    from .swap_selectors import open_shifts

    wanted = [o for o in open_shifts(roster) if o.date == date and o.shift_type.pk == shift_type_id
              and (o.skill.pk if o.skill else None) == skill_id]
    if not wanted:
        raise ValidationFailed("not-open", _("This shift is not open (its cover is complete)."),
                               fields={"shift_type": [_("This shift is not open (its cover is complete).")]})
    if date < clock.now().date():
        raise ValidationFailed("swap-past", _("This shift is in the past."))
    opening = wanted[0]
    check_taker(roster=roster, date=date, shift_type=opening.shift_type, taker=taker, skill=opening.skill)
    swap = ShiftSwap.objects.create(roster=roster, kind=SwapKind.OPEN, date=date, shift_type=opening.shift_type,
                                    skill=opening.skill, taken_by=taker, status=SwapStatus.TAKEN,
                                    taken_at=timezone.now(), note=(note or "").strip()[:300])
    record(actor, "staffing.swap.claim", swap, detail={"date": date.isoformat(), "shift": shift_type_id})
    return swap


@transaction.atomic
def swap_approve(*, actor: Actor, swap_id: int) -> ShiftSwap:
    """The coordinator approves a taken swap or claimed open shift: the rules are checked again on today's
    roster, and the published roster changes (the giver's shift becomes the taker's)."""
    swap = _swap(swap_id)
    require(actor, Perm.STAFFING_ADMIN, location=swap.roster.location_id, resource_type="shiftswap",
            resource_id=swap_id, hide=True)
    _move(swap, SwapStatus.APPROVED)
    if swap.roster.status != RosterStatus.PUBLISHED:
        raise Conflict("swap-roster-changed", _("The roster was re-published since: this swap no longer "
                                                "applies. Decline it."))
    assert swap.taken_by is not None
    list(RosterAssignment.objects.select_for_update().filter(roster=swap.roster, date=swap.date).order_by("pk"))
    given = None
    if swap.kind == SwapKind.OFFER:
        given = RosterAssignment.objects.filter(roster=swap.roster, staff=swap.from_staff, date=swap.date,
                                                shift_type=swap.shift_type).first()
        if given is None:
            raise Conflict("swap-roster-changed", _("The shift is no longer on the roster: decline this swap."))
    check_taker(roster=swap.roster, date=swap.date, shift_type=swap.shift_type, taker=swap.taken_by,
                giver=swap.from_staff, skill=swap.skill)
    if given is not None:
        given.delete()
    RosterAssignment.objects.create(roster=swap.roster, staff=swap.taken_by, date=swap.date,
                                    shift_type=swap.shift_type)
    swap.decided_by = staff_user(actor)
    swap.decided_at = timezone.now()
    swap.save()
    record(actor, "staffing.swap.approve", swap, detail={"from": swap.from_staff_id, "to": swap.taken_by_id})
    return swap


@transaction.atomic
def swap_decline(*, actor: Actor, swap_id: int, note: str = "") -> ShiftSwap:
    swap = _swap(swap_id)
    require(actor, Perm.STAFFING_ADMIN, location=swap.roster.location_id, resource_type="shiftswap",
            resource_id=swap_id, hide=True)
    _move(swap, SwapStatus.DECLINED)
    swap.decided_by = staff_user(actor)
    swap.decided_at = timezone.now()
    swap.decision_note = (note or "").strip()[:300]
    swap.save()
    record(actor, "staffing.swap.decline", swap)
    return swap


@transaction.atomic
def swap_cancel(*, actor: Actor, swap_id: int) -> ShiftSwap:
    """Withdraw an offer or a claim (the giver, the taker, or the coordinator), before it is decided."""
    swap = _swap(swap_id)
    mine = {s.user_id for s in (swap.from_staff, swap.taken_by) if s is not None}
    if getattr(actor, "pk", None) not in mine or not has_perm(actor, Perm.STAFFING_READ,
                                                              location=swap.roster.location_id):
        require(actor, Perm.STAFFING_ADMIN, location=swap.roster.location_id, resource_type="shiftswap",
                resource_id=swap_id, hide=True)
    _move(swap, SwapStatus.CANCELLED)
    swap.save()
    record(actor, "staffing.swap.cancel", swap)
    return swap
