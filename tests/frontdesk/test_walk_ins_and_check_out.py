from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.comms.models import Recall
from clinicdesk.comms.services import recall_add
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.frontdesk.models import Visit
from clinicdesk.frontdesk.selectors import fit_into_gaps, walk_in_queue
from clinicdesk.frontdesk.services import (
    follow_up_book,
    visit_check_in,
    visit_provider_start,
    visit_ready_for_checkout,
    visit_room,
    walk_in_add,
)
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import TODAY, at


def test_walk_ins_queue_in_order_with_waits_fitted_into_schedule_gaps(clerk, location, provider, follow_up_type,
                                                                       clock):
    # Booked 10:00-10:20 and 10:30-11:30: the first gap that fits a 20-minute walk-in is 11:30.
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up_type, start=at(10))
    long_type = type(follow_up_type).objects.create(code="long", name="Long", patient_facing_name="Long",
                                                    duration_minutes=60)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=long_type, start=at(10, 30))
    first = walk_in_add(actor=clerk, location_id=location.pk, patient_id=PatientFactory(home_location=location).pk,
                        practitioner_id=provider.pk, service_id=follow_up_type.pk)
    second = walk_in_add(actor=clerk, location_id=location.pk, patient_id=PatientFactory(home_location=location).pk,
                         service_id=follow_up_type.pk)
    queue = walk_in_queue(actor=clerk, location=location)
    assert [(q.visit.pk, q.position) for q in queue] == [(first.pk, 1), (second.pk, 2)]
    assert queue[0].estimated_start == at(11, 30) and queue[0].wait_minutes == 90
    assert queue[1].estimated_start == at(11, 50)


def test_fit_into_gaps_takes_the_earliest_gap_that_is_long_enough():
    t0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    gaps = {1: [(t0, t0 + dt.timedelta(minutes=10)), (t0 + dt.timedelta(minutes=30), t0 + dt.timedelta(minutes=60))],
            2: [(t0 + dt.timedelta(minutes=20), t0 + dt.timedelta(minutes=40))]}
    placed = fit_into_gaps([("a", 15, [1, 2]), ("b", 15, [1, 2]), ("c", 15, [1]), ("d", 15, [2])], gaps)
    assert placed == {"a": (2, t0 + dt.timedelta(minutes=20)), "b": (1, t0 + dt.timedelta(minutes=30)),
                      "c": (1, t0 + dt.timedelta(minutes=45)), "d": None}


def test_walk_in_needs_a_provider_or_service_and_is_refused_elsewhere(clerk, outsider, stranger, location, patient,
                                                                      provider, clock):
    with pytest.raises(ValidationFailed):
        walk_in_add(actor=clerk, location_id=location.pk, patient_id=patient.pk)
    with pytest.raises(PermissionDenied):
        walk_in_add(actor=outsider, location_id=location.pk, patient_id=patient.pk, practitioner_id=provider.pk)
    with pytest.raises(PermissionDenied):
        walk_in_add(actor=stranger, location_id=location.pk, patient_id=patient.pk, practitioner_id=provider.pk)
    assert not Visit.objects.exists()
    walk_in_add(actor=clerk, location_id=location.pk, patient_id=patient.pk, practitioner_id=provider.pk)
    with pytest.raises(Conflict):
        walk_in_add(actor=clerk, location_id=location.pk, patient_id=patient.pk, practitioner_id=provider.pk)


def _ready(clerk, appointment, room):
    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk)
    visit_room(actor=clerk, visit_id=visit.pk, room_id=room.pk)
    visit_provider_start(actor=clerk, visit_id=visit.pk)
    return visit_ready_for_checkout(actor=clerk, visit_id=visit.pk)


def test_follow_up_is_booked_in_one_step_at_the_first_available_time(clerk, appointment, room, provider,
                                                                     follow_up_type, clock):
    visit = _ready(clerk, appointment, room)
    booked = follow_up_book(actor=clerk, visit_id=visit.pk, appointment_type_id=follow_up_type.pk, weeks=2)
    assert booked.status == AppointmentStatus.BOOKED and booked.practitioner == provider
    assert booked.start == at(8, day=TODAY + dt.timedelta(days=14))
    visit.refresh_from_db()
    assert visit.follow_up == booked
    # A second click returns the same booking.
    assert follow_up_book(actor=clerk, visit_id=visit.pk, appointment_type_id=follow_up_type.pk, weeks=2) == booked
    assert Appointment.objects.count() == 2


def test_follow_up_is_refused_to_other_locations(clerk, outsider, appointment, room, follow_up_type, clock):
    visit = _ready(clerk, appointment, room)
    with pytest.raises(PermissionDenied):
        follow_up_book(actor=outsider, visit_id=visit.pk, appointment_type_id=follow_up_type.pk, weeks=2)
    assert Appointment.objects.count() == 1


def test_recall_is_added_through_comms(clerk, appointment, follow_up_type, clock):
    recall_add(actor=clerk, patient_id=appointment.patient_id, appointment_type_id=follow_up_type.pk,
               due_date=TODAY + dt.timedelta(days=365), note="Annual visit in 12 months")
    assert Recall.objects.get().due_date == TODAY + dt.timedelta(days=365)


def test_check_out_steps_are_refused_to_outsiders(clerk, stranger, outsider, appointment, room, follow_up_type,
                                                   clock):
    from clinicdesk.frontdesk.services import visit_check_out

    visit = _ready(clerk, appointment, room)
    for actor in (stranger, outsider):
        with pytest.raises(PermissionDenied):
            follow_up_book(actor=actor, visit_id=visit.pk, appointment_type_id=follow_up_type.pk, weeks=2)
        with pytest.raises(PermissionDenied):
            visit_check_out(actor=actor, visit_id=visit.pk)
    visit.refresh_from_db()
    assert visit.status == "ready-checkout" and visit.follow_up is None
    assert visit_check_out(actor=clerk, visit_id=visit.pk).status == "checked-out"


def test_walk_in_queue_is_refused_to_other_locations_and_outsiders(outsider, stranger, location, clock):
    for actor in (outsider, stranger):
        with pytest.raises(PermissionDenied):
            walk_in_queue(actor=actor, location=location)
