"""The CP-SAT model of an `Instance`, solved within a time limit with the best roster so far kept.

Variables: x[e, d, s] = staff e works shift s on day d; w[e, d] = e works on day d (the sum over s, so at most
one shift a day). Hard rules are constraints; soft rules are weighted terms of the minimised objective, each
kept as its own linear expression so the result can say which rule costs how much.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .evaluate import SOFT_RULE_NAMES, evaluate
from .greedy import IMPROVE_SECONDS, greedy_roster
from .instance import Assignment, Instance

SOFT_RULES = SOFT_RULE_NAMES
# Called with (seconds since the start, objective, roster) for each improving roster, from the solver's thread.
OnSolution = Callable[[float, int, list[Assignment]], None]
STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID", cp_model.UNKNOWN: "UNKNOWN",
}


def default_workers() -> int:
    """One CP-SAT worker per core available, at most 8.

    Measured on the 2-core machine (bench/RESULTS.md, a 50-staff practice, 10 s): 2 workers reached objective 17,
    4 reached 679 and 8 reached 1,209, the extra workers only time-slicing the same two cores.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(8, cores))


@dataclass
class SolveResult:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN (no roster within the time limit), MODEL_INVALID
    objective: int | None
    lower_bound: int
    seconds: float
    assignments: list[Assignment] = field(default_factory=list)
    breakdown: dict[str, int] = field(default_factory=dict)
    # (seconds since the start, objective) for each improving roster found
    trajectory: list[tuple[float, int]] = field(default_factory=list)
    workers: int = 0
    greedy_objective: int | None = None  # the cost of the greedy starting roster (None: no greedy roster)
    # Whether the roster returned is the greedy one (CP-SAT found nothing better within the limit).
    from_greedy: bool = False

    @property
    def has_roster(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status, "objective": self.objective, "lower_bound": self.lower_bound,
            "seconds": round(self.seconds, 3), "assignments": len(self.assignments), "breakdown": self.breakdown,
            "solutions": len(self.trajectory), "workers": self.workers, "greedy_objective": self.greedy_objective,
            "from_greedy": self.from_greedy,
        }


class _Model:
    def __init__(self, instance: Instance, previous: Mapping[tuple[str, int], str] | None, change_weight: int):
        self.instance = instance
        self.model = cp_model.CpModel()
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.work: dict[tuple[str, int], cp_model.IntVar] = {}
        self.terms: dict[str, cp_model.LinearExprT] = {}
        self.weekend: dict[tuple[str, int], cp_model.IntVar] = {}  # (staff, weekend index) -> worked
        self.slack: list[tuple[int, cp_model.IntVar, cp_model.IntVar]] = []  # (cover index, under, over)
        self._build(previous, change_weight)

    def hint(self, roster: list[Assignment]) -> None:
        """A complete hint: every variable's value in `roster` (CP-SAT then has that roster from the start)."""
        inst, m = self.instance, self.model
        on = {(a.staff, a.day): a.shift for a in roster}
        for (staff, day, shift), var in self.x.items():
            m.add_hint(var, 1 if on.get((staff, day)) == shift else 0)
        for (staff, day), var in self.work.items():
            m.add_hint(var, 1 if (staff, day) in on else 0)
        for (staff, index), var in self.weekend.items():
            m.add_hint(var, 1 if any((staff, day) in on for day in inst.weekends[index]) else 0)
        for index, under, over in self.slack:
            need = inst.cover[index]
            have = sum(1 for person in inst.staff
                       if on.get((person.id, need.day)) == need.shift and inst.counts_for(person.id, need))
            m.add_hint(under, max(0, need.requirement - have))
            m.add_hint(over, max(0, have - need.requirement))

    def _build(self, previous: Mapping[tuple[str, int], str] | None, change_weight: int) -> None:
        inst, m = self.instance, self.model
        horizon = inst.horizon
        for person in inst.staff:
            off = inst.days_off_of(person.id)
            barred = inst.barred_of(person.id)
            for day in range(horizon):
                day_vars = []
                for shift in inst.shifts:
                    var = m.new_bool_var(f"x[{person.id},{day},{shift.id}]")
                    if day in off or (day, shift.id) in barred or person.max_of(shift.id, horizon) == 0:
                        m.add(var == 0)
                    self.x[person.id, day, shift.id] = var
                    day_vars.append(var)
                work = m.new_bool_var(f"w[{person.id},{day}]")
                m.add(work == sum(day_vars))  # one shift a day at most
                self.work[person.id, day] = work
            self._contract(person.id)
        self._soft(previous, change_weight)

    def _contract(self, staff_id: str) -> None:
        inst, m, x = self.instance, self.model, self.x
        person, horizon = inst.staff_by_id[staff_id], inst.horizon
        work = [self.work[staff_id, day] for day in range(horizon)]
        for shift in inst.shifts:
            limit = person.max_of(shift.id, horizon)
            if limit < horizon:
                m.add(sum(x[staff_id, day, shift.id] for day in range(horizon)) <= limit)
            for successor in sorted(inst.may_not_follow(staff_id, shift.id)):
                for day in range(horizon - 1):
                    m.add_bool_or([x[staff_id, day, shift.id].Not(), x[staff_id, day + 1, successor].Not()])
        minutes = sum(shift.minutes * x[staff_id, day, shift.id] for shift in inst.shifts for day in range(horizon))
        m.add_linear_constraint(minutes, person.min_total_minutes, person.max_total_minutes)
        longest = person.max_consecutive_shifts
        for start in range(horizon - longest):
            m.add(sum(work[start:start + longest + 1]) <= longest)
        # Minimum runs: forbid "off, s shifts, off" for s below the minimum (and the mirror for days off).
        # Runs touching either end of the horizon are exempt (the benchmark's convention).
        for length in range(1, person.min_consecutive_shifts):
            for before in range(horizon - length - 1):
                inside = work[before + 1:before + length + 1]
                m.add_bool_or([work[before], *(v.Not() for v in inside), work[before + length + 1]])
        for length in range(1, person.min_consecutive_days_off):
            for before in range(horizon - length - 1):
                inside = work[before + 1:before + length + 1]
                m.add_bool_or([work[before].Not(), *inside, work[before + length + 1].Not()])
        weekends = []
        for index, days in enumerate(inst.weekends):
            worked = m.new_bool_var(f"weekend[{staff_id},{days[0]}]")
            m.add_max_equality(worked, [work[day] for day in days])
            weekends.append(worked)
            self.weekend[staff_id, index] = worked
        if len(weekends) > person.max_weekends:
            m.add(sum(weekends) <= person.max_weekends)

    def _soft(self, previous: Mapping[tuple[str, int], str] | None, change_weight: int) -> None:
        inst, m, x = self.instance, self.model, self.x
        self.terms["shift_on_requests"] = sum(r.weight * (1 - x[r.staff, r.day, r.shift]) for r in inst.on_requests)
        self.terms["shift_off_requests"] = sum(r.weight * x[r.staff, r.day, r.shift] for r in inst.off_requests)
        under_terms, over_terms = [], []
        staff_count = len(inst.staff)
        for index, need in enumerate(inst.cover):
            have = sum(x[person.id, need.day, need.shift] for person in inst.staff
                       if inst.counts_for(person.id, need))
            # Exact in every roster found, not only at the optimum: under = max(0, need - have), over likewise,
            # so each intermediate roster's objective is its true cost (what the evaluator recomputes).
            under = m.new_int_var(0, max(need.requirement, 0), f"under[{need.day},{need.shift}]")
            over = m.new_int_var(0, staff_count, f"over[{need.day},{need.shift}]")
            m.add_max_equality(under, [0, need.requirement - have])
            m.add_max_equality(over, [0, have - need.requirement])
            self.slack.append((index, under, over))
            under_terms.append(need.under_weight * under)
            over_terms.append(need.over_weight * over)
        self.terms["cover_under"] = sum(under_terms)
        self.terms["cover_over"] = sum(over_terms)
        changes: list[cp_model.LinearExprT] = []
        if previous is not None and change_weight:
            for person in inst.staff:
                for day in range(inst.horizon):
                    before = previous.get((person.id, day))
                    if before is None:
                        changes.append(self.work[person.id, day])
                        m.add_hint(self.work[person.id, day], 0)
                    elif (person.id, day, before) in x:
                        changes.append(1 - x[person.id, day, before])
                        m.add_hint(x[person.id, day, before], 1)
                    else:  # the shift no longer exists: keeping it is impossible, so the change is a fixed cost
                        changes.append(1)
        self.terms["changes"] = change_weight * sum(changes)
        m.minimize(sum(self.terms[name] for name in SOFT_RULES))


class _Keeper(cp_model.CpSolverSolutionCallback):
    """Keeps the best roster found so far (CP-SAT reports improvements; a roster costing no less is ignored)."""

    def __init__(self, built: _Model, started: float, on_solution: OnSolution | None) -> None:
        super().__init__()
        self._built = built
        self._started = started
        self._on_solution = on_solution
        self.lock = threading.Lock()
        self.found = False
        self.from_greedy = False
        self.best: list[Assignment] = []
        self.best_breakdown: dict[str, int] = {}
        self.trajectory: list[tuple[float, int]] = []

    def start_from(self, roster: list[Assignment], breakdown: dict[str, int]) -> None:
        """The greedy roster, as the best so far before CP-SAT starts (CP-SAT's rosters must beat it)."""
        objective = sum(breakdown.values())
        elapsed = time.monotonic() - self._started
        with self.lock:
            self.found = True
            self.from_greedy = True
            self.best = sorted(roster)
            self.best_breakdown = dict(breakdown)
            self.trajectory.append((elapsed, objective))
        if self._on_solution is not None:
            self._on_solution(elapsed, objective, self.best)

    def on_solution_callback(self) -> None:
        built = self._built
        roster = [Assignment(staff, day, shift) for (staff, day, shift), var in built.x.items() if self.Value(var)]
        breakdown = {name: int(self.Value(term)) for name, term in built.terms.items()}
        # The cost of the roster itself: ObjectiveValue() can run above it in the first multi-worker
        # solutions (seen on generated 20-staff practices), while the terms' values are those of this roster.
        objective = sum(breakdown.values())
        elapsed = time.monotonic() - self._started
        with self.lock:
            if self.found and objective >= self.trajectory[-1][1]:
                return
            self.found = True
            self.from_greedy = False
            self.best = sorted(roster)
            self.best_breakdown = breakdown
            self.trajectory.append((elapsed, objective))
        if self._on_solution is not None:
            self._on_solution(elapsed, objective, self.best)


def solve(
    instance: Instance,
    *,
    seconds: float,
    workers: int | None = None,
    previous: Mapping[tuple[str, int], str] | None = None,
    change_weight: int = 0,
    seed: int = 0,
    on_solution: OnSolution | None = None,
    parameters: Mapping[str, object] | None = None,
    hint: bool = True,
) -> SolveResult:
    """Solve within `seconds`, keeping the best roster found (`on_solution` hears of each improvement).

    A greedy roster meeting every hard rule (`greedy.py`, checked by the evaluator) is the best so far before
    CP-SAT starts and CP-SAT's starting hint, so a roster exists from the first second: when CP-SAT finds nothing
    better (or nothing at all) within the limit, the greedy roster is returned, FEASIBLE, at its cost.
    With `previous` (staff, day) -> shift, each difference costs `change_weight` (the re-solve of a published
    roster), the previous roster is the search's starting hint and the greedy roster prefers it.
    `parameters` overrides CP-SAT parameters by name and `hint=False` keeps the greedy roster from CP-SAT (only
    the fallback then), both for measurements and tests."""
    started = time.monotonic()
    greedy = greedy_roster(instance, previous=previous, change_weight=change_weight,
                           improve_seconds=min(IMPROVE_SECONDS, seconds / 10))
    checked = None if greedy is None else evaluate(instance, greedy, previous=previous, change_weight=change_weight)
    if checked is not None and not checked.feasible:  # a bug in the greedy: do without it
        greedy, checked = None, None
    built = _Model(instance, previous, change_weight)
    if hint and greedy is not None and previous is None:  # a re-solve keeps the published roster as its hint
        built.hint(greedy)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers or default_workers()
    params.random_seed = seed
    params.fix_variables_to_their_hinted_value = False  # the hint is a start, not a rule
    params.max_time_in_seconds = max(0.01, seconds - (time.monotonic() - started))
    for name, value in (parameters or {}).items():
        setattr(params, name, value)
    keeper = _Keeper(built, started, on_solution)
    if greedy is not None and checked is not None:
        keeper.start_from(greedy, {name: checked.breakdown.get(name, 0) for name in built.terms})
    code = solver.solve(built.model, keeper)
    status = STATUS_NAMES.get(code, "UNKNOWN")
    if status == "UNKNOWN" and greedy is not None:  # no roster from CP-SAT within the limit: the greedy one
        status = "FEASIBLE"
    bound = solver.best_objective_bound
    result = SolveResult(status=status, objective=None, lower_bound=int(bound) if math.isfinite(bound) else 0,
                         seconds=time.monotonic() - started, workers=params.num_workers,
                         greedy_objective=None if checked is None else checked.objective)
    with keeper.lock:
        result.trajectory = list(keeper.trajectory)
        if status in ("OPTIMAL", "FEASIBLE") and keeper.found:
            result.assignments = list(keeper.best)
            result.breakdown = dict(keeper.best_breakdown)
            result.from_greedy = keeper.from_greedy
        elif status in ("OPTIMAL", "FEASIBLE"):  # no callback ran (should not happen): read the final values
            result.assignments = sorted(Assignment(staff, day, shift) for (staff, day, shift), var in built.x.items()
                                        if solver.value(var))
            result.breakdown = {name: int(solver.value(term)) for name, term in built.terms.items()}
        if result.has_roster:
            result.objective = sum(result.breakdown.values())
    if status in ("INFEASIBLE", "MODEL_INVALID", "UNKNOWN"):
        result.lower_bound = 0 if status != "UNKNOWN" else result.lower_bound
    if result.objective is not None:  # a bound never above the roster's cost (CP-SAT stopped early, say)
        result.lower_bound = max(0, min(result.lower_bound, result.objective))
    return result
