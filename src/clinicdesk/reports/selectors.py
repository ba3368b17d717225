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

    @property
    def total(self) -> int:
        return sum(part.count for part in self.parts)

    @property
    def url(self) -> str:
        return _list_url(self.location, "all")


def _list_url(location: Location, group: str) -> str:
    return f"{reverse('reports:appointments')}?{urlencode({'location': str(location.pk), 'group': group})}"


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


def appointments_today(*, actor: Actor, location: Location, group: str) -> DayList:
    """The appointments behind one number of a home tile (or all of them): scheduling's audited day list,
    narrowed to the part's statuses."""
    parts = {key: (str(label), statuses) for key, label, statuses in TILE_PARTS}
    if group != "all" and group not in parts:
        raise NotFound()
    label, statuses = parts.get(group, (str(_("all appointments")), tuple(s for s in S.values
                                                                         if s not in NOT_COUNTED)))
    day = clock.today_in(location.tz)
    rows = [a for a in appointments_for_day(actor=actor, location=location, day=day) if a.status in statuses]
    return DayList(location, day, group, label, rows)
