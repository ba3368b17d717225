import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    weekly_availability,
)

from .conftest import TUESDAY, at


def _fill(location, providers, per_provider, kind):
    patients = PatientFactory.create_batch(per_provider * len(providers), home_location=location)
    index = 0
    for doctor in providers:
        for slot in range(per_provider):
            AppointmentFactory(location=location, practitioner=doctor, patient=patients[index], appointment_type=kind,
                               start=at(TUESDAY, 8) + dt.timedelta(minutes=20 * slot))
            index += 1


@pytest.fixture
def twenty_providers(location):
    providers = []
    for _ in range(20):
        doctor = PractitionerFactory()
        weekly_availability(doctor, location, weekdays=[1])
        providers.append(doctor)
    return providers


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_day_view_query_count_does_not_grow_with_appointments(db, clock, signed_in, location, twenty_providers):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    kind = AppointmentTypeFactory(code="follow-up", duration_minutes=20)
    url = f"/schedule/day/?location={location.pk}&day={TUESDAY.isoformat()}"
    _fill(location, twenty_providers, 2, kind)
    clerk.get(url)  # warm caches (session, content types)
    small, _ = _count_queries(clerk, url)
    _fill_more = [AppointmentFactory(location=location, practitioner=d, appointment_type=kind,
                                     start=at(TUESDAY, 13) + dt.timedelta(minutes=20 * s))
                  for d in twenty_providers for s in range(10)]
    assert Appointment.objects.count() == 20 * 12
    large, response = _count_queries(clerk, url)
    assert small == large, f"{small} queries with 40 appointments, {large} with 240"
    assert response.content.count(b'class="appt ') == 240


def test_day_view_shows_columns_colours_free_slots_and_local_times(db, clock, signed_in, location, provider,
                                                                   follow_up):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, start=at(TUESDAY, 9))
    page = clerk.get(f"/schedule/day/?location={location.pk}&day={TUESDAY.isoformat()}").content.decode()
    assert "09:00\u201309:20" in page
    assert str(provider) in page
    assert 'data-color="#5b8def"' in page
    assert 'class="slot ' in page
    assert "style=" not in page  # the CSP forbids inline style attributes


def test_rooms_view_has_a_column_per_room(db, clock, signed_in, location, provider, follow_up):
    room = RoomFactory(location=location, name="Exam 7")
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, room=room,
                       start=at(TUESDAY, 9))
    page = signed_in(Role.FRONT_DESK, at=location).get(
        f"/schedule/day/?location={location.pk}&day={TUESDAY.isoformat()}&view=rooms").content.decode()
    assert "Exam 7" in page and "09:00\u201309:20" in page


def test_week_view_shows_one_provider_by_day(db, clock, signed_in, location, provider, follow_up):
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, start=at(TUESDAY, 9))
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                       start=at(TUESDAY + dt.timedelta(days=2), 10))
    page = signed_in(Role.FRONT_DESK, at=location).get(
        f"/schedule/week/?location={location.pk}&practitioner={provider.pk}&day={TUESDAY.isoformat()}")
    assert page.status_code == 200
    content = page.content.decode()
    assert "09:00\u201309:20" in content and "10:00\u201310:20" in content and "Thu 11/26" in content


def test_print_day_sheet_lists_the_day_by_provider(db, clock, signed_in, location, provider, follow_up):
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, start=at(TUESDAY, 9))
    page = signed_in(Role.FRONT_DESK, at=location).get(
        f"/schedule/print/?location={location.pk}&day={TUESDAY.isoformat()}").content.decode()
    assert "Day sheet" in page and str(provider) in page and "09:00\u201309:20" in page


def test_calendar_pages_hide_other_locations_and_refuse_outsiders(db, clock, signed_in, location, other_location,
                                                                  provider):
    stranger = signed_in(Role.FRONT_DESK, at=other_location)
    assert stranger.get(f"/schedule/day/?location={location.pk}").status_code == 404
    assert stranger.get(f"/schedule/week/?location={location.pk}&practitioner={provider.pk}").status_code == 404
    admin = signed_in(Role.SYSADMIN)
    assert admin.get(f"/schedule/day/?location={location.pk}").status_code in (403, 404)


def test_book_dialog_books_and_shows_the_panel(db, clock, signed_in, location, provider, follow_up, patient):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    dialog = clerk.get("/schedule/book/", {"location": location.pk, "practitioner": provider.pk,
                                           "start": at(TUESDAY, 9).isoformat()}, HTTP_HX_REQUEST="true")
    assert dialog.status_code == 200 and b'value="09:00"' in dialog.content
    picked = clerk.post("/schedule/book/patients/", {"q": patient.family_name}, HTTP_HX_REQUEST="true")
    assert f'value="{patient.pk}"'.encode() in picked.content
    data = {"location": location.pk, "patient": patient.pk, "practitioner": provider.pk,
            "appointment_type": follow_up.pk, "day": TUESDAY.isoformat(), "time": "09:00", "idempotency_key": "dlg1"}
    booked = clerk.post("/schedule/book/new/", data, HTTP_HX_REQUEST="true")
    assert booked.status_code == 200 and b"Booked." in booked.content
    assert booked["HX-Trigger"] == "schedule-changed"
    again = clerk.post("/schedule/book/new/", {**data, "idempotency_key": "dlg2"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and b"already" in again.content
    assert Appointment.objects.count() == 1


def test_panel_moves_and_cancels_and_lists_waitlist_matches(db, clock, signed_in, location, provider, follow_up,
                                                            patient):
    from clinicdesk.scheduling.services import waitlist_add

    clerk = signed_in(Role.FRONT_DESK, at=location)
    appointment = AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                                     patient=patient, start=at(TUESDAY + dt.timedelta(days=2), 9))
    waiting = PatientFactory(home_location=location, family_name="Waiting")
    waitlist_add(actor=clerk.user, patient_id=waiting.pk, appointment_type_id=follow_up.pk, location_id=location.pk)
    moved = clerk.post(f"/schedule/appointments/{appointment.pk}/move/",
                       {"day": (TUESDAY + dt.timedelta(days=2)).isoformat(), "time": "10:00"}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200 and b"Moved." in moved.content
    dropped = clerk.post(f"/schedule/appointments/{appointment.pk}/move/",
                         {"start": at(TUESDAY + dt.timedelta(days=2), 10, 15).strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "practitioner": provider.pk}, HTTP_HX_REQUEST="true")
    assert dropped.status_code == 200
    appointment.refresh_from_db()
    assert appointment.start == at(TUESDAY + dt.timedelta(days=2), 10, 15)
    cancelled = clerk.post(f"/schedule/appointments/{appointment.pk}/cancel/", {"reason": "Travel"},
                           HTTP_HX_REQUEST="true")
    assert b"Cancelled." in cancelled.content and b"Waiting" in cancelled.content
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_confirmation_ics_is_rfc5545(db, clock, signed_in, location, provider, follow_up):
    from icalendar import Calendar

    appointment = AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                                     start=at(TUESDAY, 9))
    answer = signed_in(Role.FRONT_DESK, at=location).get(f"/schedule/appointments/{appointment.pk}/appointment.ics")
    assert answer["Content-Type"] == "text/calendar"
    event = Calendar.from_ical(answer.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(TUESDAY, 9)
    assert str(event["uid"]) == f"appointment-{appointment.pk}@clinicdesk"
