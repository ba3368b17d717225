"""Reads of leave: lists, the away calendar, balances, and the cover proposals for a provider's approved leave.

The proposals (issue #20 item 4) come from the scheduling first-available search, the same one the desk uses:
for each appointment the leave affects, in time order, first another provider who takes the appointment type
(of the same specialty, when the absent provider has one) with a free time as close as possible to the original
(the same day or the next two), else a new time with the same provider after the leave. A time proposed for one
appointment is not proposed for another. Searches are shared by appointments of the same type, location and day,
so a two-week vacation of 200 appointments costs a few dozen searches, not hundreds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.practice.models import Location
from clinicdesk.scheduling import selectors as scheduling_selectors
from clinicdesk.scheduling.models import ACTIVE_STATUSES, MOVABLE_STATUSES, Appointment
from clinicdesk.scheduling.search import Option, SearchQuery

from .models import LeaveAllowance, LeaveKind, LeaveRequest, LeaveStatus

NEARBY_DAYS = 2  # another provider: the appointment's day and the next two
LATER_DAYS = 42  # the same provider: up to six weeks after the leave
SEARCH_LIMIT = 50  # what one first-available search answers at most
MAX_ROUNDS = 8


class ProposalKind:
    OTHER_PROVIDER = "other-provider"
    SAME_PROVIDER_LATER = "same-provider-later"
    NONE = "none"
    NOT_MOVABLE = "not-movable"


@dataclass
class Proposal:
    appointment: Appointment
    kind: str
    option: Option | None = None

    @property
    def label(self) -> str:
        return {
            ProposalKind.OTHER_PROVIDER: _("Another provider"),
            ProposalKind.SAME_PROVIDER_LATER: _("Same provider, after the leave"),
            ProposalKind.NONE: _("No free time found: call the patient"),
            ProposalKind.NOT_MOVABLE: _("Cannot be moved (already arrived or past)"),
        }[self.kind]


def _leave_queryset() -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.select_related("user", "practitioner", "location", "decided_by")


def leave_get(*, actor: Actor, leave_id: int) -> LeaveRequest:
    """One leave: the coordinator at its location, or the person it is for."""
    leave = _leave_queryset().filter(pk=leave_id).first()
    if leave is None:
        raise NotFound()
    own = leave.user_id is not None and leave.user_id == getattr(staff_user(actor), "pk", None)
    if not own:
        require(actor, Perm.STAFFING_ADMIN, location=leave.location_id, resource_type="leave", resource_id=leave_id,
                hide=True)
    return leave


def leave_list(*, actor: Actor, location: Location | None = None, status: str = "",
               first_day: dt.date | None = None, last_day: dt.date | None = None) -> list[LeaveRequest]:
    """The coordinator's list at a location (every location they manage when none is given)."""
    if location is not None:
        require(actor, Perm.STAFFING_ADMIN, location=location, resource_type="leave")
        leaves = _leave_queryset().filter(location=location)
    else:
        require(actor, Perm.STAFFING_ADMIN, resource_type="leave")
        leaves = _leave_queryset()
        if not getattr(actor, "practice_wide", False):
            leaves = leaves.filter(location_id__in=actor.location_ids())
    if status:
        leaves = leaves.filter(status=status)
    if first_day is not None:
        leaves = leaves.filter(last_day__gte=first_day)
    if last_day is not None:
        leaves = leaves.filter(first_day__lte=last_day)
    return list(leaves.order_by("status", "first_day", "pk")[:500])


def my_leave(*, actor: Actor) -> list[LeaveRequest]:
    require(actor, Perm.STAFFING_READ, resource_type="leave")
    user = staff_user(actor)
    if user is None:
        return []
    return list(_leave_queryset().filter(Q(user=user) | Q(practitioner__user=user)).order_by("-first_day")[:100])


@dataclass
class AwayDay:
    day: dt.date
    people: list[LeaveRequest] = field(default_factory=list)


def away_calendar(*, actor: Actor, location: Location, first_day: dt.date, days: int = 28) -> list[AwayDay]:
    """Who is away (approved leave) on each day: everyone on the staff may see it (no reasons shown)."""
    require(actor, Perm.STAFFING_READ, location=location, resource_type="leave")
    last_day = first_day + dt.timedelta(days=days - 1)
    leaves = list(_leave_queryset().filter(location=location, status=LeaveStatus.APPROVED,
                                           first_day__lte=last_day, last_day__gte=first_day)
                  .order_by("first_day", "pk"))
    calendar = [AwayDay(first_day + dt.timedelta(days=n)) for n in range(days)]
    for leave in leaves:
        for away in calendar:
            if leave.first_day <= away.day <= leave.last_day:
                away.people.append(leave)
    return calendar


@dataclass
class Balance:
    user: Any
    kind: str
    allowance: Decimal
    taken: int
    booked: int  # approved but still to come

    @property
    def kind_label(self) -> str:
        return str(LeaveKind(self.kind).label)

    @property
    def left(self) -> Decimal:
        return self.allowance - self.taken - self.booked


def _working_days(first: dt.date, last: dt.date) -> int:
    return sum(1 for n in range((last - first).days + 1) if (first + dt.timedelta(days=n)).weekday() < 5)


def leave_balances(*, actor: Actor, location: Location, year: int) -> list[Balance]:
    """Each person's allowance for the year against the working days (Monday to Friday) of their approved leave of
    that kind: taken (before today) and booked (today on)."""
    require(actor, Perm.STAFFING_ADMIN, location=location, resource_type="leave")
    today = clock.now().astimezone(location.tz).date()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    allowances = list(LeaveAllowance.objects.filter(year=year, user__locations=location)
                      .select_related("user").distinct().order_by("user__last_name", "user__first_name", "kind"))
    leaves = LeaveRequest.objects.filter(user_id__in=[a.user_id for a in allowances], status=LeaveStatus.APPROVED,
                                         first_day__lte=last, last_day__gte=first)
    used: dict[tuple[int, str], list[int]] = {}
    for leave in leaves:
        start, stop = max(leave.first_day, first), min(leave.last_day, last)
        past = _working_days(start, min(stop, today - dt.timedelta(days=1))) if start < today else 0
        coming = _working_days(max(start, today), stop) if stop >= today else 0
        totals = used.setdefault((leave.user_id or 0, leave.kind), [0, 0])
        totals[0] += past
        totals[1] += coming
    return [Balance(user=a.user, kind=a.kind, allowance=a.days, taken=used.get((a.user_id, a.kind), [0, 0])[0],
                    booked=used.get((a.user_id, a.kind), [0, 0])[1]) for a in allowances]


# --- cover proposals ---------------------------------------------------------------------------------------------

def affected_appointments(leave: LeaveRequest) -> list[Appointment]:
    """The provider's active appointments during the leave (in the leave location's days)."""
    if leave.practitioner_id is None:
        return []
    tz = leave.location.tz
    start = local_to_utc(leave.first_day, dt.time(0), tz)
    end = local_to_utc(leave.last_day + dt.timedelta(days=1), dt.time(0), tz)
    return list(Appointment.objects.filter(practitioner_id=leave.practitioner_id, status__in=ACTIVE_STATUSES,
                                           start__lt=end, end__gt=start)
                .select_related("patient", "appointment_type", "location", "practitioner").order_by("start", "pk"))


class _Searches:
    """First-available answers shared between appointments, grown when the proposals use them up."""

    def __init__(self, actor: Actor, leave: LeaveRequest) -> None:
        self.actor, self.leave = actor, leave
        self.answers: dict[tuple[Any, ...], list[Option]] = {}
        self.same_time: dict[int, list[Option]] = {}
        self.claimed: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        self.specialty = (leave.practitioner.specialty or "").strip().lower() if leave.practitioner else ""

    def _free(self, option: Option) -> bool:
        return not any(option.start < end and start < option.end
                       for start, end in self.claimed.get(option.practitioner.pk, []))

    def claim(self, option: Option) -> None:
        self.claimed.setdefault(option.practitioner.pk, []).append((option.start, option.end))

    def _search(self, key: tuple[Any, ...], query: SearchQuery, fits: Any) -> list[Option]:
        """The free options of a (cached) search that fit; when the search's answer is used up, the search goes on
        from the day of its last option to the query's last day (the first-available search gives at most
        SEARCH_LIMIT options at a time)."""
        options = self.answers.get(key)
        if options is None:
            options = self.answers[key] = scheduling_selectors.slots_search(actor=self.actor, query=query)
        free = [o for o in options if fits(o) and self._free(o)]
        rounds = 0
        while not free and len(options) >= SEARCH_LIMIT and rounds < MAX_ROUNDS:
            rounds += 1
            tz = options[-1].location.tz
            resume = max(o.start for o in options).astimezone(tz).date()
            if query.last_day is not None and resume > query.last_day:
                break
            seen = {(o.practitioner.pk, o.start) for o in options}
            more = scheduling_selectors.slots_search(actor=self.actor, query=replace(query, first_day=resume))
            more = [o for o in more if (o.practitioner.pk, o.start) not in seen]
            if not more:
                break
            options = self.answers[key] = options + more
            free = [o for o in more if fits(o) and self._free(o)]
        return free

    def _fits(self, option: Option) -> bool:
        other = option.practitioner
        return other.pk != self.leave.practitioner_id and (
            not self.specialty or (other.specialty or "").strip().lower() == self.specialty)

    def free_at_their_times(self, appointments: list[Appointment]) -> None:
        """Who is free at each appointment's own time: one scheduling read per location and type."""
        groups: dict[tuple[int, int], list[Appointment]] = {}
        for appointment in appointments:
            groups.setdefault((appointment.location_id, appointment.appointment_type_id), []).append(appointment)
        for (_location_id, type_id), group in groups.items():
            free = scheduling_selectors.practitioners_free_at(
                actor=self.actor, location=group[0].location, appointment_type_id=type_id,
                starts=[a.start for a in group])
            for appointment in group:
                self.same_time[appointment.pk] = free.get(appointment.start, [])

    def other_provider(self, appointment: Appointment, today: dt.date) -> Option | None:
        """A colleague at the very same time when one is free (the patient keeps their plans), else the closest
        free time with a colleague in the next few days."""
        same_time = [o for o in self.same_time.get(appointment.pk, []) if self._fits(o) and self._free(o)]
        if same_time:
            return same_time[0]
        local = appointment.start.astimezone(appointment.location.tz)
        day = max(local.date(), today)
        query = SearchQuery(appointment_type_id=appointment.appointment_type_id, location_id=appointment.location_id,
                            first_day=day, last_day=day + dt.timedelta(days=NEARBY_DAYS), limit=SEARCH_LIMIT)
        free = self._search(("other", appointment.appointment_type_id, appointment.location_id, day), query,
                            self._fits)
        return min(free, key=lambda o: abs((o.start - appointment.start).total_seconds())) if free else None

    def same_provider(self, appointment: Appointment, today: dt.date) -> Option | None:
        day = max(self.leave.last_day + dt.timedelta(days=1), today)
        query = SearchQuery(appointment_type_id=appointment.appointment_type_id, location_id=appointment.location_id,
                            practitioner_ids=(int(appointment.practitioner_id),), first_day=day,
                            last_day=day + dt.timedelta(days=LATER_DAYS), limit=SEARCH_LIMIT)
        free = self._search(("same", appointment.appointment_type_id, appointment.location_id), query,
                            lambda option: True)
        return min(free, key=lambda o: o.start) if free else None


@atomic_service
def leave_cover_proposals(*, actor: Actor, leave_id: int) -> list[Proposal]:
    """A proposed cover for every appointment an approved provider leave affects (see the module's docstring).
    Shows patient names: recorded as an appointment list read."""
    leave = _leave_queryset().filter(pk=leave_id).first()
    if leave is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=leave.location_id, resource_type="leave", resource_id=leave_id,
            hide=True)
    if leave.status != LeaveStatus.APPROVED or leave.practitioner_id is None:
        return []
    appointments = affected_appointments(leave)
    now = clock.now()
    today = now.astimezone(leave.location.tz).date()
    searches = _Searches(actor, leave)
    searches.free_at_their_times([a for a in appointments if a.status in MOVABLE_STATUSES and a.start > now])
    proposals: list[Proposal] = []
    for appointment in appointments:
        if appointment.status not in MOVABLE_STATUSES or appointment.start <= now:
            proposals.append(Proposal(appointment, ProposalKind.NOT_MOVABLE))
            continue
        option = searches.other_provider(appointment, today)
        kind = ProposalKind.OTHER_PROVIDER
        if option is None:
            option, kind = searches.same_provider(appointment, today), ProposalKind.SAME_PROVIDER_LATER
        if option is None:
            proposals.append(Proposal(appointment, ProposalKind.NONE))
            continue
        searches.claim(option)
        proposals.append(Proposal(appointment, kind, option))
    if appointments:
        record(actor, "appointment.list", resource_type="appointment",
               detail={"leave": leave.pk, "patients": sorted({a.patient_id for a in appointments})})
    return proposals




def leave_people(*, actor: Actor, location: Location) -> list[tuple[str, str]]:
    """Whom the coordinator may enter leave for at a location: staff accounts ("u:<id>") and providers without one
    ("p:<id>"), by name."""
    from django.contrib.auth import get_user_model

    from clinicdesk.practice.models import Practitioner

    require(actor, Perm.STAFFING_ADMIN, location=location, resource_type="leave")
    users = get_user_model().objects.filter(locations=location, is_active=True).order_by("last_name", "first_name")
    people = [(f"u:{u.pk}", u.get_full_name() or u.get_username()) for u in users]
    providers = Practitioner.objects.filter(locations=location, active=True, user__isnull=True)
    people += [(f"p:{p.pk}", str(p)) for p in providers.order_by("last_name", "first_name")]
    return people
