"""Exhaustive search for tiny instances: the optimum without CP-SAT, to check the solver against.

Hard rules are per person (apart from one shift a day, which the enumeration guarantees), so each person's
feasible lines are enumerated alone and the cover cost, the only rule joining people, is added per combination.
"""

from __future__ import annotations

import itertools
from collections import Counter

from clinicdesk.staffing.engine import Assignment, Instance, evaluate


def person_lines(instance: Instance, staff_id: str) -> list[tuple[tuple[str | None, ...], int]]:
    """Every hard-feasible line of one person (a shift id or None per day) with its request cost."""
    choices: list[str | None] = [None, *(shift.id for shift in instance.shifts)]
    lines = []
    for line in itertools.product(choices, repeat=instance.horizon):
        roster = [Assignment(staff_id, day, shift) for day, shift in enumerate(line) if shift is not None]
        check = evaluate(instance, roster)
        if any(v.staff == staff_id for v in check.violations):
            continue
        cost = sum(r.weight for r in instance.on_requests if r.staff == staff_id and line[r.day] != r.shift)
        cost += sum(r.weight for r in instance.off_requests if r.staff == staff_id and line[r.day] == r.shift)
        lines.append((line, cost))
    return lines


def brute_force_optimum(instance: Instance) -> int | None:
    """The least objective over every feasible roster, or None when there is none."""
    per_person = [person_lines(instance, person.id) for person in instance.staff]
    best: int | None = None
    for combo in itertools.product(*per_person):
        cost = sum(c for _, c in combo)
        if best is not None and cost >= best:
            continue
        staffed = Counter((day, shift) for line, _ in combo for day, shift in enumerate(line) if shift is not None)
        for need in instance.cover:
            have = staffed[need.day, need.shift]
            cost += need.under_weight * max(0, need.requirement - have) + need.over_weight * max(
                0, have - need.requirement)
        if best is None or cost < best:
            best = cost
    return best
