"""Check a roster against every rule and recompute its objective, without the solver.

This is deliberately a second, plain reading of the benchmark's definitions (runs of days scanned one by one)
rather than a replay of the CP-SAT model, so that a modelling mistake in `model.py` shows up as a disagreement
in the tests. Boundary conventions, as the benchmark states them:

- maximum consecutive shifts: the day before and the day after the horizon are days off;
- minimum consecutive shifts and minimum consecutive days off: an unbounded run of shifts (days off) lies
  before and after the horizon, so only a run with the opposite on both sides inside the horizon is checked;
- forbidden successions: only inside the horizon;
- a weekend (Saturday 7k+5, Sunday 7k+6) is worked when a shift is assigned on either day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .instance import Assignment, Instance

# Soft rules, in the order they are explained.
SOFT_RULE_NAMES = ("shift_on_requests", "shift_off_requests", "cover_under", "cover_over", "changes")


@dataclass(frozen=True)
class Violation:
    rule: str
    staff: str
    day: int | None
    detail: str


@dataclass
class Evaluation:
    violations: list[Violation] = field(default_factory=list)
    breakdown: dict[str, int] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def objective(self) -> int:
        return sum(self.breakdown.values())


def _runs(worked: list[bool]) -> list[tuple[bool, int, int]]:
    """(working?, first day, length) for each maximal run of equal days."""
    runs: list[tuple[bool, int, int]] = []
    for day, value in enumerate(worked):
        if runs and runs[-1][0] == value:
            kind, start, length = runs[-1]
            runs[-1] = (kind, start, length + 1)
        else:
            runs.append((value, day, 1))
    return runs


def person_violations(instance: Instance, staff_id: str, line: Sequence[str | None]) -> list[Violation]:
    """Every hard rule one person's line of shifts (one shift id or None per day of the horizon) breaks: the
    rules `evaluate` checks per person, and the one place they are written (staffing.swaps checks a changed
    schedule with it too)."""
    person = instance.staff_by_id[staff_id]
    horizon = instance.horizon
    violations: list[Violation] = []
    worked = [shift is not None for shift in line]
    for day in sorted(instance.days_off_of(person.id)):
        if worked[day]:
            violations.append(Violation("day_off", person.id, day, f"works {line[day]} on a day off"))
    for (day, shift_id), rule in sorted(instance.barred_of(person.id).items()):
        if line[day] == shift_id:
            violations.append(Violation(rule, person.id, day, f"may not work {shift_id} on day {day}"))
    for day in range(horizon - 1):
        today, tomorrow = line[day], line[day + 1]
        if today is not None and tomorrow is not None and tomorrow in instance.may_not_follow(person.id, today):
            violations.append(Violation("succession", person.id, day + 1, f"{tomorrow} may not follow {today}"))
    counts = Counter(shift for shift in line if shift is not None)
    for shift_id, count in sorted(counts.items()):
        limit = person.max_of(shift_id, horizon)
        if count > limit:
            violations.append(Violation("max_shifts", person.id, None, f"{count} {shift_id} shifts, max {limit}"))
    minutes = sum(instance.shift_by_id[shift].minutes for shift in line if shift is not None)
    if minutes > person.max_total_minutes:
        violations.append(Violation("max_total_minutes", person.id, None,
                                    f"{minutes} minutes, max {person.max_total_minutes}"))
    if minutes < person.min_total_minutes:
        violations.append(Violation("min_total_minutes", person.id, None,
                                    f"{minutes} minutes, min {person.min_total_minutes}"))
    for working, start, length in _runs(worked):
        interior = start > 0 and start + length < horizon
        if working and length > person.max_consecutive_shifts:
            violations.append(Violation("max_consecutive_shifts", person.id, start,
                                        f"{length} shifts in a row, max {person.max_consecutive_shifts}"))
        if working and interior and length < person.min_consecutive_shifts:
            violations.append(Violation("min_consecutive_shifts", person.id, start,
                                        f"{length} shifts in a row, min {person.min_consecutive_shifts}"))
        if not working and interior and length < person.min_consecutive_days_off:
            violations.append(Violation("min_consecutive_days_off", person.id, start,
                                        f"{length} days off in a row, min {person.min_consecutive_days_off}"))
    weekends = sum(1 for days in instance.weekends if any(worked[day] for day in days))
    if weekends > person.max_weekends:
        violations.append(Violation("max_weekends", person.id, None,
                                    f"{weekends} weekends worked, max {person.max_weekends}"))
    return violations


def evaluate(
    instance: Instance,
    assignments: Iterable[Assignment],
    *,
    previous: Mapping[tuple[str, int], str] | None = None,
    change_weight: int = 0,
) -> Evaluation:
    """Every hard-rule violation of the roster and the cost of each soft rule.

    `previous` (staff, day) -> shift is the published roster a re-solve should keep; each (staff, day) of this
    instance whose shift differs from it (a shift added, removed or changed) costs `change_weight`.
    """
    result = Evaluation()
    violations = result.violations
    horizon = instance.horizon
    roster: dict[tuple[str, int], str] = {}
    for item in assignments:
        if item.staff not in instance.staff_by_id:
            violations.append(Violation("unknown_staff", item.staff, item.day, f"unknown staff {item.staff!r}"))
            continue
        if item.shift not in instance.shift_by_id:
            violations.append(Violation("unknown_shift", item.staff, item.day, f"unknown shift {item.shift!r}"))
            continue
        if not 0 <= item.day < horizon:
            violations.append(Violation("day_outside_horizon", item.staff, item.day, f"day {item.day}"))
            continue
        if (item.staff, item.day) in roster:
            violations.append(Violation("one_shift_a_day", item.staff, item.day,
                                        f"{roster[item.staff, item.day]} and {item.shift}"))
            continue
        roster[item.staff, item.day] = item.shift

    for person in instance.staff:
        line = [roster.get((person.id, day)) for day in range(horizon)]
        violations.extend(person_violations(instance, person.id, line))

    breakdown = dict.fromkeys(SOFT_RULE_NAMES, 0)
    for request in instance.on_requests:
        if roster.get((request.staff, request.day)) != request.shift:
            breakdown["shift_on_requests"] += request.weight
    for request in instance.off_requests:
        if roster.get((request.staff, request.day)) == request.shift:
            breakdown["shift_off_requests"] += request.weight
    staffed: dict[tuple[int, str], list[str]] = {}
    for (staff, day), shift in roster.items():
        staffed.setdefault((day, shift), []).append(staff)
    for need in instance.cover:
        have = sum(1 for staff in staffed.get((need.day, need.shift), ()) if instance.counts_for(staff, need))
        breakdown["cover_under"] += need.under_weight * max(0, need.requirement - have)
        breakdown["cover_over"] += need.over_weight * max(0, have - need.requirement)
    if previous is not None:  # over this instance's staff and days (someone who left is not a change)
        keys = [(person.id, day) for person in instance.staff for day in range(horizon)]
        breakdown["changes"] = change_weight * sum(1 for key in keys if previous.get(key) != roster.get(key))
    result.breakdown = breakdown
    return result
