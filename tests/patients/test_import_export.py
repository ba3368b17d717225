import csv
import io

import pytest
from django.core.management import CommandError, call_command

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Patient
from tests.factories import PatientFactory

HEADER = "family_name,given_name,birth_date,sex,phone,email,state,postal_code,location,emergency_name," \
         "emergency_relationship,emergency_phone\n"


def _file(tmp_path, rows, location):
    path = tmp_path / "patients.csv"
    path.write_text(HEADER + "".join(row.replace("LOC", location.code) + "\n" for row in rows))
    return str(path)


GOOD = ["Quintero,Marisol,03/07/1984,F,413-555-0147,mq@example.com,MA,01103,LOC,Luis,brother,4135550111",
        "Okafor,Chidi,1990-12-01,male,(602) 555-0142,,AZ,85018,LOC,,,"]


def _run(path, *args):
    out = io.StringIO()
    call_command("import", "patients", path, "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_saves_every_row(tmp_path, location, clock):
    output = _run(_file(tmp_path, GOOD, location))
    assert Patient.objects.count() == 2 and "2 patients saved" in output
    assert Patient.objects.get(family_name="Quintero").related_persons.get().name == "Luis"
    assert AuditEntry.objects.filter(action="patient.import", channel="cli").exists()


def test_import_dry_run_saves_nothing(tmp_path, location, clock):
    output = _run(_file(tmp_path, GOOD, location), "--dry-run")
    assert Patient.objects.count() == 0 and "Dry run" in output and "2 patients would be saved" in output


def test_import_is_all_or_nothing_and_reports_each_bad_row(tmp_path, location, clock):
    rows = [*GOOD, "Bad,Row,02/30/1990,F,12,nope,ZZ,1,LOC,,,", "Future,Kid,01/01/2030,F,,,,,LOC,,,",
            "Lost,Place,01/01/1990,F,,,,,nowhere,,,"]
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import", "patients", _file(tmp_path, rows, location), "--no-progress", stdout=out,
                     stderr=io.StringIO())
    report = out.getvalue()
    assert "line 4, birth_date: Date of birth is not a real date" in report
    assert "line 4, phone" in report and "line 4, email" in report and "line 4, state" in report
    assert "line 4, postal_code" in report and "line 5, birth_date: Date of birth cannot be in the future" in report
    assert "line 6, location: Unknown location code 'nowhere'" in report
    assert Patient.objects.count() == 0


def test_import_partial_saves_the_good_rows(tmp_path, location, clock):
    rows = [*GOOD, "Bad,Row,02/30/1990,F,,,,,LOC,,,"]
    _run(_file(tmp_path, rows, location), "--partial")
    assert Patient.objects.count() == 2


def test_import_finds_duplicates_of_existing_patients(tmp_path, location, clock):
    existing = PatientFactory(family_name="Quintero", given_name="Marisol", birth_date="1984-03-07",
                              phone="(413) 555-0147", home_location=location)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "patients", _file(tmp_path, GOOD, location), "--no-progress", stdout=out,
                     stderr=io.StringIO())
    assert f"line 2, duplicate: Likely already registered: MRN {existing.mrn}" in out.getvalue()


def test_import_refuses_a_file_with_unknown_or_missing_columns(tmp_path, location, clock):
    path = tmp_path / "bad.csv"
    path.write_text("surname,given_name\nX,Y\n")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "patients", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
    assert "line 1, family_name: Required column is missing" in out.getvalue()
    assert "line 1, surname: Unknown column" in out.getvalue()


def test_export_is_csv_for_the_practice_coordinator_and_audited(signed_in, location, clock, tmp_path):
    PatientFactory(home_location=location, family_name="=cmd|calc", given_name="Eve")
    merged = PatientFactory(home_location=location, family_name="Gone")
    Patient.objects.filter(pk=merged.pk).update(active=False, merged_into=Patient.objects.first())
    coordinator = signed_in(Role.PRACTICE_COORDINATOR)
    response = coordinator.post("/patients/export/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["family_name"] for r in rows] == ["'=cmd|calc"]
    assert AuditEntry.objects.get(action="patient.export").detail["count"] == 1


def test_export_is_refused_to_front_desk_and_outsiders(signed_in, location):
    assert signed_in(Role.FRONT_DESK, at=location).post("/patients/export/").status_code == 403
    assert signed_in(Role.SYSADMIN).post("/patients/export/").status_code == 403


def test_export_reads_back_through_the_import(signed_in, location, clock, tmp_path):
    PatientFactory(home_location=location, family_name="Roundtrip", given_name="Rita", phone="(413) 555-0166")
    response = signed_in(Role.PRACTICE_COORDINATOR).post("/patients/export/")
    path = tmp_path / "export.csv"
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        row.pop("mrn"), row.pop("active"), row.pop("deceased_date")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "patients", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
    assert "Likely already registered" in out.getvalue()
