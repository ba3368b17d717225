"""Full days remembered by the first-available search (scheduling/free_time.py, ADR 0012): a day measured full is
not read again while nothing has lengthened the practitioner's free time, and the answer stays exact when
something has (a cancellation, a template added, time off removed), whoever wrote the change."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.scheduling.availability import Window
from clinicdesk.scheduling.models import CalendarVersion, DayFreeTime, ResourceBooking
from clinicdesk.scheduling.search import SearchQuery
from clinicdesk.scheduling.selectors import slots_search
from clinicdesk.scheduling.services import appointment_cancel
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityExceptionFactory,
    AvailabilityTemplateFactory,
)

from .conftest import TUESDAY, at

WEDNESDAY, THURSDAY = TUESDAY + dt.timedelta(days=1), TUESDAY + dt.timedelta(days=2)


@pytest.fixture
def whole_day(db):
    return AppointmentTypeFactory(code="surgery-day", duration_minutes=540)  # 8:00-17:00, the provider's day


@pytest.fixture
def days_read(monkeypatch):
    """The days whose bookings each search reads (Window.load_bookings), in order."""
    seen: list[dt.date] = []
    original = Window.load_bookings

    def recording(self, days, **kwargs):  # type: ignore[no-untyped-def]
        days = list(days)
        seen.extend(days)
        return original(self, days, **kwargs)

    monkeypatch.setattr(Window, "load_bookings", recording)
    return seen


def _search(clerk, location, follow_up):
    return slots_search(actor=clerk, query=SearchQuery(appointment_type_id=follow_up.pk, location_id=location.pk,
                                                       first_day=TUESDAY, limit=3))


def _version(practitioner) -> int:
    return CalendarVersion.objects.filter(practitioner_id=practitioner.pk).values_list("version", flat=True).first() \
        or 0


def _book_solid(location, provider, whole_day, *days):
    return [AppointmentFactory(location=location, practitioner=provider, appointment_type=whole_day,
                               start=at(day, 8)) for day in days]


def test_a_day_measured_full_is_not_read_again_and_the_answer_is_the_same(
        db, clock, clerk, location, provider, follow_up, whole_day, days_read, django_capture_on_commit_callbacks):
    _book_solid(location, provider, whole_day, TUESDAY, WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        first = _search(clerk, location, follow_up)
    assert first[0].start == at(THURSDAY, 8)
    assert TUESDAY in days_read and WEDNESDAY in days_read
    remembered = set(DayFreeTime.objects.values_list("practitioner_id", "day", "longest_free_minutes", "version"))
    counted = _version(provider)  # the templates the fixtures added counted too
    assert remembered == {(provider.pk, TUESDAY, 0, counted), (provider.pk, WEDNESDAY, 0, counted)}

    days_read.clear()
    again = _search(clerk, location, follow_up)
    assert TUESDAY not in days_read and WEDNESDAY not in days_read  # skipped: their bookings are not read
    assert [(o.start, o.practitioner.pk, o.score, o.reasons) for o in again] == \
        [(o.start, o.practitioner.pk, o.score, o.reasons) for o in first]  # the same scores: days out from Tuesday


def test_a_cancellation_brings_the_day_back_at_once(db, clock, clerk, location, provider, follow_up, whole_day,
                                                    django_capture_on_commit_callbacks):
    tuesday, _wednesday = _book_solid(location, provider, whole_day, TUESDAY, WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        _search(clerk, location, follow_up)
    assert DayFreeTime.objects.count() == 2
    before = _version(provider)
    appointment_cancel(actor=clerk, appointment_id=tuesday.pk, reason="patient is travelling")
    assert _version(provider) == before + 1  # the trigger counted the booking deleted
    assert _search(clerk, location, follow_up)[0].start == at(TUESDAY, 8)


def test_a_booking_deleted_outside_the_services_counts_too(db, clock, clerk, location, provider, follow_up,
                                                           whole_day, django_capture_on_commit_callbacks):
    tuesday, _wednesday = _book_solid(location, provider, whole_day, TUESDAY, WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        _search(clerk, location, follow_up)
    ResourceBooking.objects.filter(appointment=tuesday).delete()  # an admin's or a script's delete
    assert _search(clerk, location, follow_up)[0].start == at(TUESDAY, 8)


def test_new_bookings_and_new_time_off_count_nothing(db, clock, clerk, location, provider, follow_up, whole_day,
                                                     patient, days_read, django_capture_on_commit_callbacks):
    _book_solid(location, provider, whole_day, TUESDAY, WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        _search(clerk, location, follow_up)
    before = _version(provider)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, patient=patient,
                       start=at(THURSDAY, 8))
    AvailabilityExceptionFactory(practitioner=provider, location=location, start=at(THURSDAY, 12),
                                 end=at(THURSDAY, 13))
    assert _version(provider) == before  # they only take time away
    days_read.clear()
    options = _search(clerk, location, follow_up)
    assert TUESDAY not in days_read and options[0].start == at(THURSDAY, 8, 20)


def test_time_off_removed_brings_the_day_back(db, clock, clerk, location, provider, follow_up,
                                              django_capture_on_commit_callbacks):
    away = AvailabilityExceptionFactory(practitioner=provider, location=location, start=at(TUESDAY, 0),
                                        end=at(WEDNESDAY, 0))
    with django_capture_on_commit_callbacks(execute=True):
        assert _search(clerk, location, follow_up)[0].start == at(WEDNESDAY, 8)
    assert DayFreeTime.objects.filter(practitioner=provider, day=TUESDAY, longest_free_minutes=0).exists()
    away.delete()
    assert _search(clerk, location, follow_up)[0].start == at(TUESDAY, 8)


def test_hours_added_bring_the_day_back(db, clock, clerk, location, provider, follow_up, whole_day,
                                        django_capture_on_commit_callbacks):
    _book_solid(location, provider, whole_day, TUESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert _search(clerk, location, follow_up)[0].start == at(WEDNESDAY, 8)
    AvailabilityTemplateFactory(practitioner=provider, location=location, weekday=TUESDAY.weekday(),
                                start_time=dt.time(17), end_time=dt.time(19), effective_from=dt.date(2026, 1, 1))
    assert _search(clerk, location, follow_up)[0].start == at(TUESDAY, 17)


def test_a_day_too_short_for_one_type_is_still_searched_for_a_shorter_one(
        db, clock, clerk, location, provider, follow_up, django_capture_on_commit_callbacks):
    long_visit = AppointmentTypeFactory(code="long-visit", duration_minutes=60)
    # Tuesday keeps 30 free minutes (16:30-17:00): too short for an hour, enough for half an hour.
    AppointmentFactory(location=location, practitioner=provider, appointment_type=AppointmentTypeFactory(
        code="most-of-the-day", duration_minutes=510), start=at(TUESDAY, 8))
    with django_capture_on_commit_callbacks(execute=True):
        assert _search(clerk, location, long_visit)[0].start == at(WEDNESDAY, 8)
    assert set(DayFreeTime.objects.values_list("day", "longest_free_minutes")) == {(TUESDAY, 30)}
    half_hour = AppointmentTypeFactory(code="half-hour", duration_minutes=30)
    assert _search(clerk, location, half_hour)[0].start == at(TUESDAY, 16, 30)  # fits the 30 minutes exactly


def test_the_ticker_forgets_remembered_days_before_yesterday(db, location, provider):
    from clinicdesk.core import periodic
    from clinicdesk.scheduling import tasks
    from clinicdesk.scheduling.free_time import remembered_days_prune

    for day in (TUESDAY - dt.timedelta(days=2), TUESDAY - dt.timedelta(days=1), TUESDAY, WEDNESDAY):
        DayFreeTime.objects.create(practitioner=provider, location=location, day=day, time_zone="America/New_York",
                                   version=0, longest_free_minutes=0)
    assert remembered_days_prune(today=TUESDAY) == 1
    assert sorted(DayFreeTime.objects.values_list("day", flat=True)) == [
        TUESDAY - dt.timedelta(days=1), TUESDAY, WEDNESDAY]
    assert periodic.JOBS["prune-remembered-days"].enqueue == tasks.prune_remembered_days.enqueue
