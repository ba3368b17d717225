"""The patient CSV import (`clinicdesk import patients FILE`) against files it was never meant to get:
random text, wrong encodings, a BOM or two, missing and unknown headers, short and long rows, spreadsheet
formulas, NUL characters, cells over the csv module's size limit. It either imports, or stops with a clear
CommandError; a refused file saves nothing; and a cell that a spreadsheet would run as a formula is
neutralised when exported again."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicdesk.patients.csvio import EXPORT_COLUMNS, IMPORT_COLUMNS, patient_to_row
from clinicdesk.patients.models import Patient, RelatedPerson
from tests.factories import PatientFactory

from .conftest import Clinic, rolled_back, scaled

WITH_DB = settings(max_examples=scaled(40), deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large])
FORMULAS = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+2", "\r=1"]
JUNK = st.one_of(st.text(max_size=30), st.sampled_from(FORMULAS), st.sampled_from(["a\x00b", "\x00", "x" * 300,
                                                                                   "x" * 140_000, "\ufeff", '"']))
PLAUSIBLE = {
    "family_name": ["Garcia", "O'Neil", "Nguyen", "Smith-Jones", "Zoë"],
    "given_name": ["Ana", "Luis", "Marie Claire", "J"],
    "birth_date": ["1980-05-17", "05/17/1980", "1980-02-30", "2030-01-01", "0001-01-01", "9999-12-31", "17.05.1980"],
    "sex": ["F", "M", "female", "x", "u", "?"],
    "phone": ["413-555-0147", "(602) 555-0142", "12", "+1 413 555 0199"],
    "email": ["ana@example.org", "nope", "ANA@EXAMPLE.ORG"],
    "state": ["MA", "az", "ZZ"], "postal_code": ["01103", "85018-1234", "1"],
    "race": ["White", "2106-3;2028-9", "declined;White", "martian"], "interpreter_needed": ["yes", "no", "maybe"],
    "address_line": FORMULAS, "employer": FORMULAS,
    "emergency_name": ["Luis Garcia", "=1+1"], "emergency_relationship": ["brother", ""],
    "emergency_phone": ["4135550111", "x"],
}


@st.composite
def csv_files(draw: Any, location_code: str) -> tuple[bytes, int]:
    """A file's bytes and how many data rows it has."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400)), 0
    columns = draw(st.lists(st.sampled_from([*IMPORT_COLUMNS, *IMPORT_COLUMNS[:4], "mrn", "Family Name", "",
                                             "\ufefffamily_name"]), max_size=12))
    if draw(st.booleans()):
        columns = ["family_name", "given_name", "birth_date", "sex", *columns]
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        row = []
        for column in columns:
            if column == "location":
                row.append(draw(st.sampled_from([location_code, "nowhere", ""])))
            else:
                row.append(draw(st.one_of(st.sampled_from(PLAUSIBLE.get(column, ["x"])), JUNK)))
        row += draw(st.lists(JUNK, max_size=1))  # now and then one cell too many
        rows.append(row[:len(row) - draw(st.integers(0, 1))] if row else row)  # or one too few
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows([columns, *rows])
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace"), len(rows)


@WITH_DB
@given(data=st.data(), options=st.sampled_from([[], [], ["--dry-run"], ["--partial"], ["--allow-duplicates"]]))
def test_import_either_imports_or_refuses_clearly_and_saves_nothing(fuzz_clinic: Clinic, tmp_path, data, options):
    with rolled_back():
        content, _rows = data.draw(csv_files(fuzz_clinic.location.code))
        path = tmp_path / "patients.csv"
        path.write_bytes(content)
        before = Patient.objects.count()
        out = io.StringIO()
        try:
            call_command("import", "patients", str(path), "--no-progress", *options, stdout=out, stderr=io.StringIO())
        except CommandError as refusal:
            assert str(refusal).strip()
            if "--partial" not in options:
                assert Patient.objects.count() == before
            return
        saved = re.search(r"(\d+) patients (saved|would be saved)", out.getvalue())
        assert saved is not None, out.getvalue()
        if "--dry-run" in options:
            assert Patient.objects.count() == before
        else:
            assert Patient.objects.count() == before + int(saved.group(1))


BROKE_IT = [
    (b"family_name,given_name,birth_date,sex,location\n" + b"G" * 140_000 + b",Ana,1980-01-01,F,LOC\n",
     "Line 2 cannot be read as CSV"),  # csv.Error escaped the command
    (b"G" * 140_000 + b",given_name\n", "Line 1 cannot be read as CSV"),
    (b"family_name,given_name,birth_date,sex,location\nGar\x00cia,Ana,1980-01-01,F,LOC\n",
     "NUL character"),  # saved on SQLite, a DataError on PostgreSQL
    (b"family_name,given_name,birth_date,sex,location,emergency_name,emergency_relationship,emergency_phone\n"
     b"Garcia,Ana,1980-01-01,F,LOC,Luis\x00,brother,4135550111\n", "emergency_name"),
    (b"family_name,given_name,birth_date,sex,location\nGarc\xeda,Ana,1980-01-01,F,LOC\n", "not UTF-8"),
]


def test_import_refuses_what_used_to_break_it(fuzz_clinic: Clinic, tmp_path):
    before = Patient.objects.count(), RelatedPerson.objects.count()
    for content, message in BROKE_IT:
        path = tmp_path / "patients.csv"
        path.write_bytes(content.replace(b"LOC", fuzz_clinic.location.code.encode()))
        out = io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("import", "patients", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
        assert message in str(refused.value) + out.getvalue()
        assert (Patient.objects.count(), RelatedPerson.objects.count()) == before


@settings(max_examples=scaled(60), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=st.one_of(st.sampled_from(FORMULAS), st.text(max_size=20)),
       employer=st.one_of(st.sampled_from(FORMULAS), st.text(max_size=20)))
def test_export_neutralises_formulas(fuzz_clinic: Clinic, address, employer):
    """Regression: a cell starting with a tab or a carriage return then a formula went out as it was."""
    patient = PatientFactory.build(home_location=fuzz_clinic.location, address_line=address, employer=employer)
    row = dict(zip(EXPORT_COLUMNS, patient_to_row(patient, None), strict=True))
    for cell in (row["address_line"], row["employer"]):
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    for cell, raw in ((row["address_line"], address), (row["employer"], employer)):
        assert cell in (raw, "'" + raw)  # only the quote is added, nothing else changes
