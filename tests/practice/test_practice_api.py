"""The practice set-up in the JSON API: create 201, PATCH changes only what is sent, 422 naming the member,
deactivate, the weekly hours operation, who may use it, and its description in the OpenAPI document."""

import pytest

from clinicdesk.core import openapi
from clinicdesk.core.identifiers import npi_complete
from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import Equipment, Location, Organization, Practitioner, Room
from tests.factories import EquipmentFactory, PractitionerFactory, RoomFactory

NPI = npi_complete("123456789")
JSON = "application/json"


@pytest.fixture
def api(signed_in):
    return signed_in(Role.PRACTICE_COORDINATOR)


def test_rooms_api_creates_a_room(db, location, api):
    response = api.post("/api/v1/rooms", {"location": location.pk, "name": "Exam 7", "kind": "exam"},
                        content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Exam 7" and body["location"] == location.pk and body["active"] is True
    assert Room.objects.filter(name="Exam 7").exists()


def test_rooms_api_patch_changes_only_the_members_sent(db, location, api):
    room = RoomFactory(location=location, name="Exam 1", kind="exam")
    response = api.patch(f"/api/v1/rooms/{room.pk}", {"kind": "procedure"}, content_type=JSON)
    assert response.status_code == 200
    room.refresh_from_db()
    assert (room.name, room.kind) == ("Exam 1", "procedure")


def test_rooms_api_refuses_a_bad_kind_naming_the_member(db, location, api):
    response = api.post("/api/v1/rooms", {"location": location.pk, "name": "Exam 7", "kind": "kitchen"},
                        content_type=JSON)
    assert response.status_code == 422 and "kind" in response.json()["errors"]
    assert not Room.objects.exists()


def test_rooms_api_duplicate_is_a_conflict(db, location, api):
    RoomFactory(location=location, name="Exam 1")
    response = api.post("/api/v1/rooms", {"location": location.pk, "name": "Exam 1", "kind": "exam"},
                        content_type=JSON)
    assert response.status_code == 409 and response.json()["code"] == "duplicate-room"


def test_rooms_api_deactivates_and_lists_inactive_only_when_asked(db, location, api):
    room = RoomFactory(location=location)
    assert api.post(f"/api/v1/rooms/{room.pk}/deactivate").json()["active"] is False
    assert api.get("/api/v1/rooms").json()["items"] == []
    assert [r["id"] for r in api.get("/api/v1/rooms?inactive=include").json()["items"]] == [room.pk]


def test_rooms_api_is_refused_to_the_front_desk(db, location, signed_in):
    desk = signed_in(Role.FRONT_DESK)
    assert desk.get("/api/v1/rooms").status_code == 403
    response = desk.post("/api/v1/rooms", {"location": location.pk, "name": "X", "kind": "exam"}, content_type=JSON)
    assert response.status_code == 403 and not Room.objects.exists()


def test_equipment_api_creates_and_patches(db, location, api):
    created = api.post("/api/v1/equipment", {"location": location.pk, "name": "ECG-1", "kind": "ecg"},
                       content_type=JSON)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api.patch(f"/api/v1/equipment/{pk}", {"name": "ECG-2"}, content_type=JSON).json()["kind"] == "ecg"
    assert Equipment.objects.get(pk=pk).name == "ECG-2"


def test_equipment_api_deactivates(db, location, api):
    item = EquipmentFactory(location=location)
    assert api.post(f"/api/v1/equipment/{item.pk}/deactivate").status_code == 200
    assert not Equipment.objects.get(pk=item.pk).active


def test_practitioners_api_creates_with_a_valid_npi(db, location, api):
    response = api.post("/api/v1/practitioners", {"firstName": "Ana", "lastName": "Ruiz", "npi": NPI,
                                                  "locations": [location.pk]}, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["locations"] == [location.pk] and response.json()["color"] == "#2f6f9f"


def test_practitioners_api_refuses_a_bad_npi_naming_the_member(db, location, api):
    response = api.post("/api/v1/practitioners", {"firstName": "Ana", "lastName": "Ruiz", "npi": "1234567890",
                                                  "locations": [location.pk]}, content_type=JSON)
    assert response.status_code == 422 and "npi" in response.json()["errors"]
    assert not Practitioner.objects.exists()


def test_practitioners_api_refuses_a_quoted_number(db, location, api):
    doctor = PractitionerFactory(location=location)
    response = api.patch(f"/api/v1/practitioners/{doctor.pk}", {"maxPatientAge": "17"}, content_type=JSON)
    assert response.status_code == 422 and "maxPatientAge" in response.json()["errors"]


def test_practitioners_api_patch_clears_a_nullable_member_and_keeps_the_rest(db, location, api):
    doctor = PractitionerFactory(location=location, max_patient_age=17, first_name="Ana")
    body = api.patch(f"/api/v1/practitioners/{doctor.pk}", {"maxPatientAge": None}, content_type=JSON).json()
    assert body["maxPatientAge"] is None and body["firstName"] == "Ana"


def test_practitioners_api_deactivates(db, location, api):
    doctor = PractitionerFactory(location=location)
    assert api.post(f"/api/v1/practitioners/{doctor.pk}/deactivate").json()["active"] is False


def test_locations_api_creates_and_refuses_an_unknown_zone(db, location, api):
    body = {"code": "north", "name": "North", "addressLine": "9 Elm St", "city": "Springfield", "state": "MA",
            "postalCode": "01103", "phone": "(413) 555-0101", "timeZone": "Mars/Olympus"}
    refused = api.post("/api/v1/locations", body, content_type=JSON)
    assert refused.status_code == 422 and "time_zone" in refused.json()["errors"]
    created = api.post("/api/v1/locations", body | {"timeZone": "America/Denver"}, content_type=JSON)
    assert created.status_code == 201 and created.json()["timeZone"] == "America/Denver"


def test_locations_api_patch_and_deactivate(db, location, other_location, api):
    assert api.patch(f"/api/v1/locations/{other_location.pk}", {"name": "Uptown East"},
                     content_type=JSON).json()["city"] == other_location.city
    assert api.post(f"/api/v1/locations/{other_location.pk}/deactivate").json()["active"] is False
    assert not Location.objects.get(pk=other_location.pk).active


def test_location_hours_api_replaces_the_week(db, location, api):
    week = {"hours": [{"weekday": 0, "opens": "08:00", "closes": "12:00"},
                      {"weekday": 0, "opens": "13:00", "closes": "17:00"}]}
    response = api.put(f"/api/v1/locations/{location.pk}/hours", week, content_type=JSON)
    assert response.status_code == 200 and response.json()["hours"] == week["hours"]
    assert api.get(f"/api/v1/locations/{location.pk}/hours").json()["hours"] == week["hours"]


def test_location_hours_api_refuses_overlaps_and_bad_members(db, location, api):
    overlap = {"hours": [{"weekday": 0, "opens": "08:00", "closes": "12:00"},
                         {"weekday": 0, "opens": "11:00", "closes": "17:00"}]}
    assert api.put(f"/api/v1/locations/{location.pk}/hours", overlap, content_type=JSON).status_code == 422
    bad = api.put(f"/api/v1/locations/{location.pk}/hours", {"hours": [{"weekday": "0", "opens": "08:00",
                                                                        "closes": "12:00"}]}, content_type=JSON)
    assert bad.status_code == 422 and "hours[0].weekday" in bad.json()["errors"]
    assert location.hours.count() == 0


def test_location_hours_api_is_refused_to_the_front_desk(db, location, signed_in):
    desk = signed_in(Role.FRONT_DESK)
    response = desk.put(f"/api/v1/locations/{location.pk}/hours", {"hours": []}, content_type=JSON)
    assert response.status_code == 403


def test_organizations_api_reads_and_patches_the_one_organization(db, location, api):
    org = location.organization
    assert [o["id"] for o in api.get("/api/v1/organizations").json()["items"]] == [org.pk]
    response = api.patch(f"/api/v1/organizations/{org.pk}", {"npi": NPI}, content_type=JSON)
    assert response.status_code == 200 and response.json()["name"] == org.name
    assert Organization.objects.get().npi == NPI
    assert api.post("/api/v1/organizations", {"name": "Second"}, content_type=JSON).status_code == 405


def test_practice_api_operations_are_described_with_the_methods_they_answer(db, client):
    document = openapi.document()["paths"]
    mine = [p for p in document if p.split("/")[3] in {"organizations", "locations", "practitioners", "rooms",
                                                       "equipment"}]
    assert "/api/v1/locations/{pk}/hours" in mine and len(mine) == 15
    for path in mine:
        answer = client.generic("OPTIONS", path.replace("{pk}", "1"))
        assert answer.status_code == 405, path
        assert {m.strip().lower() for m in answer["Allow"].split(",")} == set(document[path]), path
