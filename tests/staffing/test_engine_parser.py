"""The benchmark-format reader: a good file reads whole, a bad one is refused naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinicdesk.staffing.engine import InstanceError, parse_instance, read_instance

INSTANCES = Path(__file__).parent / "instances"

GOOD = """\
# comment
SECTION_HORIZON
# days
14

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
L,480,E
N,600,E|L

SECTION_STAFF
A,E=14|L=5|N=2,4800,2400,5,2,2,1
B,E=14|L=14,4800,2400,5,2,2,2

SECTION_DAYS_OFF
A,0,13
B

SECTION_SHIFT_ON_REQUESTS
A,2,E,2

SECTION_SHIFT_OFF_REQUESTS
B,5,L,3

SECTION_COVER
0,E,1,100,1
13,N,2,100,5
"""


def _with(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_parse_reads_every_section() -> None:
    instance = parse_instance(GOOD, name="good")
    assert instance.horizon == 14
    assert [(s.id, s.minutes, sorted(s.cannot_follow)) for s in instance.shifts] == [
        ("E", 480, []), ("L", 480, ["E"]), ("N", 600, ["E", "L"])]
    a, b = instance.staff
    assert dict(a.max_shifts) == {"E": 14, "L": 5, "N": 2}
    assert (a.max_total_minutes, a.min_total_minutes, a.max_consecutive_shifts, a.min_consecutive_shifts,
            a.min_consecutive_days_off, a.max_weekends) == (4800, 2400, 5, 2, 2, 1)
    assert b.max_of("N", instance.horizon) == 14  # not listed: no limit beyond the horizon
    assert instance.days_off == {"A": frozenset({0, 13}), "B": frozenset()}
    assert [(r.staff, r.day, r.shift, r.weight) for r in instance.on_requests] == [("A", 2, "E", 2)]
    assert [(r.staff, r.day, r.shift, r.weight) for r in instance.off_requests] == [("B", 5, "L", 3)]
    assert [(c.day, c.shift, c.requirement, c.under_weight, c.over_weight) for c in instance.cover] == [
        (0, "E", 1, 100, 1), (13, "N", 2, 100, 5)]
    assert instance.weekends == ((5, 6), (12, 13))


def test_read_instance_reads_the_test_files() -> None:
    for path in sorted(INSTANCES.glob("*.txt")):
        assert read_instance(path).name == path.stem


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(("text", "line_with", "message"), [
    (_with("SECTION_COVER\n0,E,1,100,1\n13,N,2,100,5\n", ""), None, "missing section SECTION_COVER"),
    (_with("B,E=14|L=14,4800", "A,E=14|L=14,4800"), "A,E=14|L=14,4800", "staff ID 'A' used twice (first on line"),
    (_with("N,600,E|L", "N,600,E|X"), "N,600,E|X", "unknown shift 'X'"),
    (_with("A,2,E,2", "A,2,E"), "A,2,E", "expected 4 comma-separated fields"),
    (_with("A,2,E,2", "A,2,E,two"), "A,2,E,two", "weight must be a whole number, not 'two'"),
    (_with("0,E,1,100,1", "14,E,1,100,1"), "14,E,1,100,1", "day 14 is outside the horizon"),
    (_with("B,5,L,3", "Z,5,L,3"), "Z,5,L,3", "unknown staff ID 'Z'"),
    (_with("0,E,1,100,1", "0,Q,1,100,1"), "0,Q,1,100,1", "unknown shift ID 'Q'"),
    (_with("A,E=14|L=5|N=2", "A,E=14|X=5|N=2"), "A,E=14|X=5|N=2", "unknown shift ID in MaxShifts 'X'"),
    (_with("A,E=14|L=5|N=2", "A,E=14|L5|N=2"), "A,E=14|L5|N=2", "is not ShiftID=max"),
    (_with("E,480,", "L,480,"), "L,480,E", "shift ID 'L' used twice (first on line"),
    (_with("SECTION_DAYS_OFF", "SECTION_HOLIDAYS"), "SECTION_HOLIDAYS", "unknown section"),
    (_with("# comment\n", "stray\n"), "stray", "data before the first SECTION_ header"),
    (_with("13,N,2,100,5", "0,E,2,100,5"), "0,E,2,100,5", "given twice"),
    (_with("\n14\n", "\n14\n15\n"), "15", "exactly one number"),
    (_with("A,0,13", "A,0,x"), "A,0,x", "day must be a whole number"),
    (_with("A,0,13\nB", "A,0,13\nA,1"), "A,1", "days off of A listed twice"),
])
def test_parse_refuses_bad_input_naming_the_line(text: str, line_with: str | None, message: str) -> None:
    with pytest.raises(InstanceError) as caught:
        parse_instance(text)
    expected = len(text.splitlines()) + 1 if line_with is None else _line_of(text, line_with.rstrip("\n"))
    assert caught.value.line == expected
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"line {expected}: ")


def test_parse_names_the_first_line_when_the_file_is_empty() -> None:
    with pytest.raises(InstanceError, match=r"^line 1: missing section SECTION_HORIZON"):
        parse_instance("")
