"""Check one person's changed schedule against the hard rules, as the solver applies them (a swap, an open shift
claimed): the rules are `evaluate.person_violations`, so a swap is refused exactly when a roster with it would
fail the evaluator. Only what the change breaks counts: a rule the person's line already broke before is not
the change's fault (a contract changed since the roster was published, say).
"""

from __future__ import annotations

from collections.abc import Mapping

from .evaluate import Violation, person_violations
from .instance import Instance

Line = Mapping[int, str]  # day -> shift id of one person


def _line(instance: Instance, shifts: Line) -> list[str | None]:
    return [shifts.get(day) for day in range(instance.horizon)]


def missing_skills(instance: Instance, *, day: int, shift: str, giver: str | None, taker: str,
                   skill: str = "") -> frozenset[str]:
    """The skills `taker` lacks to stand in: those of the shift's cover needs that the giver counted towards (or
    `skill`, the skill of the open need being filled)."""
    needed = {skill} if skill else set()
    if giver is not None:
        needed |= {need.skill for need in instance.cover
                   if need.day == day and need.shift == shift and need.skill and instance.counts_for(giver, need)}
    return frozenset(needed - instance.skills.get(taker, frozenset()))


def change_violations(instance: Instance, staff_id: str, before: Line, *, day: int,
                      shift: str | None) -> list[Violation]:
    """The hard rules `staff_id` breaks by working `shift` on `day` (None: by no longer working that day) that
    their line `before` did not break. A day outside the horizon is a violation of its own."""
    if not 0 <= day < instance.horizon:
        return [Violation("day_outside_horizon", staff_id, day, f"day {day}")]
    after = dict(before)
    if shift is None:
        after.pop(day, None)
    else:
        if before.get(day) is not None:
            return [Violation("one_shift_a_day", staff_id, day, f"{before[day]} and {shift}")]
        after[day] = shift
    old = {(v.rule, v.day, v.detail) for v in person_violations(instance, staff_id, _line(instance, before))}
    found = person_violations(instance, staff_id, _line(instance, after))
    # Rules about a person's minimum (hours, runs) do not stop a colleague taking a shift off them: the
    # coordinator sees the cost when approving. Only rules that the added shift breaks refuse a change.
    minimums = {"min_total_minutes", "min_consecutive_shifts", "min_consecutive_days_off"}
    return [v for v in found if (v.rule, v.day, v.detail) not in old and v.rule not in minimums]
