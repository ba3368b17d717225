"""Reads of the staffing configuration and rosters: lists for the configuration screens, a roster as a grid
(staff x days, with the cover short or over per day) and its cost explained in words, and a person's own shifts.

Every staff role may see published rosters (Perm.STAFFING_READ); drafts and the configuration are for the
practice coordinator (Perm.STAFFING_ADMIN). A roster of a location the reader does not work at is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.insight.selectors import forecast_for_week
from clinicdesk.practice.selectors import locations_for

from .hours_selectors import paid_hours_by_month  # noqa: F401 - budget actuals (#21), the operations app's way in
from .models import PERIOD_DAYS, CoverNeed, Roster, RosterAssignment, RosterStatus, ShiftType, Skill, StaffMember


def may_manage(actor: Actor, location_id: int | None = None) -> bool:
    return has_perm(actor, Perm.STAFFING_ADMIN, location=location_id)


def shift_types_list(*, actor: Actor, include_inactive: bool = False,
                     location_id: int | None = None) -> QuerySet[ShiftType]:
    require(actor, Perm.STAFFING_READ)
    found = ShiftType.objects.filter(location_id__in=_locations(actor))
    if location_id is not None:
        found = found.filter(location_id=location_id)
    return found if include_inactive else found.filter(active=True)


def shift_type_detail(*, actor: Actor, shift_type_id: int) -> ShiftType:
    require(actor, Perm.STAFFING_READ, resource_type="shifttype", resource_id=shift_type_id)
    found = ShiftType.objects.filter(pk=shift_type_id, location_id__in=_locations(actor)).first()
    if found is None:
        raise NotFound()
    return found


def skills_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Skill]:
    require(actor, Perm.STAFFING_READ)
    return Skill.objects.all() if include_inactive else Skill.objects.filter(active=True)


def skill_detail(*, actor: Actor, skill_id: int) -> Skill:
    require(actor, Perm.STAFFING_READ, resource_type="skill", resource_id=skill_id)
    found = Skill.objects.filter(pk=skill_id).first()
    if found is None:
        raise NotFound()
    return found


def _locations(actor: Actor) -> list[int]:
    return [location.pk for location in locations_for(actor)]


def staff_members_list(*, actor: Actor, location_id: int, include_inactive: bool = False) -> QuerySet[StaffMember]:
    require(actor, Perm.STAFFING_ADMIN, location=location_id)
    found = StaffMember.objects.filter(location_id=location_id).select_related("user").prefetch_related("skills")
    return found if include_inactive else found.filter(active=True)


def staff_member_detail(*, actor: Actor, staff_member_id: int) -> StaffMember:
    found = StaffMember.objects.select_related("user").filter(pk=staff_member_id).first()
    if found is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=found.location_id, resource_type="staffmember",
            resource_id=staff_member_id, hide=True)
    return found


def contract_user_choices(*, actor: Actor, location_id: int) -> list[tuple[int, str]]:
    """Active staff accounts working at the location and without a contract yet: (user id, name)."""
    require(actor, Perm.STAFFING_ADMIN, location=location_id)
    taken = StaffMember.objects.values_list("user_id", flat=True)
    users = (get_user_model().objects.filter(is_active=True, locations=location_id).exclude(pk__in=taken)
             .order_by("last_name", "first_name", "username"))
    return [(u.pk, u.get_full_name() or u.get_username()) for u in users]


def cover_needs_list(*, actor: Actor, location_id: int) -> QuerySet[CoverNeed]:
    require(actor, Perm.STAFFING_ADMIN, location=location_id)
    return CoverNeed.objects.filter(location_id=location_id).select_related("shift_type", "skill")


# --- rosters ----------------------------------------------------------------------------------------------------

def roster_detail(*, actor: Actor, roster_id: int) -> Roster:
    """A roster: published ones for every staff role at its location, any other for the coordinator."""
    found = Roster.objects.filter(pk=roster_id).first()
    if found is None:
        raise NotFound()
    perm = Perm.STAFFING_READ if found.status == RosterStatus.PUBLISHED else Perm.STAFFING_ADMIN
    require(actor, perm, location=found.location_id, resource_type="roster", resource_id=roster_id, hide=True)
    return found


def rosters_for_period(*, actor: Actor, location_id: int, period_start: dt.date) -> dict[str, Roster | None]:
    """The period's published roster and, for the coordinator, its draft."""
    require(actor, Perm.STAFFING_READ, location=location_id)
    found = {r.status: r for r in Roster.objects.filter(
        location_id=location_id, period_start=period_start,
        status__in=[RosterStatus.PUBLISHED, RosterStatus.DRAFT])}
    draft = found.get(RosterStatus.DRAFT) if may_manage(actor, location_id) else None
    return {"published": found.get(RosterStatus.PUBLISHED), "draft": draft}


def explain(roster: Roster) -> list[dict[str, Any]]:
    """The roster's cost rule by rule, in words (rules that cost nothing say so)."""
    labels = {
        "shift_on_requests": _("Requests to work a shift that were not granted"),
        "shift_off_requests": _("Requests for time off that were not granted"),
        "cover_under": _("Staff missing from shifts (cover short)"),
        "cover_over": _("Staff beyond what shifts need (cover over)"),
        "changes": _("Changes from the published roster"),
    }
    lines = []
    for rule, label in labels.items():
        if rule == "changes" and roster.based_on_id is None:
            continue
        cost = int(roster.breakdown.get(rule, 0))
        lines.append({"rule": rule, "label": label, "cost": cost})
    return lines


@dataclass
class DayCover:
    day: dt.date
    short: int = 0
    over: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def short_text(self) -> str:
        return str(self.short)

    @property
    def over_text(self) -> str:
        return str(self.over)


@dataclass
class Grid:
    days: list[dt.date]
    rows: list[dict[str, Any]]  # {"member": StaffMember, "cells": [ShiftType | None per day], "minutes": int}
    cover: list[DayCover]
    shifts: list[ShiftType]

    @property
    def short(self) -> int:
        return sum(c.short for c in self.cover)

    @property
    def over(self) -> int:
        return sum(c.over for c in self.cover)


def roster_grid(roster: Roster) -> Grid:
    """Staff x days with each day's shift, and per day how many staff are short or over the cover needs (as the
    engine counts them: a need naming a skill counts only its holders)."""
    days = [roster.period_start + dt.timedelta(days=i) for i in range(PERIOD_DAYS)]
    assignments = list(RosterAssignment.objects.filter(roster=roster).select_related("shift_type", "staff__user")
                       .prefetch_related("staff__skills"))
    members = {a.staff_id: a.staff for a in assignments}
    for member in StaffMember.objects.filter(location_id=roster.location_id, active=True).select_related("user"):
        members.setdefault(member.pk, member)
    by_cell = {(a.staff_id, a.date): a.shift_type for a in assignments}
    ordered = sorted(members.values(), key=lambda m: m.display_name.lower())
    rows = []
    for member in ordered:
        cells = [by_cell.get((member.pk, day)) for day in days]
        rows.append({"member": member, "cells": cells,
                     "hours": sum(c.paid_minutes for c in cells if c is not None) / 60})
    working: dict[tuple[dt.date, int], list[StaffMember]] = defaultdict(list)
    for a in assignments:
        working[a.date, a.shift_type_id].append(a.staff)
    needs = list(CoverNeed.objects.filter(location_id=roster.location_id, shift_type__active=True)
                 .select_related("shift_type", "skill"))
    cover = []
    for day in days:
        chosen: dict[tuple[int, int | None], CoverNeed] = {}
        for need in sorted(needs, key=lambda n: n.date is not None):
            if need.date == day or (need.date is None and need.weekday == day.weekday()):
                chosen[need.shift_type_id, need.skill_id] = need
        entry = DayCover(day)
        for need in chosen.values():
            staff = working.get((day, need.shift_type_id), [])
            have = sum(1 for m in staff if need.skill_id is None
                       or any(s.pk == need.skill_id for s in m.skills.all()))
            what = need.skill.name if need.skill is not None else _("staff")
            if have < need.count:
                entry.short += need.count - have
                entry.notes.append(_("%(shift)s: %(n)s %(what)s short") % {
                    "shift": need.shift_type.code, "n": need.count - have, "what": what})
            elif have > need.count:
                entry.over += have - need.count
                entry.notes.append(_("%(shift)s: %(n)s %(what)s over") % {
                    "shift": need.shift_type.code, "n": have - need.count, "what": what})
        cover.append(entry)
    shifts = list(ShiftType.objects.filter(location_id=roster.location_id))
    return Grid(days=days, rows=rows, cover=cover, shifts=shifts)


def my_shifts(*, actor: Actor, start: dt.date, days: int = 28) -> list[RosterAssignment]:
    """The actor's shifts in published rosters from `start`, for `days` days."""
    require(actor, Perm.STAFFING_READ)
    return list(RosterAssignment.objects.filter(
        staff__user_id=getattr(actor, "pk", 0) or 0, roster__status=RosterStatus.PUBLISHED,
        date__range=(start, start + dt.timedelta(days=days - 1))).select_related("shift_type", "roster"))


def certification_current(user_id: int, training_code: str, on_date: dt.date) -> bool:
    """Whether the person holds the training `training_code` (HIPAA, OSHA-BBP, CPR-BLS, FIRE, CLIA, ...) valid on
    `on_date`: completed on or before it and valid until it or later. No permission check (a yes or no about a
    staff member, for other apps' rules such as CLIA competency before a waived test)."""
    from .training_selectors import certification_current as current

    return current(user_id, training_code, on_date)


@dataclass
class DemandWeek:
    """One week of a roster period as the demand forecast sees it (insight, #22): the appointment requests
    expected at the location, their likely range (80 %), and the providers' hours wanted against the templates'."""

    week_start: dt.date
    visits: int
    low: int
    high: int
    demand_hours: int
    capacity_hours: int
    flagged: bool
    extra_sessions: int  # extra half-day sessions the forecast suggests when demand exceeds capacity


def demand_outlook(*, actor: Actor, location_id: int, period_start: dt.date) -> list[DemandWeek]:
    """The forecast of each week that overlaps the roster period, for whoever reads the roster; empty when no
    forecast covers it (aggregates only: no patient data, nothing audited)."""
    require(actor, Perm.STAFFING_READ)
    weeks: list[DemandWeek] = []
    monday = period_start - dt.timedelta(days=period_start.weekday())
    while monday < period_start + dt.timedelta(days=PERIOD_DAYS):
        week = forecast_for_week(location_id, monday)
        if week is not None:
            weeks.append(DemandWeek(
                week_start=monday, visits=round(week.total.mean), low=round(week.total.lo80),
                high=round(week.total.hi80), demand_hours=round(week.demand_minutes / 60),
                capacity_hours=round(week.capacity_minutes / 60), flagged=week.flagged,
                extra_sessions=sum(int(s.get("sessions", 0)) for s in week.suggestions)))
        monday += dt.timedelta(days=7)
    return weeks
