"""Schedules and slots computed from the availability engine (scheduling.availability.Window): the same
templates, exceptions, holidays and bookings the booking screen uses. Nothing here is stored."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

from clinicdesk.core import clock
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling import intervals
from clinicdesk.scheduling.availability import Window
from clinicdesk.scheduling.models import AppointmentType, ResourceKind

from .mappers.schedule import SlotKey

GRID = dt.timedelta(minutes=5)
UNTYPED_SLOT = dt.timedelta(minutes=15)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _ceil_grid(moment: dt.datetime) -> dt.datetime:
    steps = -(-(moment - EPOCH) // GRID)
    return EPOCH + steps * GRID


@dataclass(frozen=True)
class ComputedSlot:
    key: SlotKey
    status: str  # free or busy
    kind: AppointmentType | None


def _local_days(location: Location, low: dt.datetime, high: dt.datetime) -> tuple[dt.date, dt.date]:
    tz = location.tz
    return low.astimezone(tz).date(), (high - dt.timedelta(microseconds=1)).astimezone(tz).date()


def compute(*, location: Location, practitioners: list[Practitioner], kind: AppointmentType | None,
            low: dt.datetime, high: dt.datetime, statuses: frozenset[str]) -> list[ComputedSlot]:
    """Slots starting in [low, high) at one location, for the given practitioners, ordered by start."""
    if not practitioners or high <= low:
        return []
    first_day, last_day = _local_days(location, low, high)
    window = Window.load(location=location, first_day=first_day, last_day=last_day,
                         practitioner_ids=[p.pk for p in practitioners],
                         room_kind=(kind.room_kind or None) if kind else None,
                         equipment_kinds=(kind.equipment_kinds or ()) if kind else ())
    now = clock.now()
    found: list[ComputedSlot] = []
    for practitioner in practitioners:
        busy = window.busy_for(ResourceKind.PRACTITIONER, practitioner.pk)
        if "busy" in statuses:
            for start, end in busy:
                if low <= start < high:
                    found.append(ComputedSlot(SlotKey(practitioner.pk, location.pk, 0, start, end), "busy", None))
        if "free" not in statuses:
            continue
        before = kind.buffer_before if kind else dt.timedelta(0)
        after = kind.buffer_after if kind else dt.timedelta(0)
        # Where a new appointment's core may not be (its buffers around others' bookings); once, not per day.
        expanded = intervals.normalize((s - after, e + before) for s, e in busy)
        starts = [s for s, _e in expanded]
        for day in window.days():
            found.extend(_free_on(window, practitioner, day, kind, expanded, starts, now, low, high))
    found.sort(key=lambda s: (s.key.start, s.key.practitioner_id, s.key.type_id))
    return found


def _free_on(window: Window, practitioner: Practitioner, day: dt.date, kind: AppointmentType | None,
             expanded: list[intervals.Span], starts: list[dt.datetime], now: dt.datetime, low: dt.datetime,
             high: dt.datetime) -> list[ComputedSlot]:
    if kind is None:
        open_time = intervals.normalize((b.start, b.end) for b in window.blocks(practitioner.pk, day))
        duration, before, after = UNTYPED_SLOT, dt.timedelta(0), dt.timedelta(0)
    else:
        open_time = window.open_for(practitioner.pk, day, kind.pk)
        duration, before, after = kind.duration, kind.buffer_before, kind.buffer_after
    if not open_time:
        return []
    # The normalized spans that can touch this day's open time (sorted, non-overlapping: bisect on starts).
    first = max(0, bisect.bisect_left(starts, open_time[0][0]) - 1)
    last = bisect.bisect_right(starts, open_time[-1][1])
    slots = []
    for seg_start, seg_end in intervals.subtract(open_time, expanded[first:last]):
        start = _ceil_grid(seg_start)  # slots are cut from the segment's start, whatever was asked
        while start + duration <= seg_end and start < high:
            end = start + duration
            if start >= now and start >= low and (
                    kind is None or _resources_free(window, kind, start - before, end + after)):
                slots.append(ComputedSlot(SlotKey(practitioner.pk, window.location.pk, kind.pk if kind else 0,
                                                  start, end), "free", kind))
            start = end
    return slots


def _resources_free(window: Window, kind: AppointmentType, start: dt.datetime, end: dt.datetime) -> bool:
    if kind.room_kind and window.free_room(start, end) is None:
        return False
    taken: list[Any] = []
    for wanted in kind.equipment_kinds or ():
        piece = window.free_equipment(wanted, start, end)
        if piece is None or piece in taken:
            return False
        taken.append(piece)
    return True


def slot_status(key: SlotKey, location: Location, practitioner: Practitioner, kind: AppointmentType | None
                ) -> str | None:
    """What a slot id stands for now: 'free', 'busy', or None when it is not a slot of this schedule."""
    for item in compute(location=location, practitioners=[practitioner], kind=kind, low=key.start,
                        high=key.start + dt.timedelta(seconds=1), statuses=frozenset({"free"})):
        if item.key == key:
            return "free"
    window = Window.load(location=location, first_day=key.start.astimezone(location.tz).date(),
                         last_day=key.end.astimezone(location.tz).date(), practitioner_ids=[practitioner.pk])
    if intervals.overlaps_any(window.busy_for(ResourceKind.PRACTITIONER, practitioner.pk), key.start, key.end):
        return "busy"  # offered once, taken since
    return None
