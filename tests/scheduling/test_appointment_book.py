import datetime as dt

import pytest
from django.db import connection

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import Room
from clinicdesk.scheduling.models import Appointment, AppointmentHistory, ResourceBooking
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from clinicdesk.scheduling.services import booking as protocol
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityExceptionFactory,
    EquipmentFactory,
    LocationHolidayFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    weekly_availability,
)

from .conftest import TUESDAY, at


def _neighbour(location) -> int:
    """Another patient of the location (a second booking at the same time needs a second patient)."""
    return PatientFactory(home_location=location).pk


def test_appointment_book_writes_appointment_bookings_history_and_audit(db, clock, clerk, booking, provider, patient):
    appointment = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)), idempotency_key="k1")
    assert appointment.status == "booked"
    assert appointment.end - appointment.start == dt.timedelta(minutes=20)
    kinds = set(ResourceBooking.objects.filter(appointment=appointment).values_list("resource_kind", "resource_id"))
    assert kinds == {("practitioner", provider.pk), ("patient", patient.pk)}
    assert AppointmentHistory.objects.get(appointment=appointment).action == "booked"
    entry = AuditEntry.objects.get(action="appointment.book")
    assert entry.patient_id == patient.pk and entry.resource_id == str(appointment.pk)


def test_appointment_book_replays_the_same_idempotency_key(db, clock, clerk, booking):
    first = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)), idempotency_key="same")
    again = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)), idempotency_key="same")
    assert first.pk == again.pk
    assert Appointment.objects.count() == 1


def test_appointment_book_refuses_a_reused_key_for_another_booking(db, clock, clerk, booking):
    appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)), idempotency_key="same")
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 10)), idempotency_key="same")
    assert error.value.code == "idempotency-key-reused"


def test_appointment_book_refuses_a_taken_practitioner(db, clock, clerk, booking, location, provider, follow_up):
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                       start=at(TUESDAY, 9, 10))
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)), idempotency_key="k")
    assert error.value.code == "slot-taken"
    assert Appointment.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_a_race_only_the_exclusion_constraint_sees_refuses_the_booking_and_leaves_nothing(
        db, clock, clerk, booking, location, provider, follow_up, monkeypatch):
    """Another booking of the provider's time lands after the plan was made under the locks (as if a writer had
    skipped them): the constraint refuses the resource bookings, the attempt is undone whole (the appointment, its
    history, its audit), and the transaction it ran in goes on."""
    taken = AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                               start=at(TUESDAY, 15), bookings=False)
    original = protocol._plan

    def plan_then_race(*args, **kwargs):
        plan = original(*args, **kwargs)
        ResourceBooking.objects.create(appointment=taken, resource_kind="practitioner", resource_id=provider.pk,
                                       start=at(TUESDAY, 9), end=at(TUESDAY, 9, 20))
        return plan

    monkeypatch.setattr(protocol, "_plan", plan_then_race)
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)))
    assert error.value.code == "slot-taken"
    assert list(Appointment.objects.values_list("pk", flat=True)) == [taken.pk]
    assert not AppointmentHistory.objects.exists()
    assert not AuditEntry.objects.filter(action="appointment.book").exists()


def test_appointment_book_refuses_a_taken_room(db, clock, clerk, location, booking):
    room = RoomFactory(location=location)
    other = PractitionerFactory()
    weekly_availability(other, location)
    AppointmentFactory(location=location, practitioner=other, room=room, start=at(TUESDAY, 9))
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9, 10), room_id=room.pk))
    assert error.value.code == "room-taken"
    assert Appointment.objects.count() == 1


def test_appointment_book_refuses_the_same_patient_with_another_provider(db, clock, clerk, location, booking, patient):
    other = PractitionerFactory()
    weekly_availability(other, location)
    AppointmentFactory(location=location, practitioner=other, patient=patient, start=at(TUESDAY, 9))
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9, 10)))
    assert error.value.code == "patient-overlap"


def test_appointment_book_respects_buffers(db, clock, clerk, location, provider, booking, patient):
    procedure = AppointmentTypeFactory(code="procedure", duration_minutes=30, buffer_after_minutes=15)
    appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=procedure.pk))
    with pytest.raises(Conflict):
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9, 40), patient_id=_neighbour(location)))
    assert appointment_book(actor=clerk, request=booking(at(TUESDAY, 9, 45), patient_id=_neighbour(location)))


def test_appointment_book_assigns_every_resource_or_none(db, clock, clerk, location, provider, booking):
    kind = AppointmentTypeFactory(code="ultrasound", duration_minutes=30, room_kind=Room.Kind.PROCEDURE,
                                  equipment_kinds=["ultrasound"])
    room = RoomFactory(location=location, kind=Room.Kind.PROCEDURE)
    RoomFactory(location=location, kind=Room.Kind.EXAM)
    device = EquipmentFactory(location=location, kind="ultrasound")
    appointment = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=kind.pk))
    assert appointment.room == room
    assert list(appointment.equipment.all()) == [device]
    # A second provider wants the same time: the device is taken, so nothing at all is booked.
    other = PractitionerFactory()
    weekly_availability(other, location)
    RoomFactory(location=location, kind=Room.Kind.PROCEDURE)
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=kind.pk,
                                                      practitioner_id=other.pk, patient_id=_neighbour(location)))
    assert error.value.code == "no-equipment-free"
    assert Appointment.objects.count() == 1 and ResourceBooking.objects.count() == 4


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"start": dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)}, "in-the-past"),
        ({"start": dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)}, "outside-availability"),
        ({"end": dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)}, "end-before-start"),
        ({"end": dt.datetime(2026, 11, 24, 14, 45, tzinfo=dt.UTC)}, "duration-mismatch"),
        ({"start": dt.datetime(2026, 11, 24, 14, 0)}, "naive-time"),
    ],
)
def test_appointment_book_refuses_bad_input_and_writes_nothing(db, clock, clerk, booking, changes, code):
    request = booking(dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC))
    values = {**request.__dict__, **changes}
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=BookingRequest(**values), idempotency_key="k")
    assert error.value.code == code
    assert error.value.detail
    assert Appointment.objects.count() == 0 and ResourceBooking.objects.count() == 0


def test_appointment_book_refuses_a_location_the_provider_does_not_work_at(db, clock, booking, other_location):
    manager = UserFactory(role=Role.PRACTICE_COORDINATOR)
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=manager, request=booking(at(TUESDAY, 9), location_id=other_location.pk))
    assert error.value.code == "wrong-location"


def test_appointment_book_refuses_a_room_of_the_wrong_kind_or_place(db, clock, clerk, booking, location,
                                                                     other_location):
    kind = AppointmentTypeFactory(code="minor", duration_minutes=20, room_kind=Room.Kind.PROCEDURE)
    exam = RoomFactory(location=location, kind=Room.Kind.EXAM)
    elsewhere = RoomFactory(location=other_location, kind=Room.Kind.PROCEDURE)
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=kind.pk, room_id=exam.pk))
    assert error.value.code == "wrong-resource-kind"
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=kind.pk,
                                                      room_id=elsewhere.pk))
    assert error.value.code == "wrong-location"
    assert Appointment.objects.count() == 0


def test_appointment_book_refuses_a_type_the_provider_does_not_take(db, clock, clerk, booking):
    surgeon_only = AppointmentTypeFactory(code="surgery", duration_minutes=60)
    surgeon_only.allowed_practitioners.add(PractitionerFactory())
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), appointment_type_id=surgeon_only.pk))
    assert error.value.code == "practitioner-not-allowed"


def test_appointment_book_refuses_vacation_and_holidays(db, clock, clerk, booking, provider, location):
    AvailabilityExceptionFactory(practitioner=provider, start=at(TUESDAY, 8), end=at(TUESDAY, 12))
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)))
    assert error.value.code == "outside-availability"
    assert appointment_book(actor=clerk, request=booking(at(TUESDAY, 13)))
    LocationHolidayFactory(location=location, day=dt.date(2026, 11, 26), name="Thanksgiving")
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=booking(at(dt.date(2026, 11, 26), 9)))
    assert error.value.code == "location-closed"


def test_appointment_book_keeps_reserved_blocks_for_their_types(db, clock, clerk, location, follow_up, patient):
    from tests.factories import AvailabilityTemplateFactory

    doctor = PractitionerFactory(location=location)
    new_patient = AppointmentTypeFactory(code="new-patient", duration_minutes=40, new_patient=True)
    block = AvailabilityTemplateFactory(practitioner=doctor, location=location, weekday=1, start_time=dt.time(8),
                                        end_time=dt.time(9, 20))
    block.reserved_types.add(new_patient)
    AvailabilityTemplateFactory(practitioner=doctor, location=location, weekday=1, start_time=dt.time(9, 20),
                                end_time=dt.time(12))
    request = BookingRequest(patient_id=patient.pk, practitioner_id=doctor.pk, location_id=location.pk,
                             appointment_type_id=follow_up.pk, start=at(TUESDAY, 8))
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=clerk, request=request)
    assert error.value.code == "reserved-block"
    assert appointment_book(actor=clerk, request=BookingRequest(**{**request.__dict__, "appointment_type_id":
                                                                   new_patient.pk}))
    assert appointment_book(actor=clerk, request=BookingRequest(**{**request.__dict__, "start": at(TUESDAY, 9, 20),
                                                                   "patient_id": _neighbour(location)}))


def test_appointment_book_hides_a_patient_of_another_location_unless_seen_here(db, clock, clerk, booking, location,
                                                                             other_location, provider):
    stranger = PatientFactory(home_location=other_location)
    with pytest.raises(PermissionDenied) as refused:
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), patient_id=stranger.pk))
    assert refused.value.status == 404 and not Appointment.objects.exists()
    AppointmentFactory(location=location, practitioner=provider, patient=stranger, start=at(TUESDAY, 14))
    assert appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), patient_id=stranger.pk))  # a follow-up here


def test_appointment_book_is_refused_to_another_location_and_to_outsiders(db, clock, booking, outsider,
                                                                           billing_user):
    for actor in (outsider, billing_user):
        with pytest.raises(PermissionDenied):
            appointment_book(actor=actor, request=booking(at(TUESDAY, 9)))
    assert Appointment.objects.count() == 0
    assert AuditEntry.objects.filter(action="access.denied").count() == 2


def test_overbook_needs_the_permission_and_a_reason_and_is_audited(db, clock, clerk, booking, location):
    booked = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)))
    second = PatientFactory(home_location=location)
    with pytest.raises(PermissionDenied):
        appointment_book(actor=clerk, request=booking(at(TUESDAY, 9), patient_id=second.pk, overbook=True,
                                                      overbook_reason="urgent"))
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR)
    with pytest.raises(ValidationFailed) as error:
        appointment_book(actor=coordinator, request=booking(at(TUESDAY, 9), patient_id=second.pk, overbook=True))
    assert error.value.code == "overbook-reason-required"
    extra = appointment_book(actor=coordinator, request=booking(at(TUESDAY, 9), patient_id=second.pk, overbook=True,
                                                                overbook_reason="Urgent: chest pain"))
    assert extra.overbooked and extra.start == booked.start
    assert AuditEntry.objects.get(action="appointment.overbook").detail["overbook_reason"] == "Urgent: chest pain"
