import datetime as dt

import pytest

from clinicdesk.core.exceptions import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling import hooks
from clinicdesk.scheduling.models import TRANSITIONS, AppointmentHistory, AppointmentStatus, ResourceBooking
from clinicdesk.scheduling.services import (
    appointment_arrive,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_checklist_mark,
    appointment_fulfil,
    appointment_mark_noshow,
    appointment_reschedule,
    appointment_set_status,
)
from tests.factories import AppointmentTypeFactory, PatientFactory, UserFactory

from .conftest import TUESDAY, at


@pytest.fixture
def booked(db, clock, clerk, booking):
    return appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)))


def test_every_fhir_status_has_a_row_in_the_transitions_table():
    assert set(TRANSITIONS) == set(AppointmentStatus.values)


def test_reschedule_moves_the_appointment_and_its_bookings(booked, clerk):
    moved = appointment_reschedule(actor=clerk, appointment_id=booked.pk, start=at(TUESDAY, 11), reason="asked")
    assert moved.start == at(TUESDAY, 11)
    starts = set(ResourceBooking.objects.filter(appointment=booked).values_list("start", flat=True))
    assert starts == {at(TUESDAY, 11)}
    change = AppointmentHistory.objects.get(appointment=booked, action="rescheduled")
    assert change.detail["from"]["start"] == at(TUESDAY, 9).isoformat()


def test_reschedule_onto_a_taken_time_changes_nothing(booked, clerk, booking, location):
    other = appointment_book(actor=clerk, request=booking(at(TUESDAY, 10),
                                                          patient_id=PatientFactory(home_location=location).pk))
    from clinicdesk.core.exceptions import Conflict

    with pytest.raises(Conflict):
        appointment_reschedule(actor=clerk, appointment_id=booked.pk, start=at(TUESDAY, 10, 10))
    booked.refresh_from_db()
    assert booked.start == at(TUESDAY, 9) and other.start == at(TUESDAY, 10)


def test_reschedule_within_its_own_time_is_allowed(booked, clerk):
    moved = appointment_reschedule(actor=clerk, appointment_id=booked.pk, start=at(TUESDAY, 9, 10))
    assert moved.start == at(TUESDAY, 9, 10)


def test_cancel_needs_a_reason_frees_the_slot_and_flags_late_cancels(booked, clerk, booking, location):
    with pytest.raises(ValidationFailed):
        appointment_cancel(actor=clerk, appointment_id=booked.pk, reason=" ")
    freed = []
    hooks.slot_freed.append(freed.append)
    try:
        cancelled = appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="Feeling better")
    finally:
        hooks.slot_freed.remove(freed.append)
    assert cancelled.status == "cancelled" and cancelled.late_cancel  # less than 24 hours before
    assert not ResourceBooking.objects.filter(appointment=booked).exists()
    assert appointment_book(actor=clerk, request=booking(at(TUESDAY, 9),
                                                         patient_id=PatientFactory(home_location=location).pk))


def test_cancel_well_ahead_is_not_late(db, clock, clerk, booking):
    later = appointment_book(actor=clerk, request=booking(at(dt.date(2026, 12, 1), 9)))
    assert not appointment_cancel(actor=clerk, appointment_id=later.pk, reason="Travel").late_cancel


def test_slot_freed_hook_runs_after_commit(booked, clerk, django_capture_on_commit_callbacks):
    freed = []
    hooks.slot_freed.append(freed.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="Sick")
    finally:
        hooks.slot_freed.remove(freed.append)
    assert [slot.appointment_id for slot in freed] == [booked.pk]


def test_arrive_check_in_fulfil_in_order_with_history(booked, location, clock):
    nurse = UserFactory(role=Role.NURSE, location=location)
    clock.advance(dt.timedelta(days=1))  # arrival only on the appointment's day (Tuesday)
    appointment_arrive(actor=nurse, appointment_id=booked.pk)
    appointment_check_in(actor=nurse, appointment_id=booked.pk)
    done = appointment_fulfil(actor=nurse, appointment_id=booked.pk)
    assert done.status == "fulfilled"
    moves = list(AppointmentHistory.objects.filter(appointment=booked).values_list("from_status", "to_status"))
    assert moves == [("", "booked"), ("booked", "arrived"), ("arrived", "checked-in"), ("checked-in", "fulfilled")]


def test_a_bad_move_raises_invalid_transition(booked, clerk):
    appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="Sick")
    with pytest.raises(InvalidTransition):
        appointment_set_status(actor=clerk, appointment_id=booked.pk, status="booked")
    with pytest.raises(InvalidTransition):
        appointment_reschedule(actor=clerk, appointment_id=booked.pk, start=at(TUESDAY, 11))


def test_arrival_is_refused_before_the_appointments_day_and_writes_nothing(booked, location, clock):
    nurse = UserFactory(role=Role.NURSE, location=location)
    with pytest.raises(ValidationFailed, match="not today") as error:
        appointment_arrive(actor=nurse, appointment_id=booked.pk)
    assert error.value.code == "not-today"
    booked.refresh_from_db()
    assert booked.status == "booked"
    assert AppointmentHistory.objects.filter(appointment=booked).count() == 1


def test_noshow_only_after_the_start(booked, clerk, clock):
    with pytest.raises(ValidationFailed):
        appointment_mark_noshow(actor=clerk, appointment_id=booked.pk)
    clock.advance(dt.timedelta(days=1))
    assert appointment_mark_noshow(actor=clerk, appointment_id=booked.pk).status == "noshow"


def test_life_cycle_is_hidden_from_other_locations_and_refused_to_outsiders(booked, outsider, billing_user):
    with pytest.raises(PermissionDenied) as hidden:
        appointment_cancel(actor=outsider, appointment_id=booked.pk, reason="x")
    assert hidden.value.status == 404  # looks exactly like a missing appointment
    with pytest.raises(PermissionDenied):
        appointment_cancel(actor=billing_user, appointment_id=booked.pk, reason="x")
    with pytest.raises(NotFound):
        appointment_cancel(actor=billing_user.__class__.objects.get(pk=outsider.pk), appointment_id=10**9,
                           reason="x")
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_checklist_drives_ready_for_visit(db, clock, clerk, booking):
    surgery = AppointmentTypeFactory(code="surgery", duration_minutes=60, category="surgery",
                                     checklist=["pre_op", "surgical_clearance"])  # prior_auth: tests/insurance
    appointment = appointment_book(actor=clerk, request=booking(at(TUESDAY, 13), appointment_type_id=surgery.pk))
    assert not appointment.ready_for_visit
    appointment_checklist_mark(actor=clerk, appointment_id=appointment.pk, item="pre_op")
    appointment = appointment_checklist_mark(actor=clerk, appointment_id=appointment.pk, item="surgical_clearance")
    assert appointment.ready_for_visit
    with pytest.raises(ValidationFailed):
        appointment_checklist_mark(actor=clerk, appointment_id=appointment.pk, item="photo_id")


def test_confirm_records_the_patients_answer_once(booked, clerk):
    from clinicdesk.scheduling.services import appointment_confirm

    confirmed = appointment_confirm(actor=clerk, appointment_id=booked.pk, channel="sms")
    assert confirmed.confirmed_at is not None and confirmed.confirmed_via == "sms"
    appointment_confirm(actor=clerk, appointment_id=booked.pk, channel="link")
    assert AppointmentHistory.objects.filter(appointment=booked, action="confirmed").count() == 1
    appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="Sick")
    with pytest.raises(InvalidTransition):
        appointment_confirm(actor=clerk, appointment_id=booked.pk)
