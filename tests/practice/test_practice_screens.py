"""The practice set-up screens: lists, add and edit forms (PRG with a message, 422 with the field error),
deactivation, the history panel, opening hours and who may open them."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from clinicdesk.core.identifiers import npi_complete
from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import Equipment, Location, Organization, Practitioner, Room
from tests.factories import AppointmentTypeFactory, EquipmentFactory, PractitionerFactory, RoomFactory

NPI = npi_complete("123456789")


@pytest.fixture
def coordinator(signed_in):
    return signed_in(Role.PRACTICE_COORDINATOR)


def _flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


LOCATION = {"code": "north", "name": "North Clinic", "address_line": "9 Elm St", "city": "Springfield",
            "state": "MA", "postal_code": "01103", "phone": "(413) 555-0101", "time_zone": "America/Chicago"}


@pytest.mark.parametrize("url", ["/practice/organization/", "/practice/locations/", "/practice/locations/new/",
                                 "/practice/providers/", "/practice/providers/new/", "/practice/rooms/",
                                 "/practice/rooms/new/", "/practice/equipment/", "/practice/equipment/new/"])
def test_practice_screens_open_for_a_coordinator_and_not_for_the_front_desk(db, location, signed_in, url):
    assert signed_in(Role.PRACTICE_COORDINATOR).get(url).status_code == 200
    assert signed_in(Role.SYSADMIN).get(url).status_code == 200
    assert signed_in(Role.FRONT_DESK).get(url).status_code == 403


def test_organization_screen_saves_and_shows_the_change_in_its_history(db, location, coordinator):
    response = coordinator.post("/practice/organization/", {"name": "Valley Health", "tax_id": "12-3456789",
                                                            "npi": NPI, "phone": ""})
    assert response.status_code == 302 and _flash(response) == ["Organization saved."]
    assert Organization.objects.get().name == "Valley Health"
    page = coordinator.get("/practice/organization/").content.decode()
    assert "History of changes" in page and "Test Medical Group → Valley Health" in page


def test_organization_screen_shows_a_bad_npi_on_its_field(db, location, coordinator):
    response = coordinator.post("/practice/organization/", {"name": "Valley Health", "npi": "1234567890"})
    assert response.status_code == 422
    assert "Not a valid NPI (check digit)." in response.content.decode()
    assert Organization.objects.get().npi == ""


def test_location_new_creates_and_goes_to_its_hours(db, location, coordinator):
    response = coordinator.post("/practice/locations/new/", LOCATION)
    north = Location.objects.get(code="north")
    assert response.status_code == 302 and response["Location"] == f"/practice/locations/{north.pk}/"
    assert "Location added" in _flash(response)[0]
    assert north.time_zone == "America/Chicago"


def test_location_new_refuses_a_taken_code_on_the_field(db, location, coordinator):
    response = coordinator.post("/practice/locations/new/", LOCATION | {"code": location.code})
    assert response.status_code == 422
    assert "This code is taken." in response.content.decode()
    assert Location.objects.count() == 1


def test_location_list_pins_its_query_count(db, location, other_location, coordinator, django_assert_max_num_queries):
    for loc in (location, other_location):
        loc.hours.create(weekday=0, opens=dt.time(8), closes=dt.time(17))
    with django_assert_max_num_queries(13):  # session, user, device, locations, hours, session save
        response = coordinator.get("/practice/locations/")
    assert response.status_code == 200 and "Uptown" in response.content.decode()


def test_location_edit_saves_and_shows_the_history(db, location, coordinator):
    data = {**LOCATION, "code": location.code, "name": "Downtown Main", "active": "on"}
    response = coordinator.post(f"/practice/locations/{location.pk}/", data)
    assert response.status_code == 302
    page = coordinator.get(f"/practice/locations/{location.pk}/").content.decode()
    assert "Downtown → Downtown Main" in page


def _hours(rows):
    data = {"hours-TOTAL_FORMS": str(len(rows)), "hours-INITIAL_FORMS": "0", "hours-MIN_NUM_FORMS": "0",
            "hours-MAX_NUM_FORMS": "50"}
    for index, (day, opens, closes) in enumerate(rows):
        data |= {f"hours-{index}-weekday": day, f"hours-{index}-opens": opens, f"hours-{index}-closes": closes}
    return data


def test_location_hours_form_saves_a_lunch_break(db, location, coordinator):
    response = coordinator.post(f"/practice/locations/{location.pk}/hours/",
                                _hours([(0, "08:00", "12:00"), (0, "13:00", "17:00"), ("", "", "")]))
    assert response.status_code == 302 and _flash(response) == ["Opening hours saved."]
    assert location.hours.count() == 2
    page = coordinator.get(f"/practice/locations/{location.pk}/").content.decode()
    assert "Monday 08:00\u201312:00; Monday 13:00\u201317:00" in page  # the history, in words


def test_location_hours_form_refuses_overlaps_with_a_message(db, location, coordinator):
    response = coordinator.post(f"/practice/locations/{location.pk}/hours/",
                                _hours([(0, "08:00", "12:00"), (0, "11:00", "17:00")]))
    assert response.status_code == 422
    assert "overlap" in response.content.decode()
    assert location.hours.count() == 0


def test_location_deactivate_hides_it_from_the_list(db, location, other_location, coordinator):
    response = coordinator.post(f"/practice/locations/{other_location.pk}/deactivate/")
    assert response.status_code == 302
    assert "<td>Uptown" not in coordinator.get("/practice/locations/").content.decode()
    assert "<td>Uptown" in coordinator.get("/practice/locations/?inactive=include").content.decode()


def test_provider_new_creates_a_provider(db, location, coordinator):
    response = coordinator.post("/practice/providers/new/", {
        "first_name": "Ana", "last_name": "Ruiz", "credentials": "MD", "npi": NPI, "location_ids": [location.pk],
        "color": "#336699"})
    doctor = Practitioner.objects.get(npi=NPI)
    assert response.status_code == 302 and _flash(response) == ["Provider added."]
    assert list(doctor.locations.all()) == [location]


def test_provider_new_shows_the_npi_error_on_its_field(db, location, coordinator):
    response = coordinator.post("/practice/providers/new/", {
        "first_name": "Ana", "last_name": "Ruiz", "npi": "1234567890", "location_ids": [location.pk],
        "color": "#336699"})
    assert response.status_code == 422
    assert "Not a valid NPI (check digit)." in response.content.decode()
    assert not Practitioner.objects.exists()


def test_provider_edit_shows_the_appointment_types_and_the_history(db, location, coordinator):
    doctor = PractitionerFactory(location=location, first_name="Ana")
    AppointmentTypeFactory(code="skin", name="Skin check")
    closed = AppointmentTypeFactory(code="surgery", name="Surgery consult")
    closed.allowed_practitioners.add(PractitionerFactory(location=location))
    response = coordinator.post(f"/practice/providers/{doctor.pk}/", {
        "first_name": "Anna", "last_name": doctor.last_name, "credentials": "MD", "npi": doctor.npi,
        "location_ids": [location.pk], "color": doctor.color, "active": "on"})
    assert response.status_code == 302
    page = coordinator.get(f"/practice/providers/{doctor.pk}/").content.decode()
    assert "Skin check" in page and "Surgery consult" not in page
    assert "Ana → Anna" in page


def test_provider_deactivate_keeps_the_record(db, location, coordinator):
    doctor = PractitionerFactory(location=location)
    response = coordinator.post(f"/practice/providers/{doctor.pk}/deactivate/")
    assert response.status_code == 302 and not Practitioner.objects.get(pk=doctor.pk).active


def test_room_new_creates_and_a_duplicate_is_shown_on_the_name(db, location, coordinator):
    response = coordinator.post("/practice/rooms/new/", {"location_id": location.pk, "name": "Exam 1",
                                                         "kind": "exam"})
    assert response.status_code == 302 and _flash(response) == ["Room added."]
    response = coordinator.post("/practice/rooms/new/", {"location_id": location.pk, "name": "Exam 1",
                                                         "kind": "exam"})
    assert response.status_code == 422 and "This name is taken at the location." in response.content.decode()
    assert Room.objects.count() == 1


def test_room_edit_shows_the_change_in_the_history(db, location, coordinator):
    room = RoomFactory(location=location, name="Exam 1")
    coordinator.post(f"/practice/rooms/{room.pk}/", {"name": "Exam 9", "kind": "procedure", "active": "on"})
    page = coordinator.get(f"/practice/rooms/{room.pk}/").content.decode()
    assert "Exam 1 → Exam 9" in page


def test_equipment_edit_and_deactivate(db, location, coordinator):
    item = EquipmentFactory(location=location, name="US-1")
    response = coordinator.post(f"/practice/equipment/{item.pk}/", {"name": "US-2", "kind": "ultrasound",
                                                                    "active": "on"})
    assert response.status_code == 302 and Equipment.objects.get(pk=item.pk).name == "US-2"
    coordinator.post(f"/practice/equipment/{item.pk}/deactivate/")
    assert not Equipment.objects.get(pk=item.pk).active


def test_equipment_edit_is_refused_to_the_front_desk(db, location, signed_in):
    item = EquipmentFactory(location=location, name="US-1")
    response = signed_in(Role.FRONT_DESK).post(f"/practice/equipment/{item.pk}/", {"name": "X", "kind": "ecg"})
    assert response.status_code == 403 and Equipment.objects.get(pk=item.pk).name == "US-1"
