"""Availability set-up (#14): weekly blocks, time away, holidays; their screens, API and the calendar of the
result. The clock is frozen on Monday 23 November 2026, 10:00 in New York."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import (
    AvailabilityException,
    AvailabilityTemplate,
    LocationHoliday,
)
from clinicdesk.scheduling.services import (
    availability_exception_remove,
    availability_template_add,
    availability_template_remove,
    availability_template_update,
    location_holiday_remove,
)
from clinicdesk.scheduling.setup_selectors import availability_calendar
from tests.factories import (
    AppointmentFactory,
    AvailabilityExceptionFactory,
    AvailabilityTemplateFactory,
    LocationHolidayFactory,
    PractitionerFactory,
    UserFactory,
)

from .conftest import at

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def coordinator(location):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)


@pytest.fixture
def doc(location):
    return PractitionerFactory(location=location, last_name="Okafor")


def _block(actor, doc, location, **changes):
    values = {"practitioner_id": doc.pk, "location_id": location.pk, "weekday": 1, "start_time": dt.time(9),
              "end_time": dt.time(12), "effective_from": dt.date(2026, 12, 1)}
    return availability_template_add(actor=actor, **{**values, **changes})


# --- weekly blocks ----------------------------------------------------------------------------------------------

def test_template_add_refuses_an_overlap_with_the_same_provider(clock, coordinator, doc, location):
    _block(coordinator, doc, location)
    with pytest.raises(Conflict):
        _block(coordinator, doc, location, start_time=dt.time(11), end_time=dt.time(13))
    assert AvailabilityTemplate.objects.count() == 1


def test_template_add_refuses_effective_dates_out_of_order(clock, coordinator, doc, location):
    with pytest.raises(ValidationFailed) as refused:
        _block(coordinator, doc, location, effective_until=dt.date(2026, 11, 1))
    assert "effective_until" in refused.value.fields and not AvailabilityTemplate.objects.exists()


def test_template_add_refuses_a_provider_of_another_location(clock, coordinator, doc, other_location):
    with pytest.raises(ValidationFailed):
        _block(coordinator, doc, other_location)
    assert not AvailabilityTemplate.objects.exists()


def test_template_add_is_refused_to_the_front_desk(clock, clerk, doc, location):
    with pytest.raises(PermissionDenied):
        _block(clerk, doc, location)
    assert not AvailabilityTemplate.objects.exists()


def test_template_update_changes_hours_and_keeps_a_history(clock, coordinator, doc, location):
    block = _block(coordinator, doc, location)
    availability_template_update(actor=coordinator, template_id=block.pk, end_time=dt.time(13), label="Morning")
    block.refresh_from_db()
    assert (block.end_time, block.label) == (dt.time(13), "Morning")
    entry = AuditEntry.objects.get(action="availability.template.update")
    assert entry.detail["changes"] == {"end_time": ["12:00", "13:00"], "label": ["", "Morning"]}


def test_template_update_refuses_an_overlap_and_changes_nothing(clock, coordinator, doc, location):
    _block(coordinator, doc, location)
    other = _block(coordinator, doc, location, start_time=dt.time(13), end_time=dt.time(15))
    with pytest.raises(Conflict):
        availability_template_update(actor=coordinator, template_id=other.pk, start_time=dt.time(10))
    other.refresh_from_db()
    assert other.start_time == dt.time(13)


def test_template_update_refuses_ending_before_starting(clock, coordinator, doc, location):
    block = _block(coordinator, doc, location)
    with pytest.raises(ValidationFailed):
        availability_template_update(actor=coordinator, template_id=block.pk, end_time=dt.time(8))
    block.refresh_from_db()
    assert block.end_time == dt.time(12)


def test_template_remove_ends_a_block_in_use_today_and_keeps_booked_appointments(clock, coordinator, doc,
                                                                                 location):
    block = _block(coordinator, doc, location, effective_from=dt.date(2026, 1, 1))
    booked = AppointmentFactory(practitioner=doc, location=location, start=at(dt.date(2026, 12, 1), 9))
    availability_template_remove(actor=coordinator, template_id=block.pk)
    block.refresh_from_db()
    assert block.effective_until == MONDAY
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_template_remove_deletes_a_block_not_started_yet(clock, coordinator, doc, location):
    block = _block(coordinator, doc, location)
    assert availability_template_remove(actor=coordinator, template_id=block.pk) is None
    assert not AvailabilityTemplate.objects.exists()
    assert AuditEntry.objects.get(action="availability.template.remove").detail["deleted"] is True


def test_template_remove_is_refused_to_the_front_desk(clock, clerk, coordinator, doc, location):
    block = _block(coordinator, doc, location)
    with pytest.raises(PermissionDenied):
        availability_template_remove(actor=clerk, template_id=block.pk)
    assert AvailabilityTemplate.objects.filter(pk=block.pk).exists()


# --- exceptions and holidays ------------------------------------------------------------------------------------

def test_exception_remove_deletes_it_and_audits_what_it_was(clock, coordinator, doc, location):
    away = AvailabilityExceptionFactory(practitioner=doc, reason="Conference")
    availability_exception_remove(actor=coordinator, exception_id=away.pk)
    assert not AvailabilityException.objects.exists()
    entry = AuditEntry.objects.get(action="availability.exception.remove")
    assert entry.detail["changes"]["reason"] == ["Conference", None]


def test_exception_remove_is_refused_to_the_front_desk(clock, clerk, doc):
    away = AvailabilityExceptionFactory(practitioner=doc)
    with pytest.raises(PermissionDenied):
        availability_exception_remove(actor=clerk, exception_id=away.pk)
    assert AvailabilityException.objects.exists()


def test_holiday_remove_opens_the_day_again(clock, coordinator, location):
    closed = LocationHolidayFactory(location=location)
    location_holiday_remove(actor=coordinator, holiday_id=closed.pk)
    assert not LocationHoliday.objects.exists()


def test_holiday_remove_is_refused_to_the_front_desk_of_another_location(clock, outsider, location):
    closed = LocationHolidayFactory(location=location)
    with pytest.raises(PermissionDenied):
        location_holiday_remove(actor=outsider, holiday_id=closed.pk)
    assert LocationHoliday.objects.exists()


# --- the calendar -----------------------------------------------------------------------------------------------

def test_calendar_shows_the_template_hours_and_not_an_exception_day_nor_a_holiday(clock, coordinator, doc, location):
    for weekday in range(5):
        AvailabilityTemplateFactory(practitioner=doc, location=location, weekday=weekday, start_time=dt.time(9),
                                    end_time=dt.time(13))
    AvailabilityExceptionFactory(practitioner=doc, start=at(dt.date(2026, 11, 24), 0),
                                 end=at(dt.date(2026, 11, 25), 0))
    LocationHolidayFactory(location=location, day=dt.date(2026, 11, 26), name="Thanksgiving")
    weeks = availability_calendar(actor=coordinator, practitioner_id=doc.pk, location_id=location.pk,
                                  first_day=MONDAY, weeks=2)
    days = {d.day: d for week in weeks for d in week}
    assert [(b.start, b.end) for b in days[MONDAY].blocks] == [(dt.time(9), dt.time(13))]
    assert days[dt.date(2026, 11, 24)].blocks == [] and days[dt.date(2026, 11, 24)].away
    assert days[dt.date(2026, 11, 26)].blocks == [] and days[dt.date(2026, 11, 26)].holiday == "Thanksgiving"
    assert days[dt.date(2026, 11, 28)].blocks == []  # Saturday: no block


def test_availability_screen_shows_the_calendar(clock, signed_in, doc, location):
    AvailabilityTemplateFactory(practitioner=doc, location=location, weekday=0, start_time=dt.time(9),
                                end_time=dt.time(13))
    AvailabilityTemplateFactory(practitioner=doc, location=location, weekday=1, start_time=dt.time(9),
                                end_time=dt.time(13))
    AvailabilityExceptionFactory(practitioner=doc, start=at(dt.date(2026, 11, 24), 0),
                                 end=at(dt.date(2026, 11, 25), 0), reason="Conference")
    answer = signed_in(Role.PRACTICE_COORDINATOR).get(
        f"/schedule/setup/availability/?practitioner={doc.pk}&location={location.pk}")
    assert answer.status_code == 200
    text = answer.text
    monday = text.split('data-day="2026-11-23"')[1].split("</td>")[0]
    tuesday = text.split('data-day="2026-11-24"')[1].split("</td>")[0]
    assert "09:00\u201313:00" in monday
    assert "09:00" not in tuesday and "Time away" in tuesday
    assert "appointments already booked stay" in text


def test_availability_screen_is_refused_to_the_front_desk(clock, signed_in, doc):
    assert signed_in(Role.FRONT_DESK).get("/schedule/setup/availability/").status_code == 403


def test_template_new_screen_adds_a_block_and_redirects_to_the_provider(clock, signed_in, doc, location):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get(f"/schedule/setup/availability/blocks/new/?practitioner={doc.pk}").status_code == 200
    answer = client.post("/schedule/setup/availability/blocks/new/", {
        "practitioner_id": doc.pk, "location_id": location.pk, "weekday": "2", "start_time": "08:00",
        "end_time": "12:00", "effective_from": "2026-12-01"}, follow=True)
    assert answer.redirect_chain[-1][0].startswith("/schedule/setup/availability/?practitioner=")
    assert "Weekly block added." in answer.text
    assert AvailabilityTemplate.objects.get().weekday == 2


def test_template_new_screen_shows_an_overlap_on_the_form(clock, signed_in, coordinator, doc, location):
    _block(coordinator, doc, location)
    answer = signed_in(Role.PRACTICE_COORDINATOR).post("/schedule/setup/availability/blocks/new/", {
        "practitioner_id": doc.pk, "location_id": location.pk, "weekday": "1", "start_time": "10:00",
        "end_time": "11:00", "effective_from": "2026-12-01"})
    assert answer.status_code == 422 and "Overlaps another block of this provider." in answer.text
    assert AvailabilityTemplate.objects.count() == 1


def test_template_edit_screen_shows_the_history_and_ends_the_block(clock, signed_in, coordinator, doc, location):
    block = _block(coordinator, doc, location, effective_from=dt.date(2026, 1, 1))
    availability_template_update(actor=coordinator, template_id=block.pk, label="Clinic")
    client = signed_in(Role.PRACTICE_COORDINATOR)
    page = client.get(f"/schedule/setup/availability/blocks/{block.pk}/")
    assert page.status_code == 200 and "Weekly availability changed" in page.text
    assert "End this block today" in page.text
    answer = client.post(f"/schedule/setup/availability/blocks/{block.pk}/end/", follow=True)
    assert "appointments already booked in it stay" in answer.text
    block.refresh_from_db()
    assert block.effective_until == MONDAY


def test_exception_new_screen_adds_whole_days_in_the_location_time(clock, signed_in, doc, location):
    answer = signed_in(Role.PRACTICE_COORDINATOR).post("/schedule/setup/availability/away/new/", {
        "practitioner_id": doc.pk, "location_id": "", "kind": "vacation", "first_day": "2026-12-07",
        "last_day": "2026-12-11", "reason": "Family trip"})
    assert answer.status_code == 302
    away = AvailabilityException.objects.get()
    assert (away.start, away.end) == (at(dt.date(2026, 12, 7), 0), at(dt.date(2026, 12, 12), 0))


def test_exception_new_screen_refuses_an_end_before_the_start(clock, signed_in, doc):
    answer = signed_in(Role.PRACTICE_COORDINATOR).post("/schedule/setup/availability/away/new/", {
        "practitioner_id": doc.pk, "kind": "meeting", "first_day": "2026-12-07", "from_time": "14:00",
        "last_day": "2026-12-07", "until_time": "13:00"})
    assert answer.status_code == 422 and "Must be after the start." in answer.text
    assert not AvailabilityException.objects.exists()


def test_exception_screen_removes_it(clock, signed_in, doc):
    away = AvailabilityExceptionFactory(practitioner=doc)
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get(f"/schedule/setup/availability/away/{away.pk}/").status_code == 200
    assert client.post(f"/schedule/setup/availability/away/{away.pk}/").status_code == 302
    assert not AvailabilityException.objects.exists()


def test_holidays_screen_adds_and_lists_a_closed_day(clock, signed_in, location):
    client = signed_in(Role.SYSADMIN)
    answer = client.post("/schedule/setup/holidays/new/", {"location_id": location.pk, "day": "2026-12-25",
                                                           "name": "Christmas"}, follow=True)
    assert answer.redirect_chain[-1][0] == "/schedule/setup/holidays/" and "Christmas" in answer.text
    again = client.post("/schedule/setup/holidays/new/", {"location_id": location.pk, "day": "2026-12-25",
                                                          "name": "Again"})
    assert again.status_code == 422 and "That day is already closed." in again.text
    assert LocationHoliday.objects.count() == 1


def test_holiday_screen_opens_the_day_again(clock, signed_in, location):
    closed = LocationHolidayFactory(location=location)
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert "History of changes" in client.get(f"/schedule/setup/holidays/{closed.pk}/").text
    assert client.post(f"/schedule/setup/holidays/{closed.pk}/").status_code == 302
    assert not LocationHoliday.objects.exists()


# --- the API ----------------------------------------------------------------------------------------------------

def _json(client, method, url, body=None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_api_creates_patches_and_ends_a_weekly_block(clock, signed_in, doc, location):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    created = _json(client, "POST", "/api/v1/availability-templates", {
        "practitioner": doc.pk, "location": location.pk, "weekday": 0, "startTime": "09:00", "endTime": "12:00",
        "effectiveFrom": "2026-01-01"})
    assert created.status_code == 201
    pk = created.json()["id"]
    patched = _json(client, "PATCH", f"/api/v1/availability-templates/{pk}", {"endTime": "13:00"})
    assert patched.status_code == 200 and patched.json()["endTime"] == "13:00"
    assert client.delete(f"/api/v1/availability-templates/{pk}").status_code == 204
    assert client.get(f"/api/v1/availability-templates/{pk}").json()["effectiveUntil"] == MONDAY.isoformat()


def test_api_overlap_is_a_409_naming_the_member(clock, signed_in, coordinator, doc, location):
    _block(coordinator, doc, location)
    answer = _json(signed_in(Role.PRACTICE_COORDINATOR), "POST", "/api/v1/availability-templates", {
        "practitioner": doc.pk, "location": location.pk, "weekday": 1, "startTime": "10:00", "endTime": "11:00",
        "effectiveFrom": "2026-12-01"})
    assert answer.status_code == 409 and "startTime" in answer.json()["errors"]


def test_api_bad_effective_dates_are_a_422_naming_the_member(clock, signed_in, doc, location):
    answer = _json(signed_in(Role.PRACTICE_COORDINATOR), "POST", "/api/v1/availability-templates", {
        "practitioner": doc.pk, "location": location.pk, "weekday": 1, "startTime": "10:00", "endTime": "11:00",
        "effectiveFrom": "2026-12-01", "effectiveUntil": "2026-11-01"})
    assert answer.status_code == 422 and "effectiveUntil" in answer.json()["errors"]


def test_api_creates_and_removes_an_exception(clock, signed_in, doc):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    created = _json(client, "POST", "/api/v1/availability-exceptions", {
        "practitioner": doc.pk, "kind": "conference", "start": "2026-12-01T08:00:00-05:00",
        "end": "2026-12-03T18:00:00-05:00", "reason": "Cardiology congress"})
    assert created.status_code == 201 and created.json()["location"] is None
    assert client.delete(f"/api/v1/availability-exceptions/{created.json()['id']}").status_code == 204
    assert not AvailabilityException.objects.exists()


def test_api_creates_and_removes_a_holiday(clock, signed_in, location):
    client = signed_in(Role.SYSADMIN)
    created = _json(client, "POST", "/api/v1/holidays", {"location": location.pk, "day": "2026-12-25",
                                                         "name": "Christmas"})
    assert created.status_code == 201
    assert len(client.get("/api/v1/holidays").json()["items"]) == 1
    assert client.delete(f"/api/v1/holidays/{created.json()['id']}").status_code == 204
    assert not LocationHoliday.objects.exists()


def test_api_remove_is_refused_to_the_front_desk(clock, signed_in, location):
    closed = LocationHolidayFactory(location=location)
    assert signed_in(Role.FRONT_DESK).delete(f"/api/v1/holidays/{closed.pk}").status_code == 403
    assert LocationHoliday.objects.exists()
