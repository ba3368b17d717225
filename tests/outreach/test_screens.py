"""The screens and the JSON API over the same services: create an event from the form, register, take
attendance at the door; the API's registrations and its refusals."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.core.permissions import Role
from clinicdesk.outreach.models import Event, Registration
from clinicdesk.outreach.services import registration_add


def test_the_form_creates_a_bilingual_event_shown_in_the_users_language(signed_in, location, clock):
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    answer = coordinator.post("/outreach/events/new/", {
        "location": location.pk, "kind": "asthma", "title_en": "Asthma at home", "title_es": "El asma en casa",
        "day": "2026-12-02", "time": "17:30", "duration_minutes": "60", "capacity": "10", "audience": "public"})
    event = Event.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/outreach/events/{event.pk}/"
    assert event.start.isoformat() == "2026-12-02T22:30:00+00:00"  # 17:30 in New York
    spanish = signed_in(Role.FRONT_DESK, at=location, language="es")
    assert "El asma en casa" in spanish.get(f"/outreach/?location={location.pk}").content.decode()


def test_the_form_refuses_a_missing_title_with_422_and_writes_nothing(signed_in, location, clock):
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    answer = coordinator.post("/outreach/events/new/", {"location": location.pk, "kind": "asthma", "title_en": "A",
                                                        "day": "2026-12-02", "time": "17:30", "capacity": "10",
                                                        "duration_minutes": "60", "audience": "public"})
    assert answer.status_code == 422 and not Event.objects.exists()


def test_the_event_page_registers_and_the_door_ticks_names(signed_in, location, make_event, people):
    desk = signed_in(Role.FRONT_DESK, at=location)
    event = make_event(capacity=1)
    for patient in people[:2]:
        desk.post(f"/outreach/events/{event.pk}/register/", {"patient": patient.pk})
    page = desk.get(f"/outreach/events/{event.pk}/").content.decode()
    assert 'id="waitlist"' in page and people[1].display_name in page
    placed = Registration.objects.get(patient=people[0])
    desk.post(f"/outreach/registrations/{placed.pk}/attend/", {"present": "1"})
    assert Registration.objects.get(pk=placed.pk).attended
    assert "1 of 1 present" in desk.get(f"/outreach/events/{event.pk}/door/").content.decode()


def test_the_event_list_takes_a_fixed_number_of_queries(signed_in, location, make_event, people, clerk):
    desk = signed_in(Role.FRONT_DESK, at=location)
    make_event()
    desk.get(f"/outreach/?location={location.pk}")
    with CaptureQueriesContext(connection) as one:
        desk.get(f"/outreach/?location={location.pk}")
    for _ in range(3):
        registration_add(actor=clerk, event=make_event(), patient=people[0])
    with CaptureQueriesContext(connection) as four:
        desk.get(f"/outreach/?location={location.pk}")
    assert len(four) == len(one)


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_api_registers_to_the_waitlist_when_full_and_refuses_a_contact_without_a_name(
        signed_in, location, make_event, people):
    desk = signed_in(Role.FRONT_DESK, at=location)
    event = make_event(capacity=1)
    first = _post(desk, f"/api/v1/events/{event.pk}/registrations", {"patient": people[0].pk})
    second = _post(desk, f"/api/v1/events/{event.pk}/registrations", {"patient": people[1].pk})
    assert (first.status_code, first.json()["status"]) == (201, "confirmed")
    assert (second.status_code, second.json()["status"]) == (201, "waitlisted")
    again = _post(desk, f"/api/v1/events/{event.pk}/registrations", {"patient": people[0].pk})
    assert (again.status_code, again.json()["code"]) == (409, "already-registered")
    nameless = _post(desk, f"/api/v1/events/{event.pk}/registrations", {"email": "x@example.org"})
    assert nameless.status_code == 422 and "givenName" in nameless.json()["errors"]
    listed = desk.get(f"/api/v1/events/{event.pk}/registrations").json()["items"]
    assert [r["status"] for r in listed] == ["confirmed", "waitlisted"]


def test_the_api_describes_the_event_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/events", "/api/v1/events/{pk}/registrations",
            "/api/v1/event-registrations/{pk}/attendance"} <= set(paths)
