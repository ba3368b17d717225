"""First-available search: ranked options for an appointment type, each with its reasons.

One `Window.load` reads the templates, exceptions and holidays of the whole range (three queries); the
days worth searching are those that pass the weekday filter and where somebody works. It walks them in
growing chunks (about 20 practitioner-days first, then twice as many each round); each chunk costs
one query for the practitioners' (and the patient's) bookings, which also reads the rooms and equipment
the type needs when most days will need them (many practitioners); otherwise those come in one more
query, for the days with candidate times only. Everything else is intervals in memory. Within a chunk the
days are cut into candidate times one by one, and scored as soon as there are enough of them to fill the
answer. It stops as soon as no later day can beat the options it holds: a day `k` days out scores at least
`k`, so once `limit` options score below the next day's offset the answer is final (the answer is the best
`limit` over the whole range, whatever the chunks). Days an earlier search measured full, at the practitioners'
current calendar versions, are not read or cut again (free_time.py, ADR 0012).

Per candidate time it does the least it can: the practitioner's filters (time of day, the patient's own
bookings), then a room and equipment, then the score; the reasons are written only for the options
returned.

Score (lower is better) = days out + compactness + preferences:
- compactness: 3 per new gap shorter than the shortest appointment type (nobody can use it), 1 when the
  option touches nothing (neither the end of a booking or block before it nor the start of one after);
- preferences: 2 for a provider the patient did not ask for (when they asked), 2 outside the preferred
  part of the day.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.practice.models import Equipment, Location, Practitioner, Room

from . import intervals
from .availability import Window
from .free_time import RememberedDays
from .models import AppointmentType, ResourceKind

GRID = dt.timedelta(minutes=5)
ZERO = dt.timedelta(0)
MAX_DAYS = 92
FIRST_CHUNK = 20  # practitioner-days read by the first bookings query
CHUNK_GROWTH = 2  # each further chunk is twice as large: full calendars are read a few days at a time
PER_PRACTITIONER_DAY = 3
NOON = dt.time(12)
_PRACTITIONER = ResourceKind.PRACTITIONER.value


@dataclass(frozen=True)
class SearchQuery:
    appointment_type_id: int
    location_id: int
    practitioner_ids: tuple[int, ...] = ()  # hard filter; empty: every practitioner who takes the type
    patient_id: int | None = None  # their own bookings are avoided
    first_day: dt.date | None = None  # default: today at the location
    last_day: dt.date | None = None  # default: 59 days after first_day (a 60-day window)
    weekdays: tuple[int, ...] = ()  # hard filter, 0 = Monday
    earliest: dt.time | None = None  # hard filter: start at or after, local time
    latest: dt.time | None = None  # hard filter: end at or before, local time
    preferred_practitioner_ids: tuple[int, ...] = ()  # soft
    prefer: str = ""  # soft: "morning" or "afternoon"
    limit: int = 10
    not_before: dt.datetime | None = None  # hard filter: start at or after this instant (a booking notice)


@dataclass
class Option:
    start: dt.datetime
    end: dt.datetime
    practitioner: Practitioner
    location: Location
    room: Room | None
    equipment: list[Equipment]
    score: float
    reasons: list[str] = field(default_factory=list)
    rank: int = 0
    parts: Score | None = None  # what the score is made of (search.score_of); the reasons word these

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "practitioner": {"id": self.practitioner.pk, "name": str(self.practitioner)},
            "location": {"id": self.location.pk, "name": self.location.name},
            "room": {"id": self.room.pk, "name": self.room.name} if self.room else None,
            "equipment": [{"id": e.pk, "name": e.name} for e in self.equipment],
            "score": round(self.score, 3),
            "reasons": self.reasons,
        }


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _ceil_grid(moment: dt.datetime) -> dt.datetime:
    steps = -(-(moment - _EPOCH) // GRID)
    return _EPOCH + steps * GRID


def _floor_grid(moment: dt.datetime) -> dt.datetime:
    ceiled = _ceil_grid(moment)
    return ceiled if ceiled == moment else ceiled - GRID


class _Candidate(NamedTuple):
    """A time the practitioner could take (before rooms, equipment and the score)."""

    start: dt.datetime
    end: dt.datetime
    local_start: dt.datetime
    segment: intervals.Span  # the free stretch it was cut from (compactness is measured in it)


# One day's candidate times, per practitioner who has some (`_Search.candidates`).
_DayCandidates = list[tuple[Practitioner, list[_Candidate]]]


class Score(NamedTuple):
    """The parts of an option's score (lower is better), computed once by `score_of`: the ranking adds them up
    (`total`) and the explanation (`_reasons`) only words them, so the two cannot drift apart."""

    days: int  # days after the first day searched
    unusable_gaps: tuple[dt.timedelta, ...]  # new gaps shorter than the shortest appointment type: 3 each
    touches: int  # how many of its two ends touch a booking or the edge of a block; none: 1
    other_provider: bool  # the patient asked for other providers: 2
    outside_preferred_part: bool  # outside the preferred part of the day: 2
    time_of_day: float  # the tie-break: earlier in the day first (minutes / 100000, never a whole point)

    @property
    def compactness(self) -> int:
        return 3 * len(self.unusable_gaps) + (1 if self.touches == 0 else 0)

    @property
    def preference(self) -> int:
        return 2 * self.other_provider + 2 * self.outside_preferred_part

    @property
    def total(self) -> float:
        return self.days + self.compactness + self.preference + self.time_of_day


def score_of(*, days: int, left: dt.timedelta, right: dt.timedelta, shortest: dt.timedelta, other_provider: bool,
             prefer_morning: bool | None, local_start: dt.datetime) -> Score:
    """The one scoring rule (see the module's docstring). `left`/`right`: the free time the option leaves before
    and after it in its free stretch; `prefer_morning`: None when the patient has no preferred part of the day."""
    return Score(
        days=days,
        unusable_gaps=tuple(gap for gap in (left, right) if ZERO < gap < shortest),
        touches=(left == ZERO) + (right == ZERO),
        other_provider=other_provider,
        outside_preferred_part=prefer_morning is not None and (local_start.time() < NOON) != prefer_morning,
        time_of_day=(local_start.hour * 60 + local_start.minute) / 100000,
    )


@dataclass
class _Scored:
    score: float
    start: dt.datetime
    end: dt.datetime
    local_start: dt.datetime
    practitioner: Practitioner
    parts: Score
    room: Room | None
    equipment: list[Equipment]


def find_options(query: SearchQuery, *, location: Location, practitioners: list[Practitioner],
                 kind: AppointmentType, shortest: dt.timedelta) -> list[Option]:
    tz = location.tz
    today = clock.today_in(tz)
    first_day = max(query.first_day or today, today)
    last_day = min(query.last_day or first_day + dt.timedelta(days=59), first_day + dt.timedelta(days=MAX_DAYS))
    if last_day < first_day or not practitioners:
        return []
    limit = max(1, min(query.limit, 50))
    practitioner_ids = [p.pk for p in practitioners]
    # Before the templates and bookings: what earlier searches measured full, and at which calendar versions.
    remembered = RememberedDays.read(location=location, practitioner_ids=practitioner_ids,
                                     first_day=first_day, last_day=last_day, duration=kind.duration)
    window = Window.load(location=location, first_day=first_day, last_day=last_day,
                         practitioner_ids=practitioner_ids, patient_id=query.patient_id,
                         room_kind=kind.room_kind or None, equipment_kinds=kind.equipment_kinds or (),
                         lazy_bookings=True, lazy_resources=True, margins=(kind.buffer_before, kind.buffer_after))
    days = [day for day in window.days()
            if (not query.weekdays or day.weekday() in query.weekdays) and window.works_on(day)
            and not _remembered_full(remembered, window, practitioners, day)]
    now = clock.now()
    search = _Search(query, window, practitioners, kind, shortest,
                     max(now, query.not_before) if query.not_before else now, remembered)
    try:
        return _search(query, window, search, days, first_day, limit, location)
    finally:
        remembered.remember()


def _remembered_full(remembered: RememberedDays, window: Window, practitioners: list[Practitioner],
                     day: dt.date) -> bool:
    """Every practitioner who works that day was measured full at their current calendar version."""
    return bool(remembered.full) and all(remembered.is_full(p.pk, day) or not window.has_template(p.pk, day)
                                         for p in practitioners)


def _search(query: SearchQuery, window: Window, search: _Search, days: list[dt.date], first_day: dt.date,
            limit: int, location: Location) -> list[Option]:
    found: list[_Scored] = []
    scores: list[float] = []

    def final(offset: int) -> bool:
        """No day `offset` or later can beat the best `limit` found (its options score at least `offset`)."""
        return len(scores) >= limit and scores[limit - 1] < offset

    def settle(pending: list[tuple[dt.date, _DayCandidates]], chunk: list[dt.date]) -> bool:
        """Score the pending days' candidates, in day order; True as soon as the answer is final. Rooms and
        equipment are read once per chunk, from the first pending day to the chunk's end (one query)."""
        window.ensure_resources(day for day in chunk if day >= pending[0][0])
        for day, by_practitioner in pending:
            offset = (day - first_day).days
            for practitioner, times in by_practitioner:
                for option in search.scored(practitioner, offset, times):
                    found.append(option)
                    bisect.insort(scores, option.score)
            if final(offset + 1):
                return True
        return False

    budget, index = FIRST_CHUNK, 0  # practitioner-days per chunk: the days are many, or the practitioners
    while index < len(days):
        size = max(1, budget // len(search.practitioners))
        chunk = days[index:index + size]
        index, budget = index + size, budget * CHUNK_GROWTH
        # With at least as many practitioners as days in the chunk, nearly every day has a candidate time and
        # needs rooms and equipment: read them with the bookings, in the same query. Otherwise (one provider
        # over weeks) read them once the chunk has candidates, from the first day with some (`settle`).
        window.load_bookings(chunk, resources=len(search.practitioners) >= len(chunk))
        # Candidates day by day, scored as soon as there are enough of them to fill the answer: on full calendars
        # the first free day ends the search without cutting the rest of the chunk into candidate times.
        pending: list[tuple[dt.date, _DayCandidates]] = []
        waiting = 0
        for day in chunk:
            if not pending and final((day - first_day).days):
                return _ranked(found, limit, query, location)
            if by_practitioner := search.candidates(day):
                pending.append((day, by_practitioner))
                waiting += sum(min(len(times), PER_PRACTITIONER_DAY) for _, times in by_practitioner)
            if waiting >= limit:
                if settle(pending, chunk):
                    return _ranked(found, limit, query, location)
                pending, waiting = [], 0
        if pending and settle(pending, chunk):
            return _ranked(found, limit, query, location)
    return _ranked(found, limit, query, location)


def _ranked(found: list[_Scored], limit: int, query: SearchQuery, location: Location) -> list[Option]:
    chosen = sorted(found, key=lambda o: (o.score, o.start, o.practitioner.pk))[:limit]
    return [Option(start=o.start, end=o.end, practitioner=o.practitioner, location=location, room=o.room,
                   equipment=o.equipment, score=o.score, reasons=_reasons(o, query), rank=rank, parts=o.parts)
            for rank, o in enumerate(chosen, start=1)]


@dataclass
class _Search:
    query: SearchQuery
    window: Window
    practitioners: list[Practitioner]
    kind: AppointmentType
    shortest: dt.timedelta
    now: dt.datetime
    remembered: RememberedDays

    def __post_init__(self) -> None:
        self.duration, self.before, self.after = self.kind.duration, self.kind.buffer_before, self.kind.buffer_after
        self.tz = self.window.location.tz

    def candidates(self, day: dt.date) -> _DayCandidates:
        """Per practitioner, the times they could take that day: grid-aligned starts in their free time
        that pass the query's time-of-day filters and miss the patient's own bookings."""
        window, duration, query, tz = self.window, self.duration, self.query, self.tz
        earliest, latest = query.earliest, query.latest
        patient_busy = window.busy_for(ResourceKind.PATIENT, query.patient_id) if query.patient_id else []
        found = []
        for practitioner in self.practitioners:
            if self.remembered.is_full(practitioner.pk, day) or not self._long_enough(practitioner.pk, day):
                continue
            open_time = window.open_for(practitioner.pk, day, self.kind.pk)
            if not open_time:
                continue
            busy = window.busy_between(_PRACTITIONER, practitioner.pk, open_time[0][0] - self.before,
                                       open_time[-1][1] + self.after)
            # Where the core may not start: bookings widened by this type's buffers (after before them, before
            # after them).
            core_free = intervals.subtract_normalized(open_time, intervals.widen(busy, self.after, self.before)) \
                if busy else open_time
            times: list[_Candidate] = []
            for seg_start, seg_end in core_free:
                first = _ceil_grid(max(seg_start, self.now))
                if first + duration > seg_end:
                    continue
                starts = {first, _floor_grid(seg_end - duration)}
                step = first + duration
                while step + duration <= seg_end:
                    starts.add(step)
                    step += duration
                for start in sorted(starts):
                    if start < first:
                        continue
                    end = start + duration
                    local_start = start.astimezone(tz)
                    if earliest and local_start.time() < earliest:
                        continue
                    if latest:
                        local_end = end.astimezone(tz)
                        if local_end.time() > latest or local_end.date() != local_start.date():
                            continue
                    if patient_busy and intervals.overlaps_any(patient_busy, start, end):
                        continue
                    times.append(_Candidate(start, end, local_start, (seg_start, seg_end)))
            if times:
                found.append((practitioner, times))
        return found

    def _long_enough(self, practitioner_id: int, day: dt.date) -> bool:
        """Is the practitioner's longest free stretch that day, in all their blocks (reserved or not), as long as the
        type? When not, no time of theirs can take it, and the day is remembered full (free_time.py)."""
        window = self.window
        blocks = window.blocks(practitioner_id, day)
        if not blocks and (day in window.holidays or not window.has_template(practitioner_id, day)):
            return False  # nobody works that day, or they do not: the calendar says so, nothing to remember
        longest = ZERO
        if blocks:
            working = intervals.normalize([(b.start, b.end) for b in blocks])
            busy = window.busy_between(_PRACTITIONER, practitioner_id, working[0][0], working[-1][1])
            free = intervals.subtract_normalized(working, busy) if busy else working
            longest = max(end - start for start, end in free) if free else ZERO
        if longest >= self.duration:
            return True
        self.remembered.measure(practitioner_id, day, longest)
        return False

    def scored(self, practitioner: Practitioner, offset: int, times: list[_Candidate]) -> list[_Scored]:
        """The practitioner's best options of the day (at most PER_PRACTITIONER_DAY): those with a free
        room and equipment, scored."""
        window, kind, query, shortest = self.window, self.kind, self.query, self.shortest
        before, after = self.before, self.after
        other_provider = bool(query.preferred_practitioner_ids) and \
            practitioner.pk not in query.preferred_practitioner_ids
        prefer_morning = query.prefer == "morning" if query.prefer in ("morning", "afternoon") else None
        options: list[_Scored] = []
        for start, end, local_start, (seg_start, seg_end) in times:
            occupied_start, occupied_end = start - before, end + after
            room = None
            if kind.room_kind:
                room = window.free_room(occupied_start, occupied_end)
                if room is None:
                    continue
            equipment: list[Equipment] = []
            for wanted in kind.equipment_kinds or ():
                piece = window.free_equipment(wanted, occupied_start, occupied_end)
                if piece is None or piece in equipment:
                    break
                equipment.append(piece)
            else:
                parts = score_of(days=offset, left=start - seg_start, right=seg_end - end, shortest=shortest,
                                 other_provider=other_provider, prefer_morning=prefer_morning,
                                 local_start=local_start)
                options.append(_Scored(parts.total, start, end, local_start, practitioner, parts, room, equipment))
        options.sort(key=lambda o: (o.score, o.start))
        return options[:PER_PRACTITIONER_DAY]


def _reasons(option: _Scored, query: SearchQuery) -> list[str]:
    """Why the option scores what it scores, in words: each part of its `Score`, no arithmetic of its own."""
    parts = option.parts
    reasons = [_("Score %(score)s = %(days)d (days out) + %(compact)d (gaps) + %(pref)d (preferences).")
               % {"score": f"{option.score:.1f}", "days": parts.days, "compact": parts.compactness,
                  "pref": parts.preference}]
    if parts.days == 0:
        reasons.append(_("On the first day searched."))
    else:
        reasons.append(_("%(days)d day(s) after the first day searched.") % {"days": parts.days})
    if parts.touches == 2:
        reasons.append(_("Fills a free gap exactly: the day stays compact."))
    elif parts.touches == 1 and not parts.unusable_gaps:
        reasons.append(_("Right next to another appointment or the start or end of a block: no new gap."))
    for gap in parts.unusable_gaps:
        reasons.append(_("Leaves a %(minutes)d-minute gap that no appointment type fits.") %
                       {"minutes": _minutes(gap)})
    if parts.touches == 0 and not parts.unusable_gaps:
        reasons.append(_("Leaves free time on both sides."))
    if query.preferred_practitioner_ids:
        reasons.append(_("Not a preferred provider.") if parts.other_provider else _("With a preferred provider."))
    if query.prefer in ("morning", "afternoon"):
        reasons.append(_("Outside the preferred part of the day.") if parts.outside_preferred_part
                       else _("In the preferred part of the day."))
    if option.room is not None:
        reasons.append(_("Room: %(room)s.") % {"room": option.room.name})
    if option.equipment:
        reasons.append(_("Equipment: %(items)s.") % {"items": ", ".join(e.name for e in option.equipment)})
    return reasons
