"""The independent evaluator on hand-made rosters: each hard rule caught, each soft rule costed by hand."""

from __future__ import annotations

import pytest

from clinicdesk.staffing.engine import Assignment, Instance, evaluate, parse_instance

TEXT = """\
SECTION_HORIZON
14
SECTION_SHIFTS
E,480,
L,480,E
N,600,E|L
SECTION_STAFF
A,E=14|L=5|N=1,4800,1440,4,2,2,1
B,E=14|L=14|N=14,4800,0,4,1,1,2
SECTION_DAYS_OFF
A,7
SECTION_SHIFT_ON_REQUESTS
A,0,E,2
A,1,L,3
SECTION_SHIFT_OFF_REQUESTS
A,2,E,5
B,3,N,7
SECTION_COVER
0,E,2,100,1
1,E,1,100,4
2,E,0,10,3
"""


@pytest.fixture(scope="module")
def instance() -> Instance:
    return parse_instance(TEXT)


def roster(**lines: str) -> list[Assignment]:
    """One string per person, a character per day: a shift id or '.' for a day off."""
    return [Assignment(staff, day, shift) for staff, line in lines.items()
            for day, shift in enumerate(line) if shift != "."]


def rules(instance: Instance, assignments: list[Assignment]) -> list[tuple[str, str, int | None]]:
    return [(v.rule, v.staff, v.day) for v in evaluate(instance, assignments).violations]


def test_evaluate_accepts_a_roster_keeping_every_rule(instance: Instance) -> None:
    # Runs touching either end of the horizon are exempt from the minimum lengths (a lone shift on day 13).
    assert rules(instance, roster(A="EEEE....LL...E", B="E.............")) == []


@pytest.mark.parametrize(("line_a", "expected"), [
    ("EEEE...E......", [("day_off", "A", 7), ("min_consecutive_shifts", "A", 7)]),
    ("EEL..EE.......", []),
    ("EELE..........", [("succession", "A", 3)]),
    ("EEN..LL.......", []),
    ("EENE..........", [("succession", "A", 3)]),
    ("N..N..........", [("max_shifts", "A", None), ("min_consecutive_shifts", "A", 3),
                        ("min_total_minutes", "A", None)]),
    ("E.............", [("min_total_minutes", "A", None)]),
    ("EEEEE.........", [("max_consecutive_shifts", "A", 0)]),
    ("EE..E..EE.....", [("day_off", "A", 7), ("min_consecutive_shifts", "A", 4)]),
    ("EE.EE..EE.....", [("day_off", "A", 7), ("min_consecutive_days_off", "A", 2)]),
    (".EE..EE.......", []),  # one weekend (Sat 5 + Sun 6) and a lone day off on day 0: fine
    ("EE...EE....EE.", [("max_weekends", "A", None)]),
    ("EEEE..EEEE..EE", [("day_off", "A", 7), ("max_weekends", "A", None)]),
])
def test_evaluate_names_each_broken_hard_rule(instance: Instance, line_a: str,
                                              expected: list[tuple[str, str, int | None]]) -> None:
    assert sorted(rules(instance, roster(A=line_a)), key=str) == sorted(expected, key=str)


def test_evaluate_caps_total_minutes(instance: Instance) -> None:
    # B: 12 shifts of 480 = 5760 minutes, max 4800; two weekends is B's limit.
    assert rules(instance, roster(A="EEE...........", B="EEEE.EEEE.EEEE")) == [("max_total_minutes", "B", None)]


def test_evaluate_refuses_two_shifts_a_day_and_unknown_ids(instance: Instance) -> None:
    found = rules(instance, [*roster(A="EE..EE........"), Assignment("A", 0, "L"), Assignment("Z", 1, "E"),
                             Assignment("B", 1, "Q"), Assignment("B", 14, "E")])
    assert found == [("one_shift_a_day", "A", 0), ("unknown_staff", "Z", 1), ("unknown_shift", "B", 1),
                     ("day_outside_horizon", "B", 14)]


def test_evaluate_costs_each_soft_rule(instance: Instance) -> None:
    # A: day 0 E (on-request met), day 1 E instead of L (on-request 3 missed), day 2 E (off-request 5 broken).
    # B: day 3 N (off-request 7 broken). Cover: day 0 E has 1 of 2 (100), day 1 E has 2 of 1 (over 4),
    # day 2 E has 2 of 0 (over 2 x 3 = 6).
    result = evaluate(instance, roster(A="EEE...........", B=".EEN.........."))
    assert result.feasible
    assert result.breakdown == {"shift_on_requests": 3, "shift_off_requests": 12, "cover_under": 100,
                                "cover_over": 10, "changes": 0}
    assert result.objective == 125


def test_evaluate_costs_each_change_from_the_previous_roster(instance: Instance) -> None:
    previous = {(a.staff, a.day): a.shift for a in roster(A="EEE...........", B=".EEN..........")}
    # A day 2 removed, B day 3 N -> L, B day 4 added: three changes.
    result = evaluate(instance, roster(A="EE............", B=".EELL........."), previous=previous,
                      change_weight=20)
    assert result.breakdown["changes"] == 60
