"""A greedy roster that meets every hard rule, built in a fraction of a second: CP-SAT's starting hint, and the
roster the engine returns when CP-SAT finds none within its time limit.

Every hard rule is about one person (one shift a day, days off, barred shifts, forbidden successions, shift
counts, total minutes, runs of shifts and days off, weekends); cover is soft. So the roster is built one person
at a time: each person's line is a depth-first search over the days that takes, day by day, the most useful option
still allowed (a shift short of cover, a requested shift, the published shift in a re-solve; a day off when
nothing is needed) and backs up when the line can no longer be completed (too few days left for the minimum
minutes, a run too short to end): a bound on the shifts still possible (availability, runs and weekends) prunes
it. The cover still open after each person guides the next. The search per person is bounded; a person whose line
is not found within the bound makes the whole greedy roster fail (None), and the engine then relies on CP-SAT
alone. A local search then moves shifts (another shift that day, another day, one added or dropped) while that
lowers the cost and each line still keeps every hard rule (`evaluate.person_violations`). The engine re-checks the
result with `evaluate` before using it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping

from .instance import Assignment, Instance

NODE_BUDGET = 20_000  # search nodes per person and attempt
PACE_BONUS = 5  # how much a person still below their minimum hours' pace wants to work
IMPROVE_PASSES = 3  # passes of the local search over everyone after the construction (the same every run)
IMPROVE_SECONDS = 2.0  # and a cap on its time (solve: a tenth of its limit at most), for a loaded machine


class _Stuck(Exception):
    pass


class _Person:
    """One person's line search (the rules are those of `evaluate.person_violations`)."""

    def __init__(self, instance: Instance, staff_id: str, scores: list[dict[str | None, float]],
                 pace: bool) -> None:
        self.instance = instance
        self.person = person = instance.staff_by_id[staff_id]
        self.horizon = horizon = instance.horizon
        self.scores = scores
        self.pace = pace
        off = instance.days_off_of(staff_id)
        barred = instance.barred_of(staff_id)
        self.limit = {shift.id: person.max_of(shift.id, horizon) for shift in instance.shifts}
        self.minutes_of = {shift.id: shift.minutes for shift in instance.shifts}
        self.allowed: list[list[str]] = [
            [] if day in off else [shift.id for shift in instance.shifts
                                   if self.limit[shift.id] > 0 and (day, shift.id) not in barred]
            for day in range(horizon)]
        self.not_after = {shift.id: instance.may_not_follow(staff_id, shift.id) for shift in instance.shifts}
        self.weekend_of = {day: index for index, days in enumerate(instance.weekends) for day in days}
        self.shift_minutes = sorted(((shift.minutes, shift.id) for shift in instance.shifts), reverse=True)
        self.memo: dict[tuple[int, bool | None, int, bool, int, bool], int] = {}
        self.line: list[str | None] = [None] * horizon
        self.nodes = 0

    def search(self) -> list[str | None] | None:
        counts = dict.fromkeys(self.limit, 0)
        try:
            if self._step(0, None, 0, 0, 0, counts, frozenset()):
                return list(self.line)
        except _Stuck:
            pass
        return None

    def _most_shifts(self, day: int, kind: bool | None, length: int, interior: bool, weekends: int,
                     saturday: bool) -> int:
        """The most shifts days `day`.. can hold after a run (`kind` True: of shifts, False: of days off) of
        `length` days, counting only availability, the runs' limits and the weekends (a relaxation: successions,
        shift counts and minutes are left out), or -1 when none of the rules can be met."""
        if day == self.horizon:
            return 0
        key = (day, kind, length, interior, weekends, saturday)
        if key in self.memo:
            return self.memo[key]
        person = self.person
        best = -1
        cap = max(person.max_consecutive_shifts, person.min_consecutive_shifts, person.min_consecutive_days_off)
        weekend = self.weekend_of.get(day)
        is_saturday = weekend is not None and self.instance.weekends[weekend][0] == day
        if not (kind is True and interior and length < person.min_consecutive_shifts):
            new = kind is not False
            best = self._most_shifts(day + 1, False, 1 if new else min(length + 1, cap), day > 0 if new else interior,
                                     weekends, False)
        if (self.allowed[day] and not (kind is False and interior and length < person.min_consecutive_days_off)
                and not (kind is True and length >= person.max_consecutive_shifts)):
            # A Sunday after a worked Saturday is in a weekend already counted.
            used = weekends if weekend is None or (saturday and not is_saturday) else weekends + 1
            if used <= person.max_weekends:
                new = kind is not True
                rest = self._most_shifts(day + 1, True, 1 if new else min(length + 1, cap),
                                         day > 0 if new else interior, used, is_saturday)
                if rest >= 0:
                    best = max(best, 1 + rest)
        self.memo[key] = best
        return best

    def _reachable(self, day: int, run_kind: bool | None, run_start: int, run_length: int, minutes: int,
                   counts: dict[str, int], weekends: frozenset[int]) -> int:
        """A bound on the minutes the line can reach: the most shifts still possible, filled with the longest
        shifts their limits leave."""
        cap = max(self.person.max_consecutive_shifts, self.person.min_consecutive_shifts,
                  self.person.min_consecutive_days_off)
        saturday = day > 0 and self.line[day - 1] is not None and self.weekend_of.get(day - 1) is not None \
            and self.instance.weekends[self.weekend_of[day - 1]][0] == day - 1
        shifts = self._most_shifts(day, run_kind, min(run_length, cap), run_start > 0, len(weekends), saturday)
        if shifts < 0:
            return -1
        total = minutes
        for length, shift_id in self.shift_minutes:
            take = min(shifts, self.limit[shift_id] - counts[shift_id])
            total += take * length
            shifts -= take
            if shifts <= 0:
                break
        return total

    def _options(self, day: int, run_kind: bool | None, run_start: int, run_length: int, minutes: int,
                 counts: dict[str, int], weekends: frozenset[int]) -> list[str | None]:
        person = self.person
        working = run_kind is True
        options: list[tuple[float, int, str | None]] = []
        # A day off: not inside a run of shifts shorter than the minimum that started inside the horizon.
        if not (working and run_start > 0 and run_length < person.min_consecutive_shifts):
            options.append((self.scores[day].get(None, 0.0), 0, None))  # a day off wins a tie
        # A shift: not after a too-short interior run of days off, not past the longest run.
        short_rest = (run_kind is False and run_start > 0 and run_length < person.min_consecutive_days_off)
        if not short_rest and not (working and run_length >= person.max_consecutive_shifts):
            before = self.line[day - 1] if day > 0 else None
            weekend = self.weekend_of.get(day)
            new_weekend = weekend is not None and weekend not in weekends
            if not (new_weekend and len(weekends) >= person.max_weekends):
                behind = self.pace and minutes < person.min_total_minutes * (day + 1) / self.horizon
                for shift_id in self.allowed[day]:
                    if counts[shift_id] >= self.limit[shift_id]:
                        continue
                    if before is not None and shift_id in self.not_after[before]:
                        continue
                    if minutes + self.minutes_of[shift_id] > person.max_total_minutes:
                        continue
                    score = self.scores[day].get(shift_id, 0.0) + (PACE_BONUS if behind else 0)
                    options.append((score, 1, shift_id))
        options.sort(key=lambda option: (-option[0], option[1]))
        return [option[2] for option in options]

    def _step(self, day: int, run_kind: bool | None, run_start: int, run_length: int, minutes: int,
              counts: dict[str, int], weekends: frozenset[int]) -> bool:
        self.nodes += 1
        if self.nodes > NODE_BUDGET:
            raise _Stuck
        person = self.person
        if day == self.horizon:
            return minutes >= person.min_total_minutes  # runs touching the end are exempt from the minimums
        if self._reachable(day, run_kind, run_start, run_length, minutes, counts, weekends) < person.min_total_minutes:
            return False
        for choice in self._options(day, run_kind, run_start, run_length, minutes, counts, weekends):
            self.line[day] = choice
            working = choice is not None
            if run_kind is None or working != run_kind:
                next_start, next_length = day, 1
            else:
                next_start, next_length = run_start, run_length + 1
            if choice is None:
                found = self._step(day + 1, False, next_start, next_length, minutes, counts, weekends)
            else:
                counts[choice] += 1
                weekend = self.weekend_of.get(day)
                worked = weekends if weekend is None else weekends | {weekend}
                found = self._step(day + 1, True, next_start, next_length, minutes + self.minutes_of[choice],
                                   counts, worked)
                counts[choice] -= 1
            if found:
                return True
        self.line[day] = None
        return False


def greedy_roster(
    instance: Instance,
    *,
    previous: Mapping[tuple[str, int], str] | None = None,
    change_weight: int = 0,
    improve_seconds: float = IMPROVE_SECONDS,
) -> list[Assignment] | None:
    """A roster meeting every hard rule, or None when the bounded search finds no line for someone."""
    horizon = instance.horizon
    # Cover still open per (day, shift): the needs each person would count towards, with what is left of them.
    left: dict[int, int] = {index: need.requirement for index, need in enumerate(instance.cover)}
    needs_at: dict[tuple[int, str], list[int]] = defaultdict(list)
    for index, need in enumerate(instance.cover):
        needs_at[need.day, need.shift].append(index)
    wish: dict[tuple[str, int, str | None], float] = defaultdict(float)
    for request in instance.on_requests:
        wish[request.staff, request.day, request.shift] += request.weight
    for request in instance.off_requests:
        wish[request.staff, request.day, request.shift] -= request.weight
    lines: dict[str, list[str | None]] = {}
    for person in instance.staff:
        scores: list[dict[str | None, float]] = []
        for day in range(horizon):
            row: dict[str | None, float] = {None: 0.0}
            kept = previous.get((person.id, day)) if previous is not None else None
            if previous is not None and kept is None:
                row[None] += change_weight
            for shift in instance.shifts:
                value = wish.get((person.id, day, shift.id), 0.0)
                for index in needs_at.get((day, shift.id), ()):
                    need = instance.cover[index]
                    if instance.counts_for(person.id, need):
                        value += need.under_weight if left[index] > 0 else -need.over_weight
                if kept == shift.id:
                    value += change_weight
                row[shift.id] = value
            scores.append(row)
        line = _Person(instance, person.id, scores, pace=True).search()
        if line is None:  # the pace bonus can steer into a corner; try once on the scores alone
            line = _Person(instance, person.id, scores, pace=False).search()
        if line is None:
            return None
        lines[person.id] = line
        for day, shift_id in enumerate(line):
            if shift_id is not None:
                _take(instance, needs_at, left, person.id, day, shift_id, -1)
    _improve(instance, lines, left, needs_at, wish, previous, change_weight, improve_seconds)
    roster = [Assignment(staff_id, day, shift_id) for staff_id, line in lines.items()
              for day, shift_id in enumerate(line) if shift_id is not None]
    return sorted(roster)


def _take(instance: Instance, needs_at: Mapping[tuple[int, str], list[int]], left: dict[int, int], staff_id: str,
          day: int, shift_id: str, step: int) -> None:
    """Open cover after `staff_id` starts (step -1) or stops (+1) working `shift_id` on `day`."""
    for index in needs_at.get((day, shift_id), ()):
        if instance.counts_for(staff_id, instance.cover[index]):
            left[index] += step


def _improve(instance: Instance, lines: dict[str, list[str | None]], left: dict[int, int],
             needs_at: Mapping[tuple[int, str], list[int]], wish: Mapping[tuple[str, int, str | None], float],
             previous: Mapping[tuple[str, int], str] | None, change_weight: int, seconds: float) -> None:
    """Local search within a time budget: move one person's shift to another shift or day (or add or drop one)
    when that lowers the cost and the person's line still keeps every hard rule."""
    from .evaluate import person_violations

    deadline = time.monotonic() + seconds
    shift_ids = [shift.id for shift in instance.shifts]

    def cost_of(staff_id: str, day: int, shift_id: str | None, step: int) -> float:
        """The change in cost when `staff_id` starts (step -1) or stops (+1) working `shift_id` on `day`."""
        if shift_id is None:
            return 0.0
        delta = 0.0
        for index in needs_at.get((day, shift_id), ()):
            need = instance.cover[index]
            if not instance.counts_for(staff_id, need):
                continue
            before, after = left[index], left[index] + step
            delta += (need.under_weight * (max(0, after) - max(0, before))
                      + need.over_weight * (max(0, -after) - max(0, -before)))
        delta += wish.get((staff_id, day, shift_id), 0.0) * step  # an on-request kept saves its weight
        return delta

    def change_cost(staff_id: str, day: int, old: str | None, new: str | None) -> float:
        if previous is None or not change_weight:
            return 0.0
        kept = previous.get((staff_id, day))
        return change_weight * ((new != kept) - (old != kept))

    def delta_of(staff_id: str, day: int, old: str | None, new: str | None) -> float:
        delta = cost_of(staff_id, day, old, +1)
        _apply(staff_id, day, old, None)
        delta += cost_of(staff_id, day, new, -1)
        _apply(staff_id, day, None, old)
        return delta + change_cost(staff_id, day, old, new)

    def _apply(staff_id: str, day: int, old: str | None, new: str | None) -> None:
        if old is not None:
            _take(instance, needs_at, left, staff_id, day, old, +1)
        if new is not None:
            _take(instance, needs_at, left, staff_id, day, new, -1)

    improved, passes = True, 0
    while improved and passes < IMPROVE_PASSES and time.monotonic() < deadline:
        improved, passes = False, passes + 1
        for person in instance.staff:
            line = lines[person.id]
            for day in range(instance.horizon):
                if time.monotonic() > deadline:
                    return
                old = line[day]
                for new in (None, *shift_ids):
                    if new == old or delta_of(person.id, day, old, new) >= 0:
                        continue
                    line[day] = new
                    if person_violations(instance, person.id, line):
                        line[day] = old
                        continue
                    _apply(person.id, day, old, new)
                    improved = True
                    old = new
            # Two days at once: a shift moved from one day to another (the hours stay the same).
            for first in range(instance.horizon):
                old_first = line[first]
                if old_first is None or delta_of(person.id, first, old_first, None) > 0:
                    continue
                for second in range(instance.horizon):
                    if line[second] is not None or time.monotonic() > deadline:
                        continue
                    gain_first = delta_of(person.id, first, old_first, None)
                    _apply(person.id, first, old_first, None)
                    best = min(((delta_of(person.id, second, None, new), new) for new in shift_ids),
                               key=lambda pair: pair[0])
                    _apply(person.id, first, None, old_first)
                    if gain_first + best[0] >= 0:
                        continue
                    line[first], line[second] = None, best[1]
                    if person_violations(instance, person.id, line):
                        line[first], line[second] = old_first, None
                        continue
                    _apply(person.id, first, old_first, None)
                    _apply(person.id, second, None, best[1])
                    improved = True
                    break
