"""Properties of the availability arithmetic.

Pure: interval normalisation, subtraction, intersection and the two lookups agree with a brute-force
model (sets of minutes); local days in a zone with DST tile the timeline (23 and 25 hours where the clocks
change) and wall times convert back. With the database: first-available options never overlap what is
booked (buffers included), lie inside working hours, and can be booked, and so do the FHIR Slots computed
from the same engine, around the DST changes too."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clinicdesk.core.timezones import day_span_utc, local_to_utc, utc_to_local
from clinicdesk.interop.fhir import slots
from clinicdesk.practice.models import Location
from clinicdesk.scheduling import intervals
from clinicdesk.scheduling.models import Appointment, ResourceBooking, ResourceKind
from clinicdesk.scheduling.search import SearchQuery
from clinicdesk.scheduling.selectors import slots_search
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PractitionerFactory, weekly_availability

from .conftest import Clinic, scaled

PURE = settings(max_examples=scaled(300), deadline=None, database=None)
WITH_DB = settings(max_examples=scaled(25), deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- intervals against sets of minutes --------------------------------------------------------------------

POINT = st.integers(0, 120)
SPAN = st.tuples(POINT, POINT)  # unordered on purpose: an "empty" span (end <= start) must be dropped
SPANS = st.lists(SPAN, max_size=8)


def minutes(spans: list[tuple[int, int]]) -> set[int]:
    return {m for start, end in spans for m in range(start, end)}


def is_normalized(spans: list[tuple[int, int]]) -> bool:
    return all(s < e for s, e in spans) and all(a[1] < b[0] for a, b in pairwise(spans))


@PURE
@given(SPANS)
def test_normalize_keeps_the_minutes_and_merges_what_touches(spans):
    result = intervals.normalize(spans)
    assert is_normalized(result)
    assert minutes(result) == minutes(spans)
    assert intervals.normalize(result) == result


@PURE
@given(SPANS, SPANS)
def test_subtract_is_set_difference(spans, holes):
    result = intervals.subtract(spans, holes)
    assert is_normalized(result)
    assert minutes(result) == minutes(spans) - minutes(holes)


@PURE
@given(SPANS, SPANS)
def test_intersect_is_set_intersection(a, b):
    result = intervals.intersect(a, b)
    assert is_normalized(result)
    assert minutes(result) == minutes(a) & minutes(b)
    assert result == intervals.intersect(b, a)


@PURE
@given(SPANS, SPANS)
def test_union_and_subtraction_partition(a, b):
    """(a - b), (a & b) and (b - a) are disjoint and together make a | b."""
    only_a, both, only_b = intervals.subtract(a, b), intervals.intersect(a, b), intervals.subtract(b, a)
    parts = [minutes(only_a), minutes(both), minutes(only_b)]
    assert not (parts[0] & parts[1] or parts[1] & parts[2] or parts[0] & parts[2])
    assert parts[0] | parts[1] | parts[2] == minutes(intervals.normalize([*a, *b]))


@PURE
@given(SPANS, POINT, st.integers(1, 40))
def test_containing_finds_exactly_the_span_that_holds_the_range(spans, start, length):
    normalized = intervals.normalize(spans)
    end = start + length
    found = intervals.containing(normalized, start, end)
    holders = [s for s in normalized if s[0] <= start and end <= s[1]]
    assert found == (holders[0] if holders else None)


@PURE
@given(SPANS, POINT, st.integers(1, 40))
def test_overlaps_any_is_a_shared_minute(spans, start, length):
    busy = intervals.normalize(spans)
    assert intervals.overlaps_any(busy, start, start + length) == bool(minutes(busy) & set(range(start, start
                                                                                                   + length)))


@PURE
@given(st.lists(st.tuples(st.datetimes(timezones=st.just(dt.UTC)), st.timedeltas(dt.timedelta(0),
                                                                                   dt.timedelta(days=2))),
                max_size=6))
def test_intervals_work_on_aware_datetimes_too(raw):
    spans = [(start, start + length) for start, length in raw if start.year < 9999]
    result = intervals.normalize(spans)
    assert all(a[1] < b[0] for a, b in pairwise(result))
    assert sum((e - s for s, e in result), dt.timedelta(0)) <= sum((e - s for s, e in spans), dt.timedelta(0))


# --- local days and DST -----------------------------------------------------------------------------------

ZONES = st.sampled_from(["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                         "America/Los_Angeles", "Pacific/Honolulu", "Europe/London", "Australia/Lord_Howe"])
DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))
DST_DAYS = st.sampled_from([dt.date(2026, 3, 8), dt.date(2026, 11, 1), dt.date(2026, 3, 29), dt.date(2026, 10, 25),
                            dt.date(2026, 4, 5), dt.date(2026, 10, 4)])


@PURE
@given(ZONES, st.one_of(DAYS, DST_DAYS))
def test_local_days_tile_the_timeline_and_last_23_24_or_25_hours(zone_name, day):
    tz = ZoneInfo(zone_name)
    start, end = day_span_utc(day, tz)
    assert end == day_span_utc(day + dt.timedelta(days=1), tz)[0]  # no gap, no overlap between days
    offset_change = (utc_to_local(end, tz).utcoffset() or dt.timedelta(0)) - \
        (utc_to_local(start, tz).utcoffset() or dt.timedelta(0))
    assert end - start == dt.timedelta(hours=24) - offset_change
    assert dt.timedelta(hours=23) <= end - start <= dt.timedelta(hours=25)
    assert utc_to_local(start, tz).date() == day and utc_to_local(end - dt.timedelta(microseconds=1), tz).date() == day


@PURE
@given(ZONES, st.one_of(DAYS, DST_DAYS), st.times())
def test_wall_times_come_back_or_move_forward_over_the_gap(zone_name, day, wall):
    tz = ZoneInfo(zone_name)
    moment = local_to_utc(day, wall, tz)
    back = utc_to_local(moment, tz).replace(tzinfo=None)
    asked = dt.datetime.combine(day, wall)
    assert back == asked or (dt.timedelta(0) < back - asked <= dt.timedelta(hours=1))  # the spring-forward gap


# --- first-available search against what is booked -------------------------------------------------------

@st.composite
def a_busy_day(draw):
    """A day (often one where the clocks change), a zone, a provider's hours and some bookings."""
    zone_name = draw(st.sampled_from(["America/New_York", "America/Chicago", "America/Phoenix"]))
    day = draw(st.sampled_from([dt.date(2027, 3, 14), dt.date(2026, 11, 24), dt.date(2026, 12, 1),
                                dt.date(2027, 3, 13), dt.date(2027, 11, 7), dt.date(2026, 11, 30)]))
    opens = draw(st.sampled_from([dt.time(0, 30), dt.time(1, 0), dt.time(7, 0), dt.time(8, 0)]))
    closes = draw(st.sampled_from([dt.time(4, 0), dt.time(12, 0), dt.time(17, 0), dt.time(23, 30)]))
    assume(opens < closes)
    booked = draw(st.lists(st.tuples(st.integers(0, 23 * 12), st.sampled_from([10, 15, 20, 45])), max_size=6))
    return zone_name, day, opens, closes, booked


@WITH_DB
@given(case=a_busy_day(), buffers=st.sampled_from([(0, 0), (5, 10), (15, 0)]), duration=st.sampled_from([15, 20, 40]))
def test_first_available_options_are_free_inside_hours_and_bookable(fuzz_clinic: Clinic, case, buffers, duration):
    zone_name, day, opens, closes, booked = case
    with transaction.atomic():  # each example rolls back: the next one starts from the same clinic
        _check_options(fuzz_clinic, zone_name, day, opens, closes, booked, buffers, duration)
        transaction.set_rollback(True)


def _check_options(clinic, zone_name, day, opens, closes, booked, buffers, duration):
    tz = ZoneInfo(zone_name)
    Location.objects.filter(pk=clinic.location.pk).update(time_zone=zone_name)
    location = Location.objects.get(pk=clinic.location.pk)
    provider = PractitionerFactory()
    weekly_availability(provider, location, start=opens, end=closes)
    kind = AppointmentTypeFactory(code=f"fuzz-{duration}-{buffers[0]}-{buffers[1]}", duration_minutes=duration,
                                  buffer_before_minutes=buffers[0], buffer_after_minutes=buffers[1])
    day_start, day_end = day_span_utc(day, tz)
    taken: list[tuple[dt.datetime, dt.datetime]] = []
    for offset, length in booked:  # written straight to the table, as imports or old data might hold them
        start = day_start + dt.timedelta(minutes=5 * offset)
        if intervals.overlaps_any(intervals.normalize(taken), start, start + dt.timedelta(minutes=length)):
            continue  # PostgreSQL's exclusion constraint would refuse it, as it should
        taken.append((start, start + dt.timedelta(minutes=length)))
        AppointmentFactory(location=location, practitioner=provider, appointment_type=AppointmentTypeFactory(
            code=f"old-{length}", duration_minutes=length), start=start, end=start + dt.timedelta(minutes=length))
    busy = intervals.normalize(ResourceBooking.objects.filter(
        resource_kind=ResourceKind.PRACTITIONER, resource_id=provider.pk).values_list("start", "end"))
    hours = intervals.normalize([(local_to_utc(day, opens, tz), local_to_utc(day, closes, tz))])
    clerk = clinic.clerk
    options = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=kind.pk, location_id=location.pk,
                                                          practitioner_ids=(provider.pk,), first_day=day,
                                                          last_day=day, limit=50))
    before, after = dt.timedelta(minutes=buffers[0]), dt.timedelta(minutes=buffers[1])
    for option in options:
        assert option.end - option.start == dt.timedelta(minutes=duration)
        assert day_start <= option.start < day_end
        assert intervals.containing(hours, option.start, option.end), (option.start, hours)
        assert not intervals.overlaps_any(busy, option.start - before, option.end + after), (option.start, busy)
    free = slots.compute(location=location, practitioners=[provider], kind=kind, low=day_start, high=day_end,
                         statuses=frozenset({"free"}))
    for slot in free:  # the FHIR Slot view of the same computation
        assert slot.key.end - slot.key.start == dt.timedelta(minutes=duration)
        assert intervals.containing(hours, slot.key.start, slot.key.end), (slot.key.start, hours)
        assert not intervals.overlaps_any(busy, slot.key.start - before, slot.key.end + after), (slot.key, busy)
    starts = [slot.key.start for slot in free]
    assert starts == sorted(set(starts))  # one slot per time, in order
    for option in options[:3]:  # what the search offers, the booking takes
        with transaction.atomic():
            appointment = appointment_book(actor=clerk, request=BookingRequest(
                patient_id=clinic.patients[3].pk, practitioner_id=provider.pk, location_id=location.pk,
                appointment_type_id=kind.pk, start=option.start))
            assert Appointment.objects.filter(pk=appointment.pk, start=option.start).exists()
            transaction.set_rollback(True)
