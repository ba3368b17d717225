"""Computed availability: templates minus exceptions and holidays, minus resource bookings.

`Window.load(...)` reads a bounded window with a fixed handful of queries (templates with their
reserved types, exceptions, holidays, rooms, equipment, bookings); everything after that is interval
arithmetic in memory. No free slot is ever stored.

Bookings arrive as busy ranges per resource, already merged: on PostgreSQL `range_agg` merges overlapping
and touching bookings in the database and the bounds travel as integer microseconds since the epoch
(Django's timestamptz loader parses text in Python, which cost more than the search itself); on SQLite the
rows are merged here. First-available search loads lazily (`lazy_bookings`, `lazy_resources`): bookings
only for the days it searches, rooms and equipment only for the days where a provider has a candidate time.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Q

from clinicdesk.core.timezones import day_span_utc, window_bound_to_utc
from clinicdesk.practice.models import Equipment, Location, Room

from . import intervals
from .intervals import Span
from .models import (
    MAX_BOOKING_SPAN,
    AvailabilityException,
    AvailabilityTemplate,
    LocationHoliday,
    ResourceBooking,
    ResourceKind,
)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_end_of = itemgetter(1)
_ROOM, _EQUIPMENT = ResourceKind.ROOM.value, ResourceKind.EQUIPMENT.value  # plain str: cheaper dict keys
Resources = list[tuple[str, list[int]]]  # (resource kind, ids): which resources' bookings to read
# Busy ranges per resource (PostgreSQL): the union of the bookings of the resources that overlap the spans, as
# epoch microseconds. One branch per resource kind, so that each is an index-only scan. Written out rather than
# built by the ORM: building that query cost more than running it.
_MERGED_BOOKINGS = """
SELECT resource_kind, resource_id, exclusive,
       (extract(epoch FROM lower(span)) * 1000000)::bigint, (extract(epoch FROM upper(span)) * 1000000)::bigint
FROM (SELECT resource_kind, resource_id, exclusive, unnest(range_agg(tstzrange("start", "end", '[)'))) AS span
      FROM (BRANCHES) AS booking
      GROUP BY resource_kind, resource_id, exclusive) AS merged
""".strip()
_BRANCH = """
SELECT resource_kind, resource_id, exclusive, "start", "end" FROM scheduling_resourcebooking
WHERE resource_kind = %s AND resource_id = ANY(%s) AND "start" >= %s AND "start" < %s AND (SPANS) EXCLUDE
""".strip()


@dataclass(frozen=True)
class Block:
    """One availability block on one day, in UTC; `reserved` holds the only type ids it admits."""

    start: dt.datetime
    end: dt.datetime
    reserved: frozenset[int] = frozenset()

    def admits(self, type_id: int) -> bool:
        return not self.reserved or type_id in self.reserved


@dataclass(frozen=True)
class Template:
    """A weekly block as the engine needs it (read with values_list: no model instances)."""

    weekday: int
    start_time: dt.time
    end_time: dt.time
    effective_from: dt.date
    effective_until: dt.date | None
    reserved: frozenset[int] = frozenset()

    def applies_on(self, day: dt.date) -> bool:
        return (day.weekday() == self.weekday and self.effective_from <= day
                and (self.effective_until is None or day <= self.effective_until))


@dataclass
class Window:
    """Everything needed to answer "who is free when" at one location over [first_day, last_day]."""

    location: Location
    first_day: dt.date
    last_day: dt.date
    templates: dict[int, list[Template]] = field(default_factory=dict)
    exceptions: dict[int, list[Span]] = field(default_factory=dict)
    holidays: dict[dt.date, str] = field(default_factory=dict)
    rooms: list[Room] = field(default_factory=list)
    equipment: list[Equipment] = field(default_factory=list)
    busy: dict[tuple[str, int], list[Span]] = field(default_factory=dict)  # exclusive bookings, normalized
    overbooked: dict[tuple[str, int], list[Span]] = field(default_factory=dict)
    room_kind: str | None = None
    equipment_kinds: tuple[str, ...] = ()
    # How far outside a day its bookings matter: the buffers of the appointment type being placed.
    margin_before: dt.timedelta = dt.timedelta(0)
    margin_after: dt.timedelta = dt.timedelta(0)
    _exclude: int | None = None
    _people: Resources = field(default_factory=list)
    _resources_listed: bool = False
    _booking_days: set[dt.date] = field(default_factory=set)
    _resource_days: set[dt.date] = field(default_factory=set)
    _utc: dict[tuple[dt.date, dt.time], dt.datetime] = field(default_factory=dict)
    _weekly: dict[int, set[tuple[dt.date, dt.date | None]]] | None = None
    _blocks: dict[tuple[int, dt.date], list[Block]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        location: Location,
        first_day: dt.date,
        last_day: dt.date,
        practitioner_ids: Iterable[int],
        patient_id: int | None = None,
        room_kind: str | None = None,
        equipment_kinds: Iterable[str] = (),
        exclude_appointment_id: int | None = None,
        lazy_resources: bool = False,
        lazy_bookings: bool = False,
        margins: tuple[dt.timedelta, dt.timedelta] = (dt.timedelta(0), dt.timedelta(0)),
    ) -> Window:
        """Templates, exceptions and holidays of the window; bookings too unless `lazy_bookings`
        (then `load_bookings(days)` reads them), rooms and equipment too unless `lazy_resources`
        (then `ensure_resources(days)`)."""
        practitioner_ids = sorted(set(practitioner_ids))
        window = cls(location=location, first_day=first_day, last_day=last_day)
        window.margin_before, window.margin_after = margins
        start, _ = day_span_utc(first_day, location.tz)
        _, end = day_span_utc(last_day, location.tz)
        window._load_templates(practitioner_ids)
        for p_id, e_start, e_end in AvailabilityException.objects.filter(
            Q(location=location) | Q(location__isnull=True),
            practitioner_id__in=practitioner_ids, start__lt=end, end__gt=start,
        ).values_list("practitioner_id", "start", "end"):
            window.exceptions.setdefault(p_id, []).append((e_start, e_end))
        window.holidays = dict(LocationHoliday.objects.filter(
            location=location, day__gte=first_day, day__lte=last_day).values_list("day", "name"))
        window.room_kind, window.equipment_kinds = room_kind or None, tuple(sorted(set(equipment_kinds)))
        window._people = [(ResourceKind.PRACTITIONER, practitioner_ids)]
        if patient_id is not None:
            window._people.append((ResourceKind.PATIENT, [patient_id]))
        window._exclude = exclude_appointment_id
        if not lazy_bookings:
            window._booking_days.update(window.days())
            window._load_bookings(window._people, [(start, end)])
        if not lazy_resources:
            window._load_resources([(start, end)])
        return window

    def _load_templates(self, practitioner_ids: list[int]) -> None:
        """One query: each template once per reserved type (a LEFT JOIN), or once with None."""
        rows = (
            AvailabilityTemplate.objects.filter(
                location=self.location, practitioner_id__in=practitioner_ids, effective_from__lte=self.last_day)
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=self.first_day))
            .order_by("practitioner_id", "weekday", "start_time", "pk")
            .values_list("pk", "practitioner_id", "weekday", "start_time", "end_time", "effective_from",
                         "effective_until", "reserved_types")
        )
        reserved: dict[int, set[int]] = defaultdict(set)
        seen: dict[int, tuple[int, int, dt.time, dt.time, dt.date, dt.date | None]] = {}
        for pk, practitioner_id, weekday, start_time, end_time, effective_from, effective_until, type_id in rows:
            seen.setdefault(pk, (practitioner_id, weekday, start_time, end_time, effective_from, effective_until))
            if type_id is not None:
                reserved[pk].add(type_id)
        for pk, (practitioner_id, weekday, start_time, end_time, effective_from, effective_until) in seen.items():
            self.templates.setdefault(practitioner_id, []).append(Template(
                weekday, start_time, end_time, effective_from, effective_until, frozenset(reserved.get(pk, ()))))

    # --- bookings ------------------------------------------------------------------------------
    def _day_spans(self, days: Iterable[dt.date]) -> list[Span]:
        """The UTC spans of these local days, widened by the margins, merged where they touch."""
        tz = self.location.tz
        spans = []
        for day in days:
            start, end = day_span_utc(day, tz)
            spans.append((start - self.margin_before, end + self.margin_after))
        return intervals.normalize(spans)

    def load_bookings(self, days: Iterable[dt.date], *, resources: bool = False) -> None:
        """Practitioner (and patient) bookings that matter on these days, in one query; with `resources`,
        the bookings of the rooms and equipment too, in the same query. Days already loaded are skipped."""
        days = set(days)
        people = sorted(days - self._booking_days)
        things = sorted(days - self._resource_days) if resources and self._needs_resources() else []
        self._booking_days.update(people)
        if things:
            self._resource_days.update(things)
            self._list_resources()
        if people and people == things:
            self._load_bookings([*self._people, *self._resource_filter()], self._day_spans(people))
            return
        if people:
            self._load_bookings(self._people, self._day_spans(people))
        if things:
            self._load_bookings(self._resource_filter(), self._day_spans(things))

    def _load_bookings(self, resources: Resources, spans: list[Span]) -> None:
        """Bookings of these resources that overlap one of `spans`, merged per resource."""
        busy: dict[tuple[str, int], list[Span]] = defaultdict(list)
        overbooked: dict[tuple[str, int], list[Span]] = defaultdict(list)
        for kind, resource_id, exclusive, b_start, b_end in _merged_bookings(resources, spans, self._exclude):
            (busy if exclusive else overbooked)[(kind, resource_id)].append((b_start, b_end))
        for target, found in ((self.busy, busy), (self.overbooked, overbooked)):
            for key, spans_found in found.items():
                known = target.get(key)
                target[key] = intervals.normalize([*known, *spans_found]) if known else intervals.normalize(
                    spans_found)

    def _needs_resources(self) -> bool:
        return bool(self.room_kind or self.equipment_kinds)

    def _list_resources(self) -> None:
        """The location's active rooms and equipment of the kinds needed (once)."""
        if self._resources_listed:
            return
        self._resources_listed = True
        if self.room_kind:
            self.rooms = list(Room.objects.filter(location=self.location, kind=self.room_kind, active=True)
                              .order_by("name", "pk"))
        if self.equipment_kinds:
            self.equipment = list(Equipment.objects.filter(location=self.location, kind__in=self.equipment_kinds,
                                                           active=True).order_by("name", "pk"))

    def _resource_filter(self) -> Resources:
        found: Resources = []
        if self.rooms:
            found.append((ResourceKind.ROOM, [r.pk for r in self.rooms]))
        if self.equipment:
            found.append((ResourceKind.EQUIPMENT, [e.pk for e in self.equipment]))
        return found

    def _load_resources(self, spans: list[Span]) -> None:
        """Rooms and equipment of the kinds needed, with their bookings over `spans`."""
        self._list_resources()
        if self.rooms or self.equipment:
            self._load_bookings(self._resource_filter(), spans)

    def ensure_resources(self, days: Iterable[dt.date]) -> None:
        """Load room and equipment bookings for these days, once each, in one query (first-available
        search loads them only for days that have candidate times: rooms outnumber providers)."""
        if not self._needs_resources():
            return
        wanted = sorted(set(days) - self._resource_days)
        if wanted:
            self._resource_days.update(wanted)
            self._load_resources(self._day_spans(wanted))

    # --- availability -------------------------------------------------------------------------
    def works_on(self, day: dt.date) -> bool:
        """Does anybody's template apply that day, the location being open? Cheap: no time arithmetic."""
        if day in self.holidays:
            return False
        if self._weekly is None:
            self._weekly = defaultdict(set)
            for templates in self.templates.values():
                for t in templates:
                    self._weekly[t.weekday].add((t.effective_from, t.effective_until))
        return any(low <= day and (high is None or day <= high) for low, high in self._weekly.get(day.weekday(), ()))

    def has_template(self, practitioner_id: int, day: dt.date) -> bool:
        """Does one of the practitioner's weekly templates apply that day (before time off and holidays)?"""
        return any(t.applies_on(day) for t in self.templates.get(practitioner_id, ()))

    def _to_utc(self, day: dt.date, time: dt.time) -> dt.datetime:
        key = (day, time)
        moment = self._utc.get(key)
        if moment is None:
            moment = self._utc[key] = window_bound_to_utc(day, time, self.location.tz)
        return moment

    def blocks(self, practitioner_id: int, day: dt.date) -> list[Block]:
        """The practitioner's working blocks that day (templates, minus exceptions; none on a holiday), worked out
        once per window."""
        key = (practitioner_id, day)
        known = self._blocks.get(key)
        if known is None:
            known = self._blocks[key] = self._work_out_blocks(practitioner_id, day)
        return known

    def _work_out_blocks(self, practitioner_id: int, day: dt.date) -> list[Block]:
        if day in self.holidays:
            return []
        blocks: list[Block] = []
        holes = self.exceptions.get(practitioner_id, [])
        weekday = day.weekday()
        for template in self.templates.get(practitioner_id, []):
            if template.weekday != weekday or not template.applies_on(day):
                continue
            start = self._to_utc(day, template.start_time)
            end = self._to_utc(day, template.end_time)
            pieces = intervals.subtract([(start, end)], holes) if holes else [(start, end)]
            for piece_start, piece_end in pieces:
                blocks.append(Block(piece_start, piece_end, template.reserved))
        blocks.sort(key=lambda b: (b.start, b.end))
        return blocks

    def open_for(self, practitioner_id: int, day: dt.date, type_id: int) -> list[Span]:
        """Time the practitioner works that day in blocks that admit the appointment type."""
        spans = [(b.start, b.end) for b in self.blocks(practitioner_id, day) if b.admits(type_id)]
        return intervals.normalize(spans) if len(spans) > 1 else spans

    def busy_for(self, kind: str, resource_id: int) -> list[Span]:
        return self.busy.get((kind, resource_id), [])

    def busy_between(self, kind: str, resource_id: int, start: dt.datetime, end: dt.datetime) -> list[Span]:
        """The resource's busy spans that overlap [start, end): a slice of the sorted list, by bisection."""
        busy = self.busy.get((kind, resource_id))
        if not busy:
            return []
        first = bisect.bisect_right(busy, start, key=_end_of)  # normalized: ends are sorted too
        last = bisect.bisect_left(busy, (end,), lo=first)
        return busy[first:last]

    def practitioner_free(self, practitioner_id: int, day: dt.date, type_id: int) -> list[Span]:
        """Open time minus what is already booked (bookings include their buffers)."""
        return intervals.subtract(self.open_for(practitioner_id, day, type_id),
                                  self.busy_for(ResourceKind.PRACTITIONER, practitioner_id))

    def free_room(self, start: dt.datetime, end: dt.datetime, wanted: int | None = None) -> Room | None:
        busy = self.busy
        for room in self.rooms:
            if wanted is not None and room.pk != wanted:
                continue
            spans = busy.get((_ROOM, room.pk))
            if not spans or not intervals.overlaps_any(spans, start, end):
                return room
        return None

    def free_equipment(self, kind: str, start: dt.datetime, end: dt.datetime) -> Equipment | None:
        busy = self.busy
        for item in self.equipment:
            if item.kind != kind:
                continue
            spans = busy.get((_EQUIPMENT, item.pk))
            if not spans or not intervals.overlaps_any(spans, start, end):
                return item
        return None

    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=i) for i in range(count)]


def exclusive_bookings(resources: Resources, start: dt.datetime, end: dt.datetime, *, exclude: int | None = None
                       ) -> list[tuple[str, int, dt.datetime, dt.datetime]]:
    """(kind, resource id, start, end) of the exclusive bookings of `resources` overlapping [start, end), in one
    query (merged per resource on PostgreSQL); `exclude`: an appointment whose bookings do not count."""
    return [(kind, resource_id, b_start, b_end)
            for kind, resource_id, exclusive, b_start, b_end in _merged_bookings(resources, [(start, end)], exclude)
            if exclusive and b_start < end and b_end > start]


def _merged_bookings(resources: Resources, spans: list[Span], exclude: int | None
                     ) -> Iterable[tuple[str, int, bool, dt.datetime, dt.datetime]]:
    """(kind, resource id, exclusive, start, end): the bookings of `resources` that overlap one of `spans`
    (sorted), as their union per resource and exclusivity on PostgreSQL, as rows elsewhere (the caller
    normalizes). The lower bounds on start let the (kind, id, start) index bound its scan; on PostgreSQL
    that index also holds "end" and exclusive, so the scan never visits the table."""
    resources = [(kind, ids) for kind, ids in resources if ids]
    if not resources or not spans:
        return
    low, high = spans[0][0] - MAX_BOOKING_SPAN, spans[-1][1]
    if connection.vendor != "postgresql":
        which, overlapping = Q(pk__in=[]), Q(pk__in=[])
        for kind, ids in resources:
            which |= Q(resource_kind=kind, resource_id__in=ids)
        for start, end in spans:
            overlapping |= Q(start__lt=end, start__gte=start - MAX_BOOKING_SPAN, end__gt=start)
        rows = ResourceBooking.objects.filter(which, overlapping, start__gte=low, start__lt=high)
        if exclude is not None:
            rows = rows.exclude(appointment_id=exclude)
        yield from rows.values_list("resource_kind", "resource_id", "exclusive", "start", "end")
        return
    spans_sql = " OR ".join(['("start" < %s AND "start" >= %s AND "end" > %s)'] * len(spans))
    branch = _BRANCH.replace("SPANS", spans_sql).replace(
        "EXCLUDE", "" if exclude is None else "AND appointment_id <> %s")
    sql = _MERGED_BOOKINGS.replace("BRANCHES", " UNION ALL ".join([branch] * len(resources)))
    params: list[Any] = []
    for kind, ids in resources:
        params += [kind, ids, low, high]
        for start, end in spans:
            params += [end, start - MAX_BOOKING_SPAN, start]
        if exclude is not None:
            params.append(exclude)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, resource_id, exclusive, start_us, end_us in cursor.fetchall():
            yield (kind, resource_id, exclusive, EPOCH + dt.timedelta(microseconds=start_us),
                   EPOCH + dt.timedelta(microseconds=end_us))
