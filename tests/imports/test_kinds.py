"""Each kind: a clean import, a dry run that lists problems by line and writes nothing, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.accounts.models import User
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.imports.models import ImportBatch, ImportedObject
from clinicdesk.imports.services import import_check, import_file
from clinicdesk.practice.models import Equipment, Practitioner, Room
from clinicdesk.scheduling.models import AppointmentType, AvailabilityTemplate

from ..factories import AppointmentTypeFactory, PractitionerFactory
from .conftest import NPI_A, NPI_B, csv_bytes

PROVIDERS = "first_name,last_name,npi,locations,credentials"


def _providers(*rows: str) -> bytes:
    return csv_bytes(PROVIDERS, *rows)


def test_providers_import_creates_every_row_and_records_the_batch(coordinator, downtown):
    report = import_file(actor=coordinator, kind="providers", file_name="p.csv",
                         data=_providers(f"Nora,Whitfield,{NPI_A},downtown,MD", f"Luis,Ortega,{NPI_B},downtown,NP"))
    assert report.committed and report.ok
    assert set(Practitioner.objects.values_list("npi", flat=True)) == {NPI_A, NPI_B}
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.kind, batch.status, batch.rows, batch.created_by) == ("providers", "imported", 2, coordinator)
    assert ImportedObject.objects.filter(batch=batch, model="practitioner").count() == 2


def test_providers_dry_run_lists_problems_by_line_and_writes_nothing(coordinator, downtown):
    data = _providers(f"Nora,Whitfield,{NPI_A},downtown,MD", "Bad,Npi,1234567890,downtown,MD",
                      f"Luis,Ortega,{NPI_B},nowhere,NP", f"Dup,Licate,{NPI_A},downtown,MD")
    report = import_check(actor=coordinator, kind="providers", file_name="p.csv", data=data)
    assert not report.committed
    lines = {(p.line, p.column) for p in report.problems}
    assert (3, "npi") in lines and (4, "locations") in lines
    assert 5 in {p.line for p in report.problems}  # the same NPI as line 2: the service sees line 2's provider
    assert 2 not in {p.line for p in report.problems}
    assert Practitioner.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_providers_dry_run_of_a_clean_file_writes_nothing(coordinator, downtown):
    report = import_check(actor=coordinator, kind="providers", file_name="p.csv",
                          data=_providers(f"Nora,Whitfield,{NPI_A},downtown,MD"))
    assert report.ok and report.rows == 1 and not report.committed
    assert Practitioner.objects.count() == 0


def test_providers_import_with_one_bad_line_writes_nothing(coordinator, downtown):
    report = import_file(actor=coordinator, kind="providers", file_name="p.csv",
                         data=_providers(f"Nora,Whitfield,{NPI_A},downtown,MD", "Bad,Npi,123,downtown,MD"))
    assert not report.committed and next(p.line for p in report.problems) == 3
    assert Practitioner.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_rooms_import_creates_rooms_and_reports_unknown_kinds(coordinator, downtown):
    bad = import_file(actor=coordinator, kind="rooms", file_name="r.csv",
                      data=csv_bytes("location,name,kind", "downtown,Room 9,exam", "downtown,Room 10,kitchen"))
    assert [(p.line, p.column) for p in bad.problems] == [(3, "kind")] and Room.objects.count() == 0
    good = import_file(actor=coordinator, kind="rooms", file_name="r.csv",
                       data=csv_bytes("location,name,kind", "downtown,Room 9,exam", "downtown,Room 10,Procedure room"))
    assert good.committed and set(Room.objects.values_list("kind", flat=True)) == {"exam", "procedure"}


def test_equipment_import_creates_equipment(coordinator, downtown):
    report = import_file(actor=coordinator, kind="equipment", file_name="e.csv",
                         data=csv_bytes("location,name,kind", "downtown,ECG 1,ecg"))
    assert report.committed and Equipment.objects.get().kind == "ecg"


TYPES = "code,name,duration_minutes,room_kind,checklist,providers,telehealth"


def test_appointment_types_import_creates_types_with_their_providers(coordinator, downtown):
    doctor = PractitionerFactory(npi=NPI_A, location=downtown)
    report = import_file(actor=coordinator, kind="appointment_types", file_name="t.csv",
                         data=csv_bytes(TYPES, f"well,Well visit,30,exam,insurance_card,{NPI_A},no",
                                        "call,Phone call,15,,,,yes"))
    assert report.committed, report.problems
    well = AppointmentType.objects.get(code="well")
    assert list(well.allowed_practitioners.all()) == [doctor] and well.checklist == ["insurance_card"]
    assert AppointmentType.objects.get(code="call").telehealth


def test_appointment_types_dry_run_reports_bad_cells_and_writes_nothing(coordinator, downtown):
    report = import_check(actor=coordinator, kind="appointment_types", file_name="t.csv",
                          data=csv_bytes(TYPES, "well,Well visit,thirty,exam,,,no", "x,X,20,,,9999999999,maybe"))
    assert {(p.line, p.column) for p in report.problems} >= {(2, "duration_minutes"), (3, "providers")}
    assert AppointmentType.objects.count() == 0


AVAILABILITY = "provider_npi,location,weekday,start_time,end_time,effective_from"


def test_availability_import_creates_weekly_blocks(coordinator, downtown):
    PractitionerFactory(npi=NPI_A, location=downtown)
    report = import_file(actor=coordinator, kind="availability", file_name="a.csv",
                         data=csv_bytes(AVAILABILITY, f"{NPI_A},downtown,Monday,08:00,12:00,2026-01-05",
                                        f"{NPI_A},downtown,2,9:00,17:00,2026-01-05"))
    assert report.committed, report.problems
    assert sorted(AvailabilityTemplate.objects.values_list("weekday", "start_time")) == [
        (0, dt.time(8)), (2, dt.time(9))]


def test_availability_overlapping_rows_are_a_problem_on_the_second_line(coordinator, downtown):
    PractitionerFactory(npi=NPI_A, location=downtown)
    report = import_file(actor=coordinator, kind="availability", file_name="a.csv",
                         data=csv_bytes(AVAILABILITY, f"{NPI_A},downtown,Monday,08:00,12:00,2026-01-05",
                                        f"{NPI_A},downtown,Monday,11:00,13:00,2026-01-05",
                                        f"{NPI_A},downtown,Funday,08:00,12:00,2026-01-05"))
    assert [(p.line, p.column) for p in report.problems if p.line == 4] == [(4, "weekday")]
    assert 3 in {p.line for p in report.problems} and AvailabilityTemplate.objects.count() == 0


STAFF = "username,role,first_name,last_name,locations,language"


def test_staff_import_creates_accounts_without_a_usable_password(sysadmin, downtown):
    report = import_file(actor=sysadmin, kind="staff", file_name="s.csv",
                         data=csv_bytes(STAFF, "mreyes,front_desk,Marta,Reyes,downtown,es",
                                        "jpark,Practice coordinator,Jin,Park,,en"))
    assert report.committed, report.problems
    marta = User.objects.get(username="mreyes")
    assert marta.role == "front_desk" and not marta.has_usable_password() and marta.language == "es"
    assert User.objects.get(username="jpark").role == "practice_coordinator"


def test_staff_import_reports_a_taken_username_and_writes_nothing(sysadmin, downtown):
    report = import_file(actor=sysadmin, kind="staff", file_name="s.csv",
                         data=csv_bytes(STAFF, "mreyes,front_desk,Marta,Reyes,downtown,es",
                                        f"{sysadmin.username},front_desk,A,B,downtown,en"))
    assert [(p.line, p.column) for p in report.problems] == [(3, "username")]
    assert not User.objects.filter(username="mreyes").exists()


def test_staff_import_needs_user_admin(coordinator):
    with pytest.raises(PermissionDenied):
        import_check(actor=coordinator, kind="staff", file_name="s.csv",
                     data=csv_bytes(STAFF, "mreyes,front_desk,Marta,Reyes,downtown,es"))


def test_import_refuses_the_front_desk(make_user, downtown):
    from clinicdesk.core.permissions import Role

    with pytest.raises(PermissionDenied):
        import_check(actor=make_user(Role.FRONT_DESK, at=downtown), kind="rooms", file_name="r.csv",
                     data=csv_bytes("location,name", "downtown,Room 9"))


def test_unknown_and_missing_columns_are_problems_on_line_one(coordinator, downtown):
    AppointmentTypeFactory()
    report = import_check(actor=coordinator, kind="rooms", file_name="r.csv",
                          data=csv_bytes("location,nom", "downtown,Room 9"))
    assert {(p.line, p.column) for p in report.problems} == {(1, "name"), (1, "nom")}
