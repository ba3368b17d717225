"""Faces of recurring series (#14 item 3): the dialog checks every visit first (taken slot, holiday, away), then
books through series_book, showing what was booked and what was skipped and why; and the JSON API."""

import datetime as dt
import json

import pytest
from django.test import Client

from clinicdesk.scheduling.models import Appointment, Series
from tests.factories import AppointmentFactory, LocationHolidayFactory, PatientFactory

from .conftest import TUESDAY, at


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(clerk):
    return _client(clerk)


@pytest.fixture
def blocker(db, location, provider, follow_up):
    """Someone else holds the provider on the third Tuesday at 9:00."""
    return AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                              start=at(TUESDAY + dt.timedelta(weeks=2), 9))


def _form(location, provider, follow_up, patient, **changes):
    data = {"location": location.pk, "patient": patient.pk, "practitioner": provider.pk,
            "appointment_type": follow_up.pk, "day": TUESDAY.isoformat(), "time": "09:00", "every": 1,
            "unit": "weeks", "count": 4, "on_conflict": "all", "idempotency_key": "series-form-1"}
    data.update(changes)
    return data


def test_series_preview_shows_the_conflicting_visit_before_booking(db, clock, desk, location, provider, follow_up,
                                                                    patient, blocker):
    answer = desk.post("/schedule/series/preview/", _form(location, provider, follow_up, patient))
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "3 of 4 visits fit" in page and "Time taken" in page
    assert "Book the series" in page
    assert Appointment.objects.count() == 1 and not Series.objects.exists()


def test_series_preview_names_a_holiday(db, clock, desk, location, provider, follow_up, patient):
    LocationHolidayFactory(location=location, day=dt.date(2026, 11, 26))  # Thanksgiving, a Thursday
    answer = desk.post("/schedule/series/preview/", _form(location, provider, follow_up, patient,
                                                          day="2026-11-19", count=2))
    assert "Holiday" in answer.content.decode() and "Thanksgiving" in answer.content.decode()


def test_series_book_all_or_nothing_refuses_and_books_nothing(db, clock, desk, location, provider, follow_up,
                                                              patient, blocker):
    answer = desk.post("/schedule/series/new/", _form(location, provider, follow_up, patient))
    assert answer.status_code == 409
    assert "visit 3" in answer.content.decode() and "Time taken" in answer.content.decode()
    assert Appointment.objects.count() == 1 and not Series.objects.exists()


def test_series_book_the_rest_shows_booked_and_skipped_with_reasons(db, clock, desk, location, provider,
                                                                    follow_up, patient, blocker):
    answer = desk.post("/schedule/series/new/", _form(location, provider, follow_up, patient, on_conflict="fit"))
    page = answer.content.decode()
    assert answer.status_code == 200 and answer["HX-Trigger"] == "schedule-changed"
    assert "3 visits booked." in page and "1 visit skipped." in page and "Skipped: Time taken" in page
    assert Appointment.objects.filter(patient=patient).count() == 3
    again = desk.post("/schedule/series/new/", _form(location, provider, follow_up, patient, on_conflict="fit"))
    assert again.status_code == 200 and Appointment.objects.filter(patient=patient).count() == 3  # the same key


def test_series_form_refuses_bad_input_with_a_422(db, clock, desk, location, provider, follow_up, patient):
    for changes in ({"count": 60}, {"every": 13, "unit": "weeks"}, {"patient": ""}):
        data = {**_form(location, provider, follow_up, patient), **changes}
        answer = desk.post("/schedule/series/new/", data)
        assert answer.status_code == 422, changes
    assert not Appointment.objects.exists() and not Series.objects.exists()


def test_series_is_refused_to_a_role_without_schedule_write(db, clock, location, provider, follow_up, patient,
                                                            billing_user):
    answer = _client(billing_user).post("/schedule/series/new/", _form(location, provider, follow_up, patient))
    assert answer.status_code == 403 and not Appointment.objects.exists()


def test_series_is_hidden_from_a_user_of_another_location(db, clock, location, provider, follow_up, patient,
                                                          outsider):
    answer = _client(outsider).post("/schedule/series/new/", _form(location, provider, follow_up, patient))
    assert answer.status_code == 404 and not Appointment.objects.exists()


def test_series_dialog_opens_from_the_panel_with_the_next_visit(db, clock, desk, location, provider, follow_up,
                                                                 patient):
    appointment = AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                                     patient=patient, start=at(TUESDAY, 10))
    panel = desk.get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    assert f"/schedule/series/?appointment={appointment.pk}" in panel
    dialog = desk.get(f"/schedule/series/?appointment={appointment.pk}").content.decode()
    assert patient.display_name in dialog and 'value="2026-12-01"' in dialog and 'value="10:00"' in dialog
    booking = desk.get(f"/schedule/book/?location={location.pk}").content.decode()
    assert "Book a recurring series" in booking


# --- the JSON API ---------------------------------------------------------------------------------------------

def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def _body(location, provider, follow_up, patient, **changes):
    data = {"patient": patient.pk, "practitioner": provider.pk, "location": location.pk,
            "appointmentType": follow_up.pk, "start": at(TUESDAY, 9).isoformat(), "intervalDays": 7, "count": 4}
    data.update(changes)
    return data


def test_api_series_preview_lists_every_visit_with_its_conflict(db, clock, desk, location, provider, follow_up,
                                                                patient, blocker):
    answer = _post(desk, "/api/v1/appointments/series/preview", _body(location, provider, follow_up, patient))
    assert answer.status_code == 200
    occurrences = answer.json()["occurrences"]
    assert [o["fits"] for o in occurrences] == [True, True, False, True]
    assert occurrences[2]["code"] == "slot-taken" and Appointment.objects.count() == 1


def test_api_series_on_a_taken_slot_is_a_409_and_books_nothing(db, clock, desk, location, provider, follow_up,
                                                                patient, blocker):
    answer = _post(desk, "/api/v1/appointments/series", _body(location, provider, follow_up, patient))
    assert answer.status_code == 409 and answer.json()["code"] == "series-conflicts"
    assert Appointment.objects.count() == 1


def test_api_series_books_what_fits_and_replays(db, clock, desk, location, provider, follow_up, patient, blocker):
    body = _body(location, provider, follow_up, patient, allOrNothing=False)
    first = _post(desk, "/api/v1/appointments/series", body, HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 201
    result = first.json()
    assert len(result["booked"]) == 3 and [s["index"] for s in result["skipped"]] == [2]
    again = _post(desk, "/api/v1/appointments/series", body, HTTP_IDEMPOTENCY_KEY="s-1")
    assert again.status_code == 201 and again.json()["series"] == result["series"]
    assert Appointment.objects.filter(patient=patient).count() == 3


def test_api_series_refuses_bad_members_with_a_422_naming_them(db, clock, desk, location, provider, follow_up,
                                                               patient):
    for member, value in (("count", 0), ("intervalDays", "7"), ("allOrNothing", "yes"), ("start", "tomorrow")):
        answer = _post(desk, "/api/v1/appointments/series",
                       _body(location, provider, follow_up, patient, **{member: value}))
        assert answer.status_code == 422, member
        assert member in answer.json()["errors"], member
    assert not Appointment.objects.exists()


def test_api_series_is_refused_to_another_location(db, clock, location, provider, follow_up, outsider):
    patient = PatientFactory(home_location=location)
    answer = _post(_client(outsider), "/api/v1/appointments/series", _body(location, provider, follow_up, patient))
    assert answer.status_code == 404 and not Appointment.objects.exists()  # the Downtown patient looks missing
