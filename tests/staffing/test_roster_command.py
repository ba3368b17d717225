"""`clinicdesk roster benchmark FILE --seconds N --out ROSTER.csv`: the public shape and the bad-input refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinicdesk.__main__ import main
from clinicdesk.staffing.engine import Assignment, evaluate, read_instance

INSTANCES = Path(__file__).parent / "instances"


def run(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("roster", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_benchmark_writes_the_roster_csv_and_one_json_line(tmp_path: Path) -> None:
    target = tmp_path / "roster.csv"
    report = run("benchmark", str(INSTANCES / "early_late.txt"), "--seconds", "5", "--out", str(target))
    assert report["status"] == "OPTIMAL"
    assert report["objective"] == 57 == report["lower_bound"]
    assert report["breakdown"] == {"shift_on_requests": 5, "shift_off_requests": 2, "cover_under": 50,
                                   "cover_over": 0, "changes": 0}
    assert isinstance(report["seconds"], float)
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["staff", "day", "shift"]
    assignments = [Assignment(staff, int(day), shift) for staff, day, shift in rows[1:]]
    assert len(assignments) == report["assignments"]
    check = evaluate(read_instance(INSTANCES / "early_late.txt"), assignments)
    assert check.feasible and check.objective == 57


@pytest.mark.parametrize(("args", "message"), [
    (["missing.txt", "--seconds", "1"], "No such instance file"),
    (["early_late.txt", "--seconds", "0"], "--seconds must be a positive number"),
    (["early_late.txt", "--seconds", "1", "--workers", "0"], "--workers must be at least 1"),
])
def test_benchmark_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    args[0] = str(INSTANCES / args[0])
    with pytest.raises(CommandError, match=message):
        call_command("roster", "benchmark", *args, "--out", str(tmp_path / "r.csv"))
    assert not (tmp_path / "r.csv").exists()


def test_benchmark_names_the_bad_line_and_solves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text((INSTANCES / "early_late.txt").read_text().replace("L,480,E", "L,480,X"))
    with pytest.raises(CommandError, match=r"^bad\.txt, line 10: shift 'L' names an unknown shift 'X'"):
        call_command("roster", "benchmark", str(bad), "--seconds", "1", "--out", str(tmp_path / "r.csv"))
    assert not (tmp_path / "r.csv").exists()


def test_benchmark_reports_no_roster_for_an_infeasible_instance(tmp_path: Path) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match="No roster: the hard rules cannot all be met"):
        call_command("roster", "benchmark", str(INSTANCES / "infeasible.txt"), "--seconds", "2",
                     "--out", str(tmp_path / "r.csv"), stdout=out)
    assert json.loads(out.getvalue())["status"] == "INFEASIBLE"
    assert not (tmp_path / "r.csv").exists()


def test_clinicdesk_roster_benchmark_exits_non_zero_with_one_line_on_bad_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "dup.txt"
    bad.write_text((INSTANCES / "week_one_shift.txt").read_text().replace("C,D=7,1440", "A,D=7,1440"))
    with pytest.raises(SystemExit) as exited:  # the `clinicdesk` entry point, in process (a subprocess costs 5 s)
        main(["roster", "benchmark", str(bad), "--seconds", "1", "--out", str(tmp_path / "r.csv")])
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "CommandError: dup.txt, line 17: staff ID 'A' used twice (first on line 15)"]
