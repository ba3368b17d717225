"""The rostering problem as plain, frozen data (the shape of the Curtois & Qu benchmark instances).

Day 0 is a Monday; a weekend is Saturday (day 7k+5) and Sunday (7k+6), and it is worked when either day is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Shift:
    id: str
    minutes: int
    cannot_follow: frozenset[str] = frozenset()  # shift ids that may not be worked the day after this one


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: Mapping[str, int]  # per shift id; a shift id not listed may be worked any number of times
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int

    def max_of(self, shift_id: str, horizon: int) -> int:
        return self.max_shifts.get(shift_id, horizon)


@dataclass(frozen=True)
class Request:
    """A wish to work (on-request) or not to work (off-request) a shift on a day; `weight` is its penalty."""

    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    """How many staff a shift needs on a day; each one short costs `under_weight`, each one over `over_weight`."""

    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int
    skill: str = ""  # only staff holding this skill count towards it ("" = everyone; not in the benchmark format)


@dataclass(frozen=True, order=True)
class Assignment:
    staff: str
    day: int
    shift: str


@dataclass(frozen=True)
class Instance:
    horizon: int
    shifts: tuple[Shift, ...]
    staff: tuple[Staff, ...]
    days_off: Mapping[str, frozenset[int]] = field(default_factory=dict)
    on_requests: tuple[Request, ...] = ()
    off_requests: tuple[Request, ...] = ()
    cover: tuple[Cover, ...] = ()
    name: str = ""
    # Not in the benchmark format (the practice's own data): the skills each staff member holds (for cover that
    # names a skill), and successions forbidden to one person only, (shift today, shift tomorrow) pairs (their
    # minimum rest between shifts), on top of every shift's `cannot_follow`.
    skills: Mapping[str, frozenset[str]] = field(default_factory=dict)
    own_successions: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    # (day, shift) -> rule that one person may not work that shift that day for (e.g. "certification": a
    # training the shift needs has expired by then). Hard, like a day off but for one shift.
    barred: Mapping[str, Mapping[tuple[int, str], str]] = field(default_factory=dict)

    @cached_property
    def shift_by_id(self) -> dict[str, Shift]:
        return {shift.id: shift for shift in self.shifts}

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return {person.id: person for person in self.staff}

    @cached_property
    def weekends(self) -> tuple[tuple[int, ...], ...]:
        """The days of each weekend inside the horizon (a horizon ending on a Saturday keeps that Saturday)."""
        result = []
        for saturday in range(5, self.horizon, 7):
            result.append(tuple(day for day in (saturday, saturday + 1) if day < self.horizon))
        return tuple(result)

    def days_off_of(self, staff_id: str) -> frozenset[int]:
        return self.days_off.get(staff_id, frozenset())

    def barred_of(self, staff_id: str) -> Mapping[tuple[int, str], str]:
        return self.barred.get(staff_id, {})

    def counts_for(self, staff_id: str, need: Cover) -> bool:
        """Whether `staff_id` working `need.shift` counts towards `need` (everyone, or a holder of its skill)."""
        return not need.skill or need.skill in self.skills.get(staff_id, frozenset())

    def may_not_follow(self, staff_id: str, shift_id: str) -> frozenset[str]:
        """The shifts `staff_id` may not work the day after working `shift_id`."""
        own = self.own_successions.get(staff_id, frozenset())
        return self.shift_by_id[shift_id].cannot_follow | {after for before, after in own if before == shift_id}
