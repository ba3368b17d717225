"""The greedy roster (CP-SAT's starting hint and the engine's fallback) checked by the independent evaluator, and
the engine returning a valid roster when CP-SAT has no time to find one."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from clinicdesk.staffing.engine import Cover, Instance, evaluate, parse_instance, read_instance, solve
from clinicdesk.staffing.engine.generate import generate
from clinicdesk.staffing.engine.greedy import greedy_roster

INSTANCES = Path(__file__).parent / "instances"


def practice_rules(instance: Instance, seed: int) -> Instance:
    """The practice's own rules on top of a generated instance: skills on half the cover, a person's own forbidden
    succession (their minimum rest) and shifts barred by an expired certification."""
    rng = random.Random(seed)
    ids = [person.id for person in instance.staff]
    skills = {sid: frozenset({"xray"}) for sid in ids if rng.random() < 0.4}
    cover = tuple(dataclasses.replace(need, skill="xray") if need.shift == "D" and need.day % 2 else need
                  for need in instance.cover)
    extra = tuple(Cover(day, "E", 1, 100, 1, skill="xray") for day in range(0, instance.horizon, 3))
    own = {sid: frozenset({("D", "E")}) for sid in rng.sample(ids, len(ids) // 4)}
    barred = {sid: {(day, "L"): "certification" for day in range(10, instance.horizon)}
              for sid in rng.sample(ids, len(ids) // 5)}
    return dataclasses.replace(instance, cover=cover + extra, skills=skills, own_successions=own, barred=barred)


CASES = [(size, seed) for size in (8, 20, 50) for seed in (1, 2)]


@pytest.mark.parametrize(("size", "seed"), CASES, ids=[f"{size}staff-seed{seed}" for size, seed in CASES])
def test_the_greedy_roster_keeps_every_hard_rule(size: int, seed: int) -> None:
    for instance in (parse_instance(generate(size, seed)), practice_rules(parse_instance(generate(size, seed)), seed)):
        roster = greedy_roster(instance, improve_seconds=0.3)  # every local-search move is checked all the same
        assert roster is not None
        check = evaluate(instance, roster)
        assert check.violations == []
        assert roster  # someone works


def test_the_greedy_roster_on_the_test_instances_and_none_when_no_roster_exists() -> None:
    for path in sorted(INSTANCES.glob("*.txt")):
        roster = greedy_roster(read_instance(path))
        if path.stem == "infeasible":
            assert roster is None
        else:
            assert roster is not None and evaluate(read_instance(path), roster).feasible, path.stem


def test_the_greedy_roster_of_a_resolve_keeps_the_published_roster_where_it_can() -> None:
    instance = parse_instance(generate(20, 4))
    published = greedy_roster(instance)
    assert published is not None
    previous = {(a.staff, a.day): a.shift for a in published}
    sick_staff, sick_day = published[len(published) // 2].staff, published[len(published) // 2].day
    changed = dataclasses.replace(instance, days_off={
        **instance.days_off, sick_staff: instance.days_off_of(sick_staff) | {sick_day}})
    again = greedy_roster(changed, previous=previous, change_weight=1000)
    assert again is not None
    check = evaluate(changed, again, previous=previous, change_weight=1000)
    assert check.feasible
    assert 1000 <= check.breakdown["changes"] <= 1000 * 10  # the sick day, and a few days around it at most


@pytest.mark.parametrize("parameters", [None, {"max_time_in_seconds": 0.0}], ids=["0.05s", "stopped-at-once"])
def test_solve_returns_the_greedy_roster_when_cp_sat_finds_none_in_time(parameters: dict[str, object] | None) -> None:
    instance = practice_rules(parse_instance(generate(50, 5)), 5)
    heard: list[int] = []
    result = solve(instance, seconds=0.05, workers=1, parameters=parameters,
                   on_solution=lambda _seconds, objective, _roster: heard.append(objective))
    assert result.status == "FEASIBLE"
    assert result.from_greedy and result.objective == result.greedy_objective == heard[0]
    check = evaluate(instance, result.assignments)
    assert check.violations == []
    assert check.objective == result.objective and check.breakdown == result.breakdown
    assert result.trajectory[0][1] == result.greedy_objective


def test_cp_sat_starts_from_the_greedy_roster_and_only_improves_on_it() -> None:
    instance = parse_instance(generate(20, 6))
    result = solve(instance, seconds=1.5, workers=2)
    assert result.has_roster and result.greedy_objective is not None
    assert result.trajectory[0][1] == result.greedy_objective
    assert result.objective is not None and result.objective <= result.greedy_objective
    objectives = [objective for _seconds, objective in result.trajectory]
    assert objectives == sorted(objectives, reverse=True)
    assert evaluate(instance, result.assignments).objective == result.objective
