import json

import pytest
from django.test import Client

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment

from .conftest import TUESDAY, at


@pytest.fixture
def api(clerk):
    client = Client(enforce_csrf_checks=False)
    client.force_login(clerk)
    return client


def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def _booking(location, provider, follow_up, patient, start):
    return {"patient": patient.pk, "practitioner": provider.pk, "location": location.pk,
            "appointmentType": follow_up.pk, "start": start.isoformat()}


def test_api_books_and_replays_with_the_idempotency_key(db, clock, api, location, provider, follow_up, patient):
    body = _booking(location, provider, follow_up, patient, at(TUESDAY, 9))
    first = _post(api, "/api/v1/appointments", body, HTTP_IDEMPOTENCY_KEY="abc")
    again = _post(api, "/api/v1/appointments", body, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Appointment.objects.count() == 1


def test_api_answers_slot_taken_with_a_409_problem(db, clock, api, location, provider, follow_up, patient):
    from tests.factories import PatientFactory

    _post(api, "/api/v1/appointments", _booking(location, provider, follow_up, patient, at(TUESDAY, 9)))
    taken = _post(api, "/api/v1/appointments", _booking(location, provider, follow_up,
                                                        PatientFactory(home_location=location), at(TUESDAY, 9, 10)))
    assert taken.status_code == 409
    assert taken["Content-Type"] == "application/problem+json"
    assert taken.json()["code"] == "slot-taken"


def test_api_refuses_bad_input_with_a_422_and_reason(db, clock, api, location, provider, follow_up, patient):
    body = _booking(location, provider, follow_up, patient, at(TUESDAY, 9))
    body["end"] = at(TUESDAY, 8).isoformat()
    answer = _post(api, "/api/v1/appointments", body)
    assert answer.status_code == 422 and answer.json()["code"] == "end-before-start"
    assert _post(api, "/api/v1/appointments", {"patient": "x"}).status_code == 422
    assert Appointment.objects.count() == 0


def test_api_search_cancel_and_reschedule(db, clock, api, location, provider, follow_up, patient):
    found = _post(api, "/api/v1/appointments/search", {"appointmentType": follow_up.pk, "location": location.pk,
                                                        "from": TUESDAY.isoformat(), "limit": 3}).json()["options"]
    assert len(found) == 3 and found[0]["reasons"]
    booked = _post(api, "/api/v1/appointments", _booking(location, provider, follow_up, patient,
                                                         at(TUESDAY, 9))).json()
    moved = _post(api, f"/api/v1/appointments/{booked['id']}/reschedule", {"start": at(TUESDAY, 10).isoformat()})
    assert moved.status_code == 200 and moved.json()["start"] == at(TUESDAY, 10).isoformat()
    cancelled = _post(api, f"/api/v1/appointments/{booked['id']}/cancel", {"reason": "Sick"})
    assert cancelled.json()["status"] == "cancelled"
    bad = _post(api, f"/api/v1/appointments/{booked['id']}/status", {"status": "booked"})
    assert bad.status_code == 409 and bad.json()["code"] == "invalid-transition"


def test_api_hides_other_locations_and_refuses_anonymous(db, clock, signed_in, other_location, location, provider,
                                                          follow_up, patient, clerk):
    from clinicdesk.scheduling.services import BookingRequest, appointment_book

    appointment = appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
        appointment_type_id=follow_up.pk, start=at(TUESDAY, 9)))
    stranger = signed_in(Role.FRONT_DESK, at=other_location)
    assert stranger.get(f"/api/v1/appointments/{appointment.pk}").status_code == 404
    assert _post(stranger, "/api/v1/appointments", _booking(location, provider, follow_up, patient,
                                                            at(TUESDAY, 11))).status_code == 403
    assert Client().post("/api/v1/appointments", "{}", content_type="application/json").status_code in (401, 403)
