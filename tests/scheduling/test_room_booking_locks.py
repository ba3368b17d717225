"""A booking whose plan chooses the room (issue #16, booking path): planned once under the practitioner's lock, the
chosen room and the patient locked next in the fixed order, and planned again only when the room was taken in
between. Several providers racing for the last rooms get exactly one room each, never the same one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from clinicdesk.core import clock as clock_module
from clinicdesk.core.exceptions import Conflict
from clinicdesk.practice.models import Room
from clinicdesk.scheduling.models import Appointment, ResourceBooking, ResourceKind
from clinicdesk.scheduling.services import BookingRequest, appointment_book, locks
from clinicdesk.scheduling.services import booking as protocol
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    weekly_availability,
)

from .conftest import TUESDAY, at


@pytest.fixture
def procedure(db):
    return AppointmentTypeFactory(code="minor-procedure", duration_minutes=30, room_kind=Room.Kind.PROCEDURE)


def _plans(monkeypatch) -> list[object]:
    """Every plan the booking protocol makes, as it makes it."""
    made: list[object] = []
    original = protocol._plan

    def counted(*args, **kwargs):
        made.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(protocol, "_plan", counted)
    return made


def _meanwhile(monkeypatch, commit) -> None:
    """`commit(plan)` runs just before the rows the plan chose are locked: another booking that committed while
    this one waited for those locks."""
    lock = locks.lock_plan_resources

    def first_the_other_booking(plan):
        commit(plan)
        lock(plan)

    monkeypatch.setattr(locks, "lock_plan_resources", first_the_other_booking)


def test_a_booking_that_needs_a_room_is_planned_once(db, clock, clerk, booking, location, procedure, monkeypatch):
    room = RoomFactory(location=location, kind=Room.Kind.PROCEDURE)
    plans = _plans(monkeypatch)
    appointment = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=procedure.pk))
    assert appointment.room == room
    assert len(plans) == 1


def test_a_room_taken_while_the_booking_waited_for_its_lock_is_planned_again(db, clock, clerk, booking, location,
                                                                             procedure, monkeypatch):
    first, second = (RoomFactory(location=location, kind=Room.Kind.PROCEDURE, name=name) for name in ("A", "B"))
    other = PractitionerFactory()
    weekly_availability(other, location)
    plans = _plans(monkeypatch)
    _meanwhile(monkeypatch, lambda plan: AppointmentFactory(location=location, practitioner=other, room=plan.room,
                                                            start=at(TUESDAY, 9)))
    appointment = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=procedure.pk))
    assert appointment.room == second != first
    assert len(plans) == 2
    assert ResourceBooking.objects.filter(resource_kind=ResourceKind.ROOM, resource_id=first.pk).count() == 1


def test_the_patient_booked_elsewhere_meanwhile_is_refused(db, clock, clerk, booking, location, patient, procedure,
                                                           monkeypatch):
    RoomFactory(location=location, kind=Room.Kind.PROCEDURE)
    other = PractitionerFactory()
    weekly_availability(other, location)
    _meanwhile(monkeypatch, lambda plan: AppointmentFactory(location=location, practitioner=other, patient=patient,
                                                            start=at(TUESDAY, 9)))
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=procedure.pk))
    assert error.value.code == "patient-overlap"
    assert not Appointment.objects.filter(appointment_type=procedure).exists()


@pytest.mark.django_db(transaction=True)
def test_six_providers_race_for_two_rooms(clock, clerk, location, procedure):
    rooms = [RoomFactory(location=location, kind=Room.Kind.PROCEDURE, name=name) for name in ("A", "B")]
    providers = [PractitionerFactory() for _ in range(6)]
    for provider in providers:
        weekly_availability(provider, location)
    patients = [PatientFactory(home_location=location) for _ in providers]
    start = at(TUESDAY, 9)
    now = clock_module.now()  # the test's frozen clock, for every thread
    barrier = threading.Barrier(len(providers))
    results: list[object] = []

    def book(provider, patient) -> None:
        try:
            with clock_module.frozen_at(now):
                barrier.wait()
                results.append(appointment_book(actor=clerk, request=BookingRequest(
                    patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
                    appointment_type_id=procedure.pk, start=start)))
        except Exception as error:  # every outcome is counted below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=pair) for pair in zip(providers, patients, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if not isinstance(r, Appointment)]
    assert len(booked) == 2 and len(refused) == 4
    assert {a.room_id for a in booked} == {r.pk for r in rooms}
    assert all(isinstance(r, Conflict) and r.status == 409 for r in refused), refused
    assert ResourceBooking.objects.filter(resource_kind=ResourceKind.ROOM).count() == 2
