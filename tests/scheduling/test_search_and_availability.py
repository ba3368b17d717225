import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from clinicdesk.core import clock as clock_module
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.practice.models import Room
from clinicdesk.scheduling import search
from clinicdesk.scheduling.availability import Window
from clinicdesk.scheduling.models import Appointment, ResourceBooking
from clinicdesk.scheduling.search import SearchQuery
from clinicdesk.scheduling.selectors import slots_search
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityTemplateFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    weekly_availability,
)

from .conftest import NEW_YORK, TUESDAY, at


def test_search_returns_ranked_options_with_reasons(db, clock, clerk, location, provider, follow_up):
    options = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=follow_up.pk, location_id=location.pk,
                                                          first_day=TUESDAY))
    assert len(options) == 10
    assert [o.rank for o in options] == list(range(1, 11))
    assert options[0].start == at(TUESDAY, 8)  # the start of the block: nothing left before it
    assert all(o.reasons for o in options)
    assert options == sorted(options, key=lambda o: o.score)


def test_search_prefers_options_that_leave_no_unusable_gap(db, clock, clerk, location, provider, follow_up):
    # 9:00-9:20 booked and 9:50-12:00 booked: 9:20-9:50 holds one 20-minute visit, leaving 10 minutes.
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, start=at(TUESDAY, 9))
    long = AppointmentTypeFactory(code="long", duration_minutes=130)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=long, start=at(TUESDAY, 9, 50))
    options = slots_search(actor=clerk, query=SearchQuery(
        appointment_type_id=follow_up.pk, location_id=location.pk, first_day=TUESDAY, last_day=TUESDAY,
        earliest=dt.time(9, 20), latest=dt.time(9, 50)))
    assert options, "there is room for one visit between the bookings"
    assert any("gap" in reason for reason in options[0].reasons)


def test_search_honours_filters_and_preferences(db, clock, clerk, location, provider, follow_up):
    favourite = PractitionerFactory()
    weekly_availability(favourite, location)
    options = slots_search(actor=clerk, query=SearchQuery(
        appointment_type_id=follow_up.pk, location_id=location.pk, first_day=TUESDAY, weekdays=(3,),
        earliest=dt.time(13), preferred_practitioner_ids=(favourite.pk,), prefer="afternoon", limit=4))
    assert options
    for option in options:
        local = option.start.astimezone(NEW_YORK)
        assert local.weekday() == 3 and local.time() >= dt.time(13)
    assert options[0].practitioner == favourite
    assert "preferred provider" in " ".join(options[0].reasons)


def test_search_needs_a_free_room_of_the_right_kind(db, clock, clerk, location, provider):
    kind = AppointmentTypeFactory(code="minor", duration_minutes=30, room_kind=Room.Kind.PROCEDURE)
    assert slots_search(actor=clerk, query=SearchQuery(appointment_type_id=kind.pk, location_id=location.pk,
                                                       first_day=TUESDAY)) == []
    room = RoomFactory(location=location, kind=Room.Kind.PROCEDURE)
    options = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=kind.pk, location_id=location.pk,
                                                          first_day=TUESDAY))
    assert options and all(o.room == room for o in options)


def test_search_options_can_all_be_booked(db, clock, clerk, location, provider, follow_up, patient):
    options = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=follow_up.pk, location_id=location.pk,
                                                          first_day=TUESDAY, patient_id=patient.pk, limit=3))
    first = options[0]
    appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patient.pk, practitioner_id=first.practitioner.pk, location_id=location.pk,
        appointment_type_id=follow_up.pk, start=first.start))
    again = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=follow_up.pk, location_id=location.pk,
                                                        first_day=TUESDAY, patient_id=patient.pk, limit=3))
    assert first.start not in [o.start for o in again]


def test_search_is_refused_to_other_locations_and_outsiders(db, clock, location, outsider, follow_up):
    query = SearchQuery(appointment_type_id=follow_up.pk, location_id=location.pk)
    with pytest.raises(PermissionDenied):
        slots_search(actor=outsider, query=query)
    with pytest.raises(PermissionDenied):
        slots_search(actor=UserFactory(role=Role.SYSADMIN), query=query)
    with pytest.raises(ValidationFailed):
        slots_search(actor=outsider, query=SearchQuery(appointment_type_id=follow_up.pk, location_id=10**9))


def test_availability_and_booking_across_the_dst_change(db, location, follow_up):
    """Mondays 9:00-12:00 in New York: the block starts at 9:00 local on both sides of the November
    change, which is 13:00 UTC in summer time (EDT) and 14:00 UTC after it (EST)."""
    doctor = PractitionerFactory(location=location)
    AvailabilityTemplateFactory(practitioner=doctor, location=location, weekday=0, start_time=dt.time(9),
                                end_time=dt.time(12))
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with clock_module.frozen_at(dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)):
        options = slots_search(actor=clerk, query=SearchQuery(
            appointment_type_id=follow_up.pk, location_id=location.pk, first_day=dt.date(2026, 10, 26),
            last_day=dt.date(2026, 11, 2), limit=50))
        mondays = {o.start.astimezone(NEW_YORK).date(): [] for o in options}
        for o in options:
            mondays[o.start.astimezone(NEW_YORK).date()].append(o.start)
        assert set(mondays) == {dt.date(2026, 10, 26), dt.date(2026, 11, 2)}
        assert min(mondays[dt.date(2026, 10, 26)]) == dt.datetime(2026, 10, 26, 13, tzinfo=dt.UTC)  # EDT
        assert min(mondays[dt.date(2026, 11, 2)]) == dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)  # EST
        patient = PatientFactory(home_location=location)
        after = appointment_book(actor=clerk, request=BookingRequest(
            patient_id=patient.pk, practitioner_id=doctor.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=local_to_utc(dt.date(2026, 11, 2), dt.time(9), NEW_YORK)))
        assert after.start == dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)
        with pytest.raises(ValidationFailed) as error:  # 8:30 EST is outside; it would be 9:30 in summer time
            appointment_book(actor=clerk, request=BookingRequest(
                patient_id=patient.pk, practitioner_id=doctor.pk, location_id=location.pk,
                appointment_type_id=follow_up.pk, start=dt.datetime(2026, 11, 2, 13, 30, tzinfo=dt.UTC)))
        assert error.value.code == "outside-availability"


def test_spring_forward_day_keeps_wall_clock_hours(db, location, follow_up):
    doctor = PractitionerFactory(location=location)
    AvailabilityTemplateFactory(practitioner=doctor, location=location, weekday=6, start_time=dt.time(1),
                                end_time=dt.time(5))
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with clock_module.frozen_at(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        options = slots_search(actor=clerk, query=SearchQuery(
            appointment_type_id=follow_up.pk, location_id=location.pk, first_day=dt.date(2026, 3, 8),
            last_day=dt.date(2026, 3, 8), limit=50))
    local_starts = sorted(o.start.astimezone(NEW_YORK) for o in options)
    # 2:00-3:00 does not exist on 8 March 2026: the block 1:00-5:00 local is three hours long.
    assert local_starts[0].hour == 1
    assert all(o.end.astimezone(NEW_YORK).hour <= 5 for o in options)
    assert not any(s.hour == 2 for s in local_starts)


def test_a_block_starting_in_the_spring_forward_gap_starts_when_the_clocks_jump(db, location, follow_up):
    """A block of 02:30-03:30 on 8 March 2026: 02:30 never happens, so the block is 03:00-03:30 EDT (read as a
    point in time, 02:30 would be 03:30, the block's end, and the block would vanish)."""
    doctor = PractitionerFactory(location=location)
    AvailabilityTemplateFactory(practitioner=doctor, location=location, weekday=6, start_time=dt.time(2, 30),
                                end_time=dt.time(3, 30))
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with clock_module.frozen_at(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        options = slots_search(actor=clerk, query=SearchQuery(
            appointment_type_id=follow_up.pk, location_id=location.pk, first_day=dt.date(2026, 3, 8),
            last_day=dt.date(2026, 3, 8), limit=50))
    assert options, "the block vanished"
    assert min(o.start for o in options) == dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)  # 03:00 EDT
    assert max(o.end for o in options) <= dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)  # 03:30 EDT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_database_refuses_overlapping_exclusive_bookings(db, clock, location, provider):
    existing = AppointmentFactory(location=location, practitioner=provider, start=at(TUESDAY, 9))
    other = AppointmentFactory(location=location, start=at(TUESDAY, 15), bookings=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceBooking.objects.create(appointment=other, resource_kind="practitioner", resource_id=provider.pk,
                                       start=at(TUESDAY, 9, 10), end=at(TUESDAY, 9, 30))
    # Touching ranges are fine ([) bounds), and an overbook (not exclusive) is let through.
    ResourceBooking.objects.create(appointment=other, resource_kind="practitioner", resource_id=provider.pk,
                                   start=existing.end, end=existing.end + dt.timedelta(minutes=20))
    ResourceBooking.objects.create(appointment=other, resource_kind="room", resource_id=1, start=at(TUESDAY, 9),
                                   end=at(TUESDAY, 9, 20), exclusive=False)
    assert Appointment.objects.count() == 2


# --- the engine's reads: merged busy time, chunks, margins, a bounded number of queries -------------

def test_window_merges_overlapping_and_touching_bookings_per_resource(db, clock, location, provider, follow_up):
    for hour, minute in ((9, 0), (9, 20), (10, 0)):  # 9:00-9:20 and 9:20-9:40 touch; 10:00-10:20 stands apart
        AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                           start=at(TUESDAY, hour, minute))
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, start=at(TUESDAY, 10),
                       overbooked=True, overbook_reason="urgent", bookings=False)
    extra = Appointment.objects.get(overbooked=True)
    ResourceBooking.objects.create(appointment=extra, resource_kind="practitioner", resource_id=provider.pk,
                                   start=at(TUESDAY, 10, 10), end=at(TUESDAY, 10, 30), exclusive=False)
    window = Window.load(location=location, first_day=TUESDAY, last_day=TUESDAY, practitioner_ids=[provider.pk])
    assert window.busy_for("practitioner", provider.pk) == [(at(TUESDAY, 9), at(TUESDAY, 9, 40)),
                                                            (at(TUESDAY, 10), at(TUESDAY, 10, 20))]
    assert window.overbooked[("practitioner", provider.pk)] == [(at(TUESDAY, 10, 10), at(TUESDAY, 10, 30))]
    assert window.busy_between("practitioner", provider.pk, at(TUESDAY, 9, 40), at(TUESDAY, 12)) == [
        (at(TUESDAY, 10), at(TUESDAY, 10, 20))]


def test_search_answer_does_not_depend_on_how_days_are_chunked(db, clock, clerk, location, provider, follow_up,
                                                               patient, monkeypatch):
    others = [PractitionerFactory() for _ in range(3)]
    for doctor in others:
        weekly_availability(doctor, location, weekdays=[1, 3, 4])
    exam = [RoomFactory(location=location, kind=Room.Kind.EXAM) for _ in range(2)]
    kind = AppointmentTypeFactory(code="exam-visit", duration_minutes=30, room_kind=Room.Kind.EXAM,
                                  buffer_after_minutes=10)
    for day in range(12):  # a few bookings every day: providers, rooms and the patient's own
        moment = at(TUESDAY + dt.timedelta(days=day), 8 + day % 7, 20 * (day % 3))
        AppointmentFactory(location=location, practitioner=others[day % 3], appointment_type=kind,
                           room=exam[day % 2], start=moment)
        AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, patient=patient,
                           start=moment + dt.timedelta(hours=2))
    query = SearchQuery(appointment_type_id=kind.pk, location_id=location.pk, first_day=TUESDAY, patient_id=patient.pk,
                        prefer="afternoon", limit=25)
    answers = []
    for first_chunk in (1, 20, 10_000):
        monkeypatch.setattr(search, "FIRST_CHUNK", first_chunk)
        answers.append([o.as_dict() for o in slots_search(actor=clerk, query=query)])
    assert len(answers[0]) == 25
    assert answers[0] == answers[1] == answers[2]


def test_search_cuts_no_times_past_the_day_that_settles_the_answer(db, clock, clerk, location, follow_up,
                                                                    monkeypatch):
    # Four providers, fully booked for two days: the first chunk holds five days, but the third settles the answer
    # (its options score below 3, no later day can), so the days after it are never cut into candidate times.
    hour = AppointmentTypeFactory(code="hour", duration_minutes=60)
    doctors = [PractitionerFactory() for _ in range(4)]
    for doctor in doctors:
        weekly_availability(doctor, location, start=dt.time(8), end=dt.time(9))
        for day in range(2):
            AppointmentFactory(location=location, practitioner=doctor, appointment_type=hour,
                               start=at(TUESDAY + dt.timedelta(days=day), 8))
    cut: list[dt.date] = []
    original = search._Search.candidates

    def candidates(self, day):
        cut.append(day)
        return original(self, day)

    monkeypatch.setattr(search._Search, "candidates", candidates)
    options = slots_search(actor=clerk, query=SearchQuery(
        appointment_type_id=follow_up.pk, location_id=location.pk, practitioner_ids=tuple(d.pk for d in doctors),
        first_day=TUESDAY, limit=4))
    thursday = TUESDAY + dt.timedelta(days=2)
    assert len(options) == 4
    assert all(at(thursday, 8) <= o.start < at(thursday, 9) for o in options)
    assert cut == [TUESDAY, TUESDAY + dt.timedelta(days=1), thursday]


def test_a_one_provider_search_reads_room_bookings_once(db, clock, clerk, location, provider):
    # Three options a day at most: the answer takes four days of candidates, scored as they come, and the rooms'
    # bookings are still read in one query for the chunk.
    RoomFactory(location=location, kind=Room.Kind.EXAM)
    kind = AppointmentTypeFactory(code="exam-visit", duration_minutes=30, room_kind=Room.Kind.EXAM)
    query = SearchQuery(appointment_type_id=kind.pk, location_id=location.pk, practitioner_ids=(provider.pk,),
                        first_day=TUESDAY, limit=10)
    slots_search(actor=clerk, query=query)  # warm the user's location cache
    with CaptureQueriesContext(connection) as captured:
        options = slots_search(actor=clerk, query=query)
    assert len(options) == 10 and {o.start.date() for o in options} == {
        TUESDAY + dt.timedelta(days=day) for day in range(4)}
    # location, types, practitioners, calendar versions with remembered full days (one UNION), templates,
    # exceptions, holidays, bookings, rooms, room bookings
    assert len([q for q in captured.captured_queries if q["sql"].lstrip().startswith(("SELECT", "(SELECT"))]) == 10


def test_search_keeps_the_buffer_clear_of_a_booking_just_after_midnight(db, clock, clerk, location, follow_up):
    night = PractitionerFactory()
    weekly_availability(night, location, start=dt.time(23), end=dt.time(23, 59))
    kind = AppointmentTypeFactory(code="late", duration_minutes=20, buffer_after_minutes=15)
    AppointmentFactory(location=location, practitioner=night, appointment_type=follow_up,
                       start=at(TUESDAY + dt.timedelta(days=1), 0, 5))
    options = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=kind.pk, location_id=location.pk,
                                                          first_day=TUESDAY, last_day=TUESDAY, limit=50))
    assert options
    assert max(o.end for o in options) == at(TUESDAY, 23, 50)  # its 15-minute buffer ends as the booking starts


def test_search_queries_do_not_grow_with_days_searched_or_bookings(db, clock, clerk, location, provider, follow_up):
    RoomFactory(location=location, kind=Room.Kind.EXAM)
    kind = AppointmentTypeFactory(code="exam-visit", duration_minutes=30, room_kind=Room.Kind.EXAM)
    rare = SearchQuery(appointment_type_id=kind.pk, location_id=location.pk, first_day=TUESDAY, weekdays=(3,),
                       earliest=dt.time(16, 30), limit=10)  # one option a week: all 60 days are searched
    slots_search(actor=clerk, query=rare)  # warm the user's location cache
    with CaptureQueriesContext(connection) as few:
        assert len(slots_search(actor=clerk, query=rare)) == 9
    for day in range(0, 60, 2):
        AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                           start=at(TUESDAY + dt.timedelta(days=day), 9))
    with CaptureQueriesContext(connection) as many:
        assert len(slots_search(actor=clerk, query=rare)) == 9
    # location, types, practitioners, calendar versions with remembered full days (one UNION), templates,
    # exceptions, holidays, bookings, rooms, room bookings
    assert len([q for q in many.captured_queries if q["sql"].lstrip().startswith(("SELECT", "(SELECT"))]) == 10
    assert len(few) == len(many)
