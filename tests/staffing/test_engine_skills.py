"""The engine's two additions for the practice's own data (not in the benchmark format): cover that counts only
the holders of a skill, and successions forbidden to one person (their minimum rest). Solver and evaluator agree."""

from __future__ import annotations

from clinicdesk.staffing.engine import Assignment, Cover, Instance, Request, Shift, Staff, evaluate, solve


def person(staff_id: str) -> Staff:
    return Staff(staff_id, {}, 10_000, 0, 7, 1, 1, 4)


def test_only_holders_of_the_skill_count_towards_its_cover() -> None:
    inst = Instance(
        horizon=2, shifts=(Shift("D", 480),), staff=(person("A"), person("B")),
        days_off={"B": frozenset({0})},
        cover=(Cover(0, "D", 1, 10, 1, skill="XRAY"), Cover(1, "D", 1, 10, 1, skill="XRAY"), Cover(0, "D", 1, 5, 1)),
        skills={"B": frozenset({"XRAY"})})
    result = solve(inst, seconds=2, workers=2)
    assert result.status == "OPTIMAL"
    # day 0: the only X-ray person is off, so 10 whatever A does; A works to meet the general need
    assert result.objective == 10 and result.breakdown["cover_under"] == 10
    assert sorted(result.assignments) == [Assignment("A", 0, "D"), Assignment("B", 1, "D")]
    check = evaluate(inst, result.assignments)
    assert check.feasible and check.breakdown == result.breakdown
    # A alone on day 1 does not meet the X-ray need
    assert evaluate(inst, [Assignment("A", 0, "D"), Assignment("A", 1, "D")]).breakdown["cover_under"] == 20


def test_a_persons_own_forbidden_succession() -> None:
    inst = Instance(
        horizon=2, shifts=(Shift("E", 480), Shift("L", 480)), staff=(person("A"), person("B")),
        on_requests=(Request("A", 0, "L", 1), Request("A", 1, "E", 1), Request("B", 0, "L", 1),
                     Request("B", 1, "E", 1)),
        own_successions={"A": frozenset({("L", "E")})})
    assert inst.may_not_follow("A", "L") == {"E"} and inst.may_not_follow("B", "L") == frozenset()
    result = solve(inst, seconds=2, workers=2)
    assert result.status == "OPTIMAL" and result.objective == 1  # A misses one request, B gets both
    assert evaluate(inst, result.assignments).feasible
    broken = evaluate(inst, [Assignment("A", 0, "L"), Assignment("A", 1, "E")])
    assert [v.rule for v in broken.violations] == ["succession"]
