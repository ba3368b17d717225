"""The file rules (UTF-8 with or without BOM, 2 MB, 5,000 rows, formula-safe echo) and `clinicdesk import`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.imports.services import MAX_ROWS, echo, import_check
from clinicdesk.practice.models import Room

from .conftest import csv_bytes


def test_a_file_with_a_bom_reads_like_one_without(coordinator, downtown):
    report = import_check(actor=coordinator, kind="rooms", file_name="r.csv",
                          data=csv_bytes("location,name", "downtown,Room 9", bom=True))
    assert report.ok and report.rows == 1


@pytest.mark.parametrize(("data", "code"), [
    (b"location,name\n" + b"x" * (2 * 1024 * 1024), "file-too-large"),
    ("location,name\ndowntown,Sala ñ".encode("latin-1"), "not-utf8"),
    (b"", "empty-file"),
    (csv_bytes("location,name", *[f"downtown,R{i}" for i in range(MAX_ROWS + 1)]), "too-many-rows"),
])
def test_a_file_that_breaks_the_file_rules_is_refused_clearly(coordinator, downtown, data, code):
    with pytest.raises(ValidationFailed) as caught:
        import_check(actor=coordinator, kind="rooms", file_name="r.csv", data=data)
    assert caught.value.code == code


def test_values_echoed_back_cannot_start_a_formula(coordinator, downtown):
    report = import_check(actor=coordinator, kind="rooms", file_name="r.csv",
                          data=csv_bytes("location,name", "=HYPERLINK(1),Room 9"))
    assert "'=HYPERLINK(1)" in report.problems[0].message
    assert echo("@SUM(A1)") == "'@SUM(A1)" and echo("Room") == "Room"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_imports_and_undoes(tmp_path, downtown):
    path = tmp_path / "rooms.csv"
    path.write_bytes(csv_bytes("location,name,kind", "downtown,Room 9,exam"))
    assert "Imported 1 rows" in _run("rooms", str(path))
    assert Room.objects.get().active
    assert "Undone" in _run("undo")
    assert not Room.objects.get().active


def test_command_dry_run_prints_problems_by_line_and_exits_non_zero(tmp_path, downtown):
    path = tmp_path / "rooms.csv"
    path.write_bytes(csv_bytes("location,name,kind", "downtown,Room 9,exam", "uptown,Room 1,exam"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "rooms", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "line 3, location: No active location with code 'uptown'." in out.getvalue()
    assert Room.objects.count() == 0


def test_command_dry_run_of_a_clean_file_exits_zero_and_writes_nothing(tmp_path, downtown):
    path = tmp_path / "rooms.csv"
    path.write_bytes(csv_bytes("location,name", "downtown,Room 9"))
    assert "1 rows ready" in _run("rooms", str(path), "--dry-run")
    assert Room.objects.count() == 0


def test_command_as_a_user_without_the_permission_fails(tmp_path, downtown, make_user):
    path = tmp_path / "rooms.csv"
    path.write_bytes(csv_bytes("location,name", "downtown,Room 9"))
    clerk = make_user(at=downtown)
    with pytest.raises(CommandError):
        _run("rooms", str(path), "--as", clerk.username)
    assert Room.objects.count() == 0


def test_command_undo_with_nothing_to_undo_fails(db):
    with pytest.raises(CommandError, match="no import to undo"):
        _run("undo")
