from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from clinicdesk.frontdesk.models import Visit, VisitEvent, VisitStatus
from clinicdesk.frontdesk.selectors import check_in_summary, flow_board
from clinicdesk.frontdesk.services import (
    visit_arrive,
    visit_check_in,
    visit_check_out,
    visit_provider_start,
    visit_ready_for_checkout,
    visit_room,
)
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory

from .conftest import TODAY, at


def test_check_in_confirms_what_is_on_file_with_who_and_when(clerk, appointment, clock):
    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk, demographics=True, insurance=True)
    assert visit.status == VisitStatus.CHECKED_IN
    assert visit.demographics_verified_by == clerk and visit.demographics_verified_at == clock.now()
    assert visit.insurance_verified_by == clerk
    assert visit.photo_id_verified_at is None
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    summary = check_in_summary(actor=clerk, appointment_id=appointment.pk)
    by_what = {v.what: v for v in summary.verifications}
    assert by_what["Demographics"].today and by_what["Demographics"].by
    assert by_what["Photo ID"].at is None


def test_check_in_summary_flags_missing_forms_insurance_photo_id_and_checklist(clerk, appointment, clock):
    appointment.appointment_type.checklist = ["referral"]
    appointment.appointment_type.save()
    summary = check_in_summary(actor=clerk, appointment_id=appointment.pk)
    text = " ".join(summary.flags)
    assert "No active insurance on file." in text and "No photo ID on file." in text
    assert "Intake history not filled in." in text
    assert summary.checklist_missing == ["referral"]


def test_expected_copay_comes_from_the_coverage_on_file(clerk, appointment, patient, clock):
    payer = Payer.objects.create(name="Acme Health")
    Coverage.objects.create(patient=patient, payer=payer, member_id="M1", start_date=dt.date(2026, 1, 1),
                            copay_primary=Decimal("25.00"), copay_specialist=Decimal("50.00"))
    assert check_in_summary(actor=clerk, appointment_id=appointment.pk).expected_copay == Decimal("25.00")
    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk)
    assert visit.expected_copay == Decimal("25.00")


def test_check_in_of_a_cancelled_appointment_is_refused(clerk, appointment, clock):
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED, cancel_reason="x")
    with pytest.raises(InvalidTransition, match="cancelled"):
        visit_check_in(actor=clerk, appointment_id=appointment.pk)
    assert not Visit.objects.exists()


def test_check_in_of_tomorrows_appointment_is_refused(clerk, location, provider, patient, follow_up_type, clock):
    tomorrow = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                  appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=1)))
    with pytest.raises(ValidationFailed, match="not today"):
        visit_check_in(actor=clerk, appointment_id=tomorrow.pk)
    assert not Visit.objects.exists()
    tomorrow.refresh_from_db()
    assert tomorrow.status == AppointmentStatus.BOOKED


def test_check_in_is_hidden_from_another_location_and_refused_to_outsiders(outsider, stranger, appointment, clock):
    with pytest.raises(PermissionDenied) as error:
        visit_check_in(actor=outsider, appointment_id=appointment.pk)
    assert error.value.status == 404
    with pytest.raises(PermissionDenied):
        visit_check_in(actor=stranger, appointment_id=appointment.pk)
    assert not Visit.objects.exists()


def test_arrive_twice_returns_the_same_visit(clerk, appointment, clock):
    assert visit_arrive(actor=clerk, appointment_id=appointment.pk).pk == visit_arrive(
        actor=clerk, appointment_id=appointment.pk).pk


def test_full_flow_is_time_stamped_and_the_board_follows(clerk, nurse, doctor_user, appointment, room, location,
                                                         clock):
    visit = visit_arrive(actor=clerk, appointment_id=appointment.pk)
    clock.advance(dt.timedelta(minutes=2))
    visit_check_in(actor=clerk, visit_id=visit.pk, demographics=True)
    clock.advance(dt.timedelta(minutes=10))
    visit_room(actor=nurse, visit_id=visit.pk, room_id=room.pk, assistant_id=nurse.pk)
    board = {c.key: c for c in flow_board(actor=clerk, location=location)}
    assert [v.pk for v in board["roomed"].visits] == [visit.pk]
    assert board["roomed"].visits[0].room == room and board["roomed"].visits[0].assistant == nurse
    clock.advance(dt.timedelta(minutes=5))
    visit_provider_start(actor=doctor_user, visit_id=visit.pk)
    clock.advance(dt.timedelta(minutes=15))
    visit_ready_for_checkout(actor=doctor_user, visit_id=visit.pk)
    clock.advance(dt.timedelta(minutes=3))
    visit = visit_check_out(actor=clerk, visit_id=visit.pk)
    start = at(10)
    assert (visit.arrived_at, visit.checked_in_at, visit.roomed_at, visit.provider_at, visit.checkout_ready_at,
            visit.checked_out_at) == (start, start + dt.timedelta(minutes=2), start + dt.timedelta(minutes=12),
                                      start + dt.timedelta(minutes=17), start + dt.timedelta(minutes=32),
                                      start + dt.timedelta(minutes=35))
    assert list(VisitEvent.objects.filter(visit=visit).values_list("to_status", flat=True)) == [
        "arrived", "checked-in", "roomed", "with-provider", "ready-checkout", "checked-out"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.FULFILLED
    board = {c.key: c for c in flow_board(actor=clerk, location=location)}
    assert [v.pk for v in board["done"].visits] == [visit.pk]


def test_flow_refuses_skipping_a_step(clerk, appointment, clock):
    visit = visit_arrive(actor=clerk, appointment_id=appointment.pk)
    with pytest.raises(InvalidTransition):
        visit_provider_start(actor=clerk, visit_id=visit.pk)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.ARRIVED and visit.provider_at is None


def test_room_at_another_location_is_refused(clerk, appointment, other_location, clock):
    from tests.factories import RoomFactory

    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk)
    with pytest.raises(ValidationFailed):
        visit_room(actor=clerk, visit_id=visit.pk, room_id=RoomFactory(location=other_location).pk)


def test_flow_board_is_refused_to_other_locations_and_outsiders(outsider, stranger, location, clock):
    with pytest.raises(PermissionDenied):
        flow_board(actor=outsider, location=location)
    with pytest.raises(PermissionDenied):
        flow_board(actor=stranger, location=location)
