"""Read the Curtois & Qu shift-scheduling benchmark text format (schedulingbenchmarks.org, Instances 1-24).

    SECTION_HORIZON              one line: the number of days (day 0 is a Monday)
    SECTION_SHIFTS               ShiftID, Length in mins, shifts which cannot follow this shift (| separated)
    SECTION_STAFF                ID, MaxShifts (ShiftID=max | separated), MaxTotalMinutes, MinTotalMinutes,
                                 MaxConsecutiveShifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends
    SECTION_DAYS_OFF             EmployeeID, DayIndexes...
    SECTION_SHIFT_ON_REQUESTS    EmployeeID, Day, ShiftID, Weight
    SECTION_SHIFT_OFF_REQUESTS   EmployeeID, Day, ShiftID, Weight
    SECTION_COVER                Day, ShiftID, Requirement, Weight for under, Weight for over

Blank lines and lines starting with # are ignored. Every problem raises `InstanceError` naming the line
(1-based); nothing is returned half-read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .instance import Cover, Instance, Request, Shift, Staff

SECTIONS = (
    "SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER",
)


class InstanceError(ValueError):
    """A benchmark file that cannot be read; `line` is the 1-based line the problem is on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class _Line:
    number: int
    fields: tuple[str, ...]


def read_instance(path: str | Path) -> Instance:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InstanceError(1, f"{file.name} is not a UTF-8 text file") from error
    return parse_instance(text, name=file.stem)


def parse_instance(text: str, *, name: str = "") -> Instance:
    sections: dict[str, list[_Line]] = {}
    header_line: dict[str, int] = {}
    current: str | None = None
    last = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        last = number
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("SECTION_"):
            if line not in SECTIONS:
                raise InstanceError(number, f"unknown section {line!r} (expected one of {', '.join(SECTIONS)})")
            if line in sections:
                raise InstanceError(number, f"{line} appears twice (first on line {header_line[line]})")
            current = line
            sections[line] = []
            header_line[line] = number
            continue
        if current is None:
            raise InstanceError(number, "data before the first SECTION_ header")
        sections[current].append(_Line(number, tuple(part.strip() for part in line.split(","))))
    missing = [section for section in SECTIONS if section not in sections]
    if missing:
        raise InstanceError(last + 1 if last else 1, f"missing section {', '.join(missing)} (end of file)")

    horizon = _horizon(sections["SECTION_HORIZON"], header_line["SECTION_HORIZON"])
    shifts = _shifts(sections["SECTION_SHIFTS"], header_line["SECTION_SHIFTS"])
    shift_ids = {shift.id for shift in shifts}
    staff = _staff(sections["SECTION_STAFF"], header_line["SECTION_STAFF"], shift_ids)
    staff_ids = {person.id for person in staff}
    days_off: dict[str, frozenset[int]] = {}
    for entry in sections["SECTION_DAYS_OFF"]:
        who = _known(entry, entry.fields[0], staff_ids, "staff ID")
        if who in days_off:
            raise InstanceError(entry.number, f"days off of {who} listed twice")
        days_off[who] = frozenset(_day(entry, value, horizon) for value in entry.fields[1:] if value != "")
    on_requests = _requests(sections["SECTION_SHIFT_ON_REQUESTS"], horizon, staff_ids, shift_ids)
    off_requests = _requests(sections["SECTION_SHIFT_OFF_REQUESTS"], horizon, staff_ids, shift_ids)
    cover = _cover(sections["SECTION_COVER"], horizon, shift_ids)
    return Instance(horizon=horizon, shifts=shifts, staff=staff, days_off=days_off, on_requests=on_requests,
                    off_requests=off_requests, cover=cover, name=name)


def _int(entry: _Line, value: str, what: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise InstanceError(entry.number, f"{what} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise InstanceError(entry.number, f"{what} must be at least {minimum}, not {number}")
    return number


def _day(entry: _Line, value: str, horizon: int) -> int:
    day = _int(entry, value, "day")
    if day >= horizon:
        raise InstanceError(entry.number, f"day {day} is outside the horizon of {horizon} days (0-{horizon - 1})")
    return day


def _known(entry: _Line, value: str, known: Iterable[str], what: str) -> str:
    if value not in known:
        raise InstanceError(entry.number, f"unknown {what} {value!r}")
    return value


def _width(entry: _Line, count: int, layout: str) -> None:
    if len(entry.fields) != count:
        raise InstanceError(entry.number, f"expected {count} comma-separated fields ({layout}), found "
                                          f"{len(entry.fields)}")


def _horizon(lines: list[_Line], header: int) -> int:
    if len(lines) != 1 or len(lines[0].fields) != 1:
        raise InstanceError(lines[1].number if len(lines) > 1 else (lines[0].number if lines else header),
                            "SECTION_HORIZON holds exactly one number, the days in the horizon")
    return _int(lines[0], lines[0].fields[0], "horizon", minimum=1)


def _shifts(lines: list[_Line], header: int) -> tuple[Shift, ...]:
    if not lines:
        raise InstanceError(header, "SECTION_SHIFTS lists no shift")
    seen: dict[str, int] = {}
    rows = []
    for entry in lines:
        fields = entry.fields
        if len(fields) == 2:
            fields = (*fields, "")
        _width(_Line(entry.number, fields), 3, "ShiftID, Length in mins, shifts which cannot follow")
        shift_id = fields[0]
        if not shift_id:
            raise InstanceError(entry.number, "empty shift ID")
        if shift_id in seen:
            raise InstanceError(entry.number, f"shift ID {shift_id!r} used twice (first on line {seen[shift_id]})")
        seen[shift_id] = entry.number
        minutes = _int(entry, fields[1], "shift length in minutes")
        successors = tuple(part.strip() for part in fields[2].split("|") if part.strip())
        rows.append((entry, shift_id, minutes, successors))
    shifts = []
    for entry, shift_id, minutes, successors in rows:
        for successor in successors:
            if successor not in seen:
                raise InstanceError(entry.number, f"shift {shift_id!r} names an unknown shift {successor!r} "
                                                  "among those which cannot follow it")
        shifts.append(Shift(shift_id, minutes, frozenset(successors)))
    return tuple(shifts)


def _staff(lines: list[_Line], header: int, shift_ids: set[str]) -> tuple[Staff, ...]:
    if not lines:
        raise InstanceError(header, "SECTION_STAFF lists no staff")
    seen: dict[str, int] = {}
    staff = []
    layout = ("ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, "
              "MinConsecutiveDaysOff, MaxWeekends")
    for entry in lines:
        _width(entry, 8, layout)
        staff_id = entry.fields[0]
        if not staff_id:
            raise InstanceError(entry.number, "empty staff ID")
        if staff_id in seen:
            raise InstanceError(entry.number, f"staff ID {staff_id!r} used twice (first on line {seen[staff_id]})")
        seen[staff_id] = entry.number
        max_shifts: dict[str, int] = {}
        for token in (part.strip() for part in entry.fields[1].split("|")):
            if not token:
                continue
            shift_id, equals, value = token.partition("=")
            if not equals:
                raise InstanceError(entry.number, f"MaxShifts entry {token!r} is not ShiftID=max")
            shift_id = _known(entry, shift_id.strip(), shift_ids, "shift ID in MaxShifts")
            max_shifts[shift_id] = _int(entry, value.strip(), f"MaxShifts of {shift_id}")
        numbers = [_int(entry, value, what) for value, what in zip(entry.fields[2:], layout.split(", ")[2:],
                                                                    strict=True)]
        staff.append(Staff(staff_id, max_shifts, *numbers))
    return tuple(staff)


def _requests(lines: list[_Line], horizon: int, staff_ids: set[str], shift_ids: set[str]) -> tuple[Request, ...]:
    requests = []
    for entry in lines:
        _width(entry, 4, "EmployeeID, Day, ShiftID, Weight")
        staff_id = _known(entry, entry.fields[0], staff_ids, "staff ID")
        day = _day(entry, entry.fields[1], horizon)
        shift_id = _known(entry, entry.fields[2], shift_ids, "shift ID")
        requests.append(Request(staff_id, day, shift_id, _int(entry, entry.fields[3], "weight")))
    return tuple(requests)


def _cover(lines: list[_Line], horizon: int, shift_ids: set[str]) -> tuple[Cover, ...]:
    seen: dict[tuple[int, str], int] = {}
    cover = []
    for entry in lines:
        _width(entry, 5, "Day, ShiftID, Requirement, Weight for under, Weight for over")
        day = _day(entry, entry.fields[0], horizon)
        shift_id = _known(entry, entry.fields[1], shift_ids, "shift ID")
        if (day, shift_id) in seen:
            raise InstanceError(entry.number, f"cover of shift {shift_id!r} on day {day} given twice (first on "
                                              f"line {seen[day, shift_id]})")
        seen[day, shift_id] = entry.number
        cover.append(Cover(day, shift_id, _int(entry, entry.fields[2], "requirement"),
                           _int(entry, entry.fields[3], "weight for under"),
                           _int(entry, entry.fields[4], "weight for over")))
    return tuple(cover)
