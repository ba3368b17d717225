import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from clinicdesk.core.exceptions import Conflict, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment, CalendarFeed, Series
from clinicdesk.scheduling.selectors import waitlist_matches
from clinicdesk.scheduling.services import (
    appointment_book,
    calendar_feed_issue,
    calendar_feed_revoke,
    series_book,
    series_preview,
    waitlist_add,
)
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

from .conftest import TUESDAY, at


@pytest.fixture
def blocker(db, location, provider, follow_up):
    """Someone else holds the provider on the third Tuesday at 9:00."""
    return AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                              start=at(TUESDAY + dt.timedelta(weeks=2), 9))


def test_series_preview_reports_conflicts_before_booking(clock, clerk, booking, blocker):
    preview = series_preview(actor=clerk, request=booking(at(TUESDAY, 9)), interval_days=7, count=8)
    assert [o.ok for o in preview] == [True, True, False, True, True, True, True, True]
    assert preview[2].code == "slot-taken"
    assert Appointment.objects.count() == 1


def test_series_all_or_nothing_books_nothing_on_a_conflict(clock, clerk, booking, blocker):
    with pytest.raises(Conflict) as error:
        series_book(actor=clerk, request=booking(at(TUESDAY, 9)), count=8, all_or_nothing=True)
    assert "visit 3" in error.value.detail
    assert Appointment.objects.count() == 1 and Series.objects.count() == 0


def test_series_book_the_rest_skips_the_conflicts(clock, clerk, booking, blocker):
    result = series_book(actor=clerk, request=booking(at(TUESDAY, 9)), count=8, all_or_nothing=False,
                         idempotency_key="pt-series")
    assert len(result.booked) == 7 and [o.index for o in result.skipped] == [2]
    again = series_book(actor=clerk, request=booking(at(TUESDAY, 9)), count=8, all_or_nothing=False,
                        idempotency_key="pt-series")
    assert again.series.pk == result.series.pk and Appointment.objects.count() == 8


def test_series_keeps_the_wall_clock_time_across_dst(db, clerk, booking):
    from clinicdesk.core import clock as clock_module

    with clock_module.frozen_at(dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)):
        result = series_book(actor=clerk, request=booking(at(dt.date(2026, 10, 27), 9)), count=2)
    assert [a.start.hour for a in result.booked] == [13, 14]  # 9:00 EDT, then 9:00 EST


def test_series_is_refused_to_other_locations(clock, booking, outsider):
    with pytest.raises(PermissionDenied):
        series_book(actor=outsider, request=booking(at(TUESDAY, 9)), count=2)


def test_waitlist_lists_best_matches_for_a_freed_slot(clock, clerk, location, provider, follow_up):
    fits = waitlist_add(actor=clerk, patient_id=PatientFactory(home_location=location).pk,
                        appointment_type_id=follow_up.pk, location_id=location.pk,
                        practitioner_ids=[provider.pk], weekdays=[1], notice_hours=12, priority=1)
    waitlist_add(actor=clerk, patient_id=PatientFactory(home_location=location).pk,
                 appointment_type_id=follow_up.pk, location_id=location.pk, weekdays=[4])  # Fridays only
    waitlist_add(actor=clerk, patient_id=PatientFactory(home_location=location).pk,
                 appointment_type_id=follow_up.pk, location_id=location.pk, notice_hours=72)  # needs notice
    anyone = waitlist_add(actor=clerk, patient_id=PatientFactory(home_location=location).pk,
                          appointment_type_id=follow_up.pk, location_id=location.pk, notice_hours=2)
    matches = waitlist_matches(actor=clerk, location=location, practitioner_id=provider.pk,
                               appointment_type_id=follow_up.pk, start=at(TUESDAY, 9), end=at(TUESDAY, 9, 20))
    assert [m.entry for m in matches] == [fits, anyone]
    assert "Asked for this provider." in matches[0].reasons


def test_waitlist_is_refused_to_other_locations(clock, location, outsider, follow_up, patient):
    with pytest.raises(PermissionDenied):
        waitlist_add(actor=outsider, patient_id=patient.pk, appointment_type_id=follow_up.pk,
                     location_id=location.pk)


def test_feed_has_no_patient_names_by_default_and_can_be_revoked(clock, clerk, location, provider, booking,
                                                                  patient):
    appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)))
    admin = UserFactory(role=Role.PRACTICE_COORDINATOR)
    _feed, token = calendar_feed_issue(actor=admin, practitioner_id=provider.pk)
    answer = Client().get(f"/schedule/feeds/{token}.ics")
    assert answer.status_code == 200
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert len(events) == 1 and patient.given_name not in answer.content.decode()
    calendar_feed_revoke(actor=admin, practitioner_id=provider.pk)
    assert Client().get(f"/schedule/feeds/{token}.ics").status_code == 404
    assert CalendarFeed.objects.get().token_hash != token  # only the hash is stored


def test_feed_is_issued_only_to_the_provider_or_an_administrator(clock, location, provider, clerk, outsider):
    with pytest.raises(PermissionDenied):
        calendar_feed_issue(actor=clerk, practitioner_id=provider.pk)
    with pytest.raises(PermissionDenied):
        calendar_feed_issue(actor=outsider, practitioner_id=provider.pk)
    own = UserFactory(role=Role.PROVIDER, location=location)
    provider.user = own
    provider.save()
    assert calendar_feed_issue(actor=own, practitioner_id=provider.pk)[1]
