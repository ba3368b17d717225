"""Future appointments through appointment_book (conflicts by line), and undo of the last import."""

from __future__ import annotations

import pytest

from clinicdesk.accounts.models import User
from clinicdesk.core.exceptions import Conflict
from clinicdesk.imports.models import ImportBatch
from clinicdesk.imports.services import import_file, import_undo
from clinicdesk.practice.models import Practitioner, Room
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType
from clinicdesk.scheduling.services import BookingRequest, appointment_book

from ..factories import AppointmentTypeFactory, PatientFactory, PractitionerFactory, weekly_availability
from .conftest import NPI_A, NPI_B, csv_bytes

HEADER = "mrn,provider_npi,appointment_type,location,date,time,note"


@pytest.fixture
def booking_world(downtown, clock):
    doctor = PractitionerFactory(npi=NPI_A)
    weekly_availability(doctor, downtown)
    AppointmentTypeFactory(code="follow-up", duration_minutes=20)
    return doctor, PatientFactory(home_location=downtown), PatientFactory(home_location=downtown)


def _rows(ana, ben, *extra: str) -> bytes:
    return csv_bytes(HEADER, f"{ana.mrn},{NPI_A},follow-up,downtown,2026-11-30,09:00,From the old system",
                     f"{ben.mrn},{NPI_A},follow-up,downtown,2026-11-30,09:20,", *extra)


def test_appointments_import_books_every_row(coordinator, booking_world):
    _doctor, ana, ben = booking_world
    report = import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=_rows(ana, ben))
    assert report.committed, report.problems
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 2
    first = Appointment.objects.get(patient=ana)
    assert first.start.astimezone(first.location.tz).strftime("%H:%M") == "09:00"
    assert first.note == "From the old system"


def test_appointments_two_rows_for_one_slot_the_second_is_a_problem(coordinator, booking_world, downtown):
    _doctor, ana, ben = booking_world
    report = import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=_rows(
        ana, ben, f"{PatientFactory(home_location=downtown).mrn},{NPI_A},follow-up,downtown,2026-11-30,09:00,"))
    assert {p.line for p in report.problems} == {4}
    assert "already booked" in report.problems[0].message
    assert Appointment.objects.count() == 0


def test_appointments_report_unknown_patient_provider_type_and_outside_hours(coordinator, booking_world):
    _doctor, ana, ben = booking_world
    report = import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=csv_bytes(
        HEADER, f"9999999,{NPI_A},follow-up,downtown,2026-11-30,09:00,",
        f"{ana.mrn},{NPI_B},follow-up,downtown,2026-11-30,09:00,",
        f"{ana.mrn},{NPI_A},no-such-type,downtown,2026-11-30,09:00,",
        f"{ana.mrn},{NPI_A},follow-up,downtown,2026-11-30,22:00,",
        f"{ben.mrn},{NPI_A},follow-up,downtown,2020-01-06,09:00,"))
    columns = {p.line: p.column for p in report.problems}
    assert columns[2] == "mrn" and columns[3] == "provider_npi" and columns[4] == "appointment_type"
    assert 5 in columns and 6 in columns  # outside availability; in the past
    assert Appointment.objects.count() == 0


def test_appointments_are_refused_against_a_slot_booked_by_hand(coordinator, booking_world, downtown):
    doctor, ana, ben = booking_world
    import datetime as dt

    from clinicdesk.core.timezones import local_to_utc

    appointment_book(actor=coordinator, request=BookingRequest(
        patient_id=PatientFactory(home_location=downtown).pk, practitioner_id=doctor.pk, location_id=downtown.pk,
        appointment_type_id=AppointmentType.objects.get().pk,
        start=local_to_utc(dt.date(2026, 11, 30), dt.time(9), downtown.tz)))
    report = import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=_rows(ana, ben))
    assert [p.line for p in report.problems] == [2] and Appointment.objects.count() == 1


def test_undo_marks_imported_appointments_entered_in_error(coordinator, booking_world):
    _doctor, ana, ben = booking_world
    report = import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=_rows(ana, ben))
    batch = import_undo(actor=coordinator)
    assert batch.pk == report.batch_id and batch.status == ImportBatch.Status.UNDONE
    assert set(Appointment.objects.values_list("status", flat=True)) == {AppointmentStatus.ENTERED_IN_ERROR}


def test_undo_is_refused_when_an_imported_appointment_was_used(coordinator, booking_world, downtown):
    _doctor, ana, ben = booking_world
    import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=_rows(ana, ben))
    appointment = Appointment.objects.get(patient=ana)
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.FULFILLED)
    with pytest.raises(Conflict, match="cannot be undone"):
        import_undo(actor=coordinator)
    assert Appointment.objects.get(patient=ben).status == AppointmentStatus.BOOKED


def _providers(coordinator) -> int:
    report = import_file(actor=coordinator, kind="providers", file_name="p.csv", data=csv_bytes(
        "first_name,last_name,npi,locations", f"Nora,Whitfield,{NPI_B},downtown"))
    assert report.committed
    return report.batch_id or 0


def test_undo_deactivates_imported_providers(coordinator, downtown):
    _providers(coordinator)
    import_undo(actor=coordinator)
    assert not Practitioner.objects.get(npi=NPI_B).active


def test_undo_is_refused_for_an_import_that_is_not_the_last(coordinator, downtown):
    first = _providers(coordinator)
    import_file(actor=coordinator, kind="rooms", file_name="r.csv", data=csv_bytes("location,name", "downtown,R9"))
    with pytest.raises(Conflict, match="later one exists"):
        import_undo(actor=coordinator, batch_id=first)
    assert Practitioner.objects.get(npi=NPI_B).active
    import_undo(actor=coordinator)  # the rooms
    assert not Room.objects.get(name="R9").active
    import_undo(actor=coordinator, batch_id=first)  # now the providers are the last import in effect
    assert not Practitioner.objects.get(npi=NPI_B).active


def test_undo_is_refused_when_an_imported_type_was_booked_by_hand(coordinator, downtown, clock):
    doctor = PractitionerFactory(npi=NPI_A)
    weekly_availability(doctor, downtown)
    import_file(actor=coordinator, kind="appointment_types", file_name="t.csv",
                data=csv_bytes("code,name,duration_minutes", "quick,Quick visit,15"))
    import datetime as dt

    from clinicdesk.core.timezones import local_to_utc

    appointment_book(actor=coordinator, request=BookingRequest(
        patient_id=PatientFactory(home_location=downtown).pk, practitioner_id=doctor.pk, location_id=downtown.pk,
        appointment_type_id=AppointmentType.objects.get(code="quick").pk,
        start=local_to_utc(dt.date(2026, 11, 30), dt.time(9), downtown.tz)))
    with pytest.raises(Conflict, match="has appointments"):
        import_undo(actor=coordinator)
    assert AppointmentType.objects.get(code="quick").active


def test_undo_deactivates_imported_staff_and_is_refused_once_they_signed_in(sysadmin, downtown):
    import_file(actor=sysadmin, kind="staff", file_name="s.csv",
                data=csv_bytes("username,role,locations", "mreyes,front_desk,downtown", "jdoe,nurse,downtown"))
    from clinicdesk.core import clock as core_clock

    User.objects.filter(username="jdoe").update(last_login=core_clock.now())
    with pytest.raises(Conflict, match="signed in"):
        import_undo(actor=sysadmin)
    User.objects.filter(username="jdoe").update(last_login=None)
    import_undo(actor=sysadmin)
    assert not User.objects.get(username="mreyes").is_active


def test_undo_with_nothing_imported_is_refused(coordinator):
    with pytest.raises(Conflict, match="no import to undo"):
        import_undo(actor=coordinator)


def test_undo_of_the_staff_import_needs_user_admin(sysadmin, coordinator, downtown):
    import_file(actor=sysadmin, kind="staff", file_name="s.csv",
                data=csv_bytes("username,role,locations", "mreyes,front_desk,downtown"))
    from clinicdesk.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_undo(actor=coordinator)
    assert User.objects.get(username="mreyes").is_active


def test_undo_leaves_appointments_cancelled_by_hand_alone(coordinator, booking_world):
    _doctor, ana, ben = booking_world
    import_file(actor=coordinator, kind="appointments", file_name="a.csv", data=_rows(ana, ben))
    from clinicdesk.scheduling.services import appointment_cancel

    appointment_cancel(actor=coordinator, appointment_id=Appointment.objects.get(patient=ana).pk, reason="Asked")
    import_undo(actor=coordinator)
    assert Appointment.objects.get(patient=ana).status == AppointmentStatus.ENTERED_IN_ERROR
