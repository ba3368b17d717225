"""Reads for the home screen: today's appointments per location, split into parts that add up to the total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import AppointmentStatus as S
from clinicdesk.scheduling.selectors import appointment_counts_today, appointments_for_day

# The parts of a day's appointments, in the order the day goes. Every status but "entered in error" (a record
# that should never have existed) is in exactly one part, so the parts add up to the total.
TILE_PARTS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("to-come", _("still to come"), (S.PROPOSED, S.PENDING, S.BOOKED, S.WAITLIST)),
    ("here", _("here now"), (S.ARRIVED, S.CHECKED_IN)),
    ("seen", _("seen"), (S.FULFILLED,)),
    ("no-show", _("no-shows"), (S.NOSHOW,)),
    ("cancelled", _("cancelled"), (S.CANCELLED,)),
)
NOT_COUNTED = (S.ENTERED_IN_ERROR,)


@dataclass
class TilePart:
    key: str
    label: str
    count: int
    url: str


@dataclass
class Tile:
    location: Any
    day: dt.date
    parts: list[TilePart] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(part.count for part in self.parts)

    @property
    def url(self) -> str:
        return _list_url(self.location, "all")


def _list_url(location: Location, group: str, *, mine: bool = False) -> str:
    params = {"location": str(location.pk), "group": group, **({"mine": "1"} if mine else {})}
    return f"{reverse('reports:appointments')}?{urlencode(params)}"


def home_tiles(locations: Sequence[Any]) -> list[Tile]:
    """One tile per location: today's appointments (its own today), each part linking to its list."""
    tiles = []
    for row in appointment_counts_today(locations):
        by_status = row["by_status"]
        tiles.append(Tile(row["location"], row["day"], [
            TilePart(key, str(label), sum(by_status.get(s, 0) for s in statuses), _list_url(row["location"], key))
            for key, label, statuses in TILE_PARTS]))
    return tiles


@dataclass
class DayList:
    location: Any
    day: dt.date
    group: str
    label: str
    appointments: list[Any]


def appointments_today(*, actor: Actor, location: Location, group: str, mine: bool = False) -> DayList:
    """The appointments behind one number of a home tile (or all of them): scheduling's audited day list,
    narrowed to the part's statuses (and, `mine`, to the provider's own)."""
    parts = {key: (str(label), statuses) for key, label, statuses in TILE_PARTS}
    if group != "all" and group not in parts:
        raise NotFound()
    label, statuses = parts.get(group, (str(_("all appointments")), tuple(s for s in S.values
                                                                         if s not in NOT_COUNTED)))
    day = clock.today_in(location.tz)
    rows = [a for a in appointments_for_day(actor=actor, location=location, day=day) if a.status in statuses]
    if mine:
        practitioner = getattr(actor, "practitioner", None)
        rows = [a for a in rows if practitioner is not None and a.practitioner_id == practitioner.pk]
    return DayList(location, day, group, label, rows)


# --- home by role ------------------------------------------------------------------------------------------

@dataclass
class Figure:
    """One number on the home screen, with the words for it and the list it counts."""

    key: str
    label: str
    count: int
    url: str


@dataclass
class Panel:
    """A home panel: a total made of parts that add up to it, each a link; `rows` are what it lists."""

    key: str
    title: str
    url: str
    parts: list[Figure] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    location: Any = None

    @property
    def total(self) -> int:
        return sum(part.count for part in self.parts)


def _q(name: str, **params: Any) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def waiting_panel(*, actor: Actor, location: Location) -> Panel:
    """Who is waiting at the desk now and for how long (arrived, or checked in and not yet roomed)."""
    from clinicdesk.frontdesk.selectors import flow_board

    waiting = next((c for c in flow_board(actor=actor, location=location) if c.key == "waiting"), None)
    visits = list(waiting.visits) if waiting else []
    url = _q("frontdesk:board", location=location.pk)
    arrived = [v for v in visits if v.status == "arrived"]
    parts = [Figure("arrived", str(_("arrived, not checked in")), len(arrived), url),
             Figure("checked-in", str(_("checked in, waiting for a room")), len(visits) - len(arrived), url)]
    return Panel("waiting", str(_("Waiting now")), url, parts, visits, location)


def inbox_panels(*, actor: Actor) -> list[Panel]:
    """Tasks (overdue, due today, later: all the open tasks the inbox lists) and messages needing attention
    (triage slips to answer, escalated, answered to call back)."""
    from clinicdesk.frontdesk.selectors import inbox_for

    inbox = inbox_for(actor=actor)
    url = _q("frontdesk:inbox")
    overdue = sum(1 for t in inbox.tasks if t.due_date < inbox.today)
    today = sum(1 for t in inbox.tasks if t.due_date == inbox.today)
    tasks = Panel("tasks", str(_("Tasks")), url, [
        Figure("overdue", str(_("past due")), overdue, url),
        Figure("due-today", str(_("due today")), today, url),
        Figure("later", str(_("due later")), len(inbox.tasks) - overdue - today, url)], inbox.tasks[:5])
    messages = Panel("messages", str(_("Messages needing attention")), url, [
        Figure("to-answer", str(_("triage slips to answer")), len(inbox.slips), url),
        Figure("escalated", str(_("escalated")), len(inbox.escalations), url),
        Figure("call-back", str(_("answered: call the patient back")), len(inbox.answered), url)])
    return [tasks, messages]


def worklist_panels(*, actor: Actor, location: Location) -> list[Panel]:
    """The coordinator's worklists at a location: pre-visit (not ready in the next business days) and the
    waitlist. (Referrals and authorizations join here when they land.)"""
    from clinicdesk.frontdesk.selectors import previsit_worklist
    from clinicdesk.scheduling.selectors import waitlist_for

    not_ready = previsit_worklist(actor=actor, location=location)
    url = _q("frontdesk:worklist", location=location.pk)
    chased = sum(1 for n in not_ready if n.chased)
    previsit = Panel("previsit", str(_("Pre-visit worklist")), url, [
        Figure("not-chased", str(_("not contacted yet")), len(not_ready) - chased, url),
        Figure("chased", str(_("contacted, still missing something")), chased, url)], location=location)
    entries = waitlist_for(actor=actor, location=location)
    wurl = _q("scheduling:waitlist", location=location.pk)
    waitlist = Panel("waitlist", str(_("Waitlist")), wurl, [
        Figure("waiting", str(_("patients waiting for a slot")), len(entries), wurl)], location=location)
    return [previsit, waitlist]


def provider_day(*, actor: Actor, location: Location) -> Tile | None:
    """The provider's own appointments today at a location, in the home tile's parts (which add up), each part
    linking to the list of them; None when the user is not a provider with a practitioner record."""
    practitioner = getattr(actor, "practitioner", None)
    if practitioner is None:
        return None
    day = clock.today_in(location.tz)
    mine = [a for a in appointments_for_day(actor=actor, location=location, day=day)
            if a.practitioner_id == practitioner.pk and a.status not in NOT_COUNTED]
    tile = Tile(location, day)
    for key, label, statuses in TILE_PARTS:
        tile.parts.append(TilePart(key, str(label), sum(1 for a in mine if a.status in statuses),
                                   _list_url(location, key, mine=True)))
    tile.rows = mine
    return tile
