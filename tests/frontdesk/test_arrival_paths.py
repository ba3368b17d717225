"""Arrival and check-in have one path: whichever face marks an appointment arrived or checked in (the
calendar panel, the JSON API, FHIR, the desk), scheduling's status move announces it inside its transaction
and the front desk opens or advances the visit with it. Arrival is refused outside the appointment's day at
its location, on every face, with nothing written; screens offer only the moves that are valid now."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid

import pytest
from django.test import Client

from clinicdesk.audit.models import AuditEntry
from clinicdesk.frontdesk.models import Visit, VisitStatus
from clinicdesk.frontdesk.selectors import flow_board
from clinicdesk.frontdesk.services import visit_check_in
from clinicdesk.scheduling.models import Appointment, AppointmentHistory, AppointmentStatus
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import TODAY, at

FHIR_JSON = "application/fhir+json"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _waiting(clerk, location) -> list[int]:
    board = {c.key: c for c in flow_board(actor=clerk, location=location)}
    return [v.appointment_id for v in board["waiting"].visits]


# --- the faces ---------------------------------------------------------------------------------------

def _panel(clerk, appointment, status):
    return _client(clerk).post(f"/schedule/appointments/{appointment.pk}/status/", {"status": status})


def _api(clerk, appointment, status):
    return _client(clerk).post(f"/api/v1/appointments/{appointment.pk}/status", json.dumps({"status": status}),
                               content_type="application/json")


def _fhir_token(user) -> str:
    """A SMART app acting for the clerk (token issued straight to the user, as tests/fhir does)."""
    from oauth2_provider.models import AccessToken, get_application_model

    from tests.fhir.conftest import register_client

    client_id, _secret = register_client(f"desk-app-{uuid.uuid4().hex[:8]}", "user/Appointment.cruds",
                                         user_app=True, redirect_uri="https://app.example/cb")
    application = get_application_model().objects.get(client_id=client_id)
    return AccessToken.objects.create(user=user, application=application, token=f"tok-{uuid.uuid4().hex}",
                                      scope="user/Appointment.cruds",
                                      expires=dt.datetime(2099, 1, 1, tzinfo=dt.UTC)).token


def _fhir_update(clerk, appointment, status):
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_fhir_token(clerk)}"}
    current = client.get(f"/fhir/r4/Appointment/{appointment.pk}", **auth)
    assert current.status_code == 200, current.content
    resource = dict(current.json(), status=status)
    resource.pop("meta", None)
    return client.put(f"/fhir/r4/Appointment/{appointment.pk}", json.dumps(resource), content_type=FHIR_JSON, **auth)


def _fhir_patch(clerk, appointment, status):
    return Client().patch(f"/fhir/r4/Appointment/{appointment.pk}",
                          json.dumps([{"op": "replace", "path": "/status", "value": status}]),
                          content_type="application/json-patch+json",
                          HTTP_AUTHORIZATION=f"Bearer {_fhir_token(clerk)}")


FACES = {"calendar panel": _panel, "JSON API": _api, "FHIR update": _fhir_update, "FHIR patch": _fhir_patch}


@pytest.mark.parametrize("face", FACES)
def test_marking_arrived_on_any_face_opens_the_visit_and_the_desk_checks_in(face, clerk, appointment, location,
                                                                            clock):
    response = FACES[face](clerk, appointment, "arrived")
    assert response.status_code == 200, response.content
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ARRIVED
    visit = Visit.objects.get(appointment=appointment)
    assert visit.status == VisitStatus.ARRIVED and visit.arrived_at == clock.now() and visit.day == TODAY
    assert _waiting(clerk, location) == [appointment.pk]
    checked = visit_check_in(actor=clerk, appointment_id=appointment.pk, demographics=True)
    assert checked.pk == visit.pk and checked.status == VisitStatus.CHECKED_IN
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


@pytest.mark.parametrize("face", FACES)
def test_marking_checked_in_on_any_face_puts_the_patient_in_the_waiting_room(face, clerk, appointment, location,
                                                                             clock):
    response = FACES[face](clerk, appointment, "checked-in")
    assert response.status_code == 200, response.content
    visit = Visit.objects.get(appointment=appointment)
    assert visit.status == VisitStatus.CHECKED_IN and visit.checked_in_at == clock.now()
    assert list(visit.events.values_list("to_status", flat=True)) == ["arrived", "checked-in"]
    assert _waiting(clerk, location) == [appointment.pk]


def test_the_desk_check_in_after_a_calendar_arrival_keeps_one_visit(clerk, appointment, clock):
    assert _panel(clerk, appointment, "arrived").status_code == 200
    response = _client(clerk).post(f"/frontdesk/appointments/{appointment.pk}/check-in", {"demographics": "on"},
                                   follow=True)
    assert "cannot be checked in" not in response.content.decode()
    assert Visit.objects.get().status == VisitStatus.CHECKED_IN


def test_an_appointment_arrived_without_a_visit_can_still_be_checked_in_at_the_desk(clerk, appointment, location,
                                                                                   clock):
    """Rows marked arrived before every face opened a visit: the desk opens it instead of refusing."""
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.ARRIVED)
    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk)
    assert visit.status == VisitStatus.CHECKED_IN
    assert _waiting(clerk, location) == [appointment.pk]


def test_undoing_an_arrival_on_the_calendar_takes_the_patient_off_the_board(clerk, appointment, location, clock):
    assert _panel(clerk, appointment, "arrived").status_code == 200
    assert _panel(clerk, appointment, "booked").status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Visit.objects.exists() and _waiting(clerk, location) == []
    assert AuditEntry.objects.filter(action="visit.undo_arrival").exists()


def test_arrival_late_in_the_local_evening_counts_as_today(clerk, location, provider, patient, follow_up_type,
                                                           clock):
    """21:00 in New York is already tomorrow in UTC: the location's day decides."""
    evening = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                 appointment_type=follow_up_type, start=at(16, 40))
    Appointment.objects.filter(pk=evening.pk).update(start=at(21), end=at(21, 20))
    assert at(21).date() != TODAY
    assert _api(clerk, evening, "arrived").status_code == 200
    assert Visit.objects.get().day == TODAY


# --- refused outside the day, on every face, with nothing written ---------------------------------------

@pytest.mark.parametrize("status", ["arrived", "checked-in"])
@pytest.mark.parametrize("face", [*FACES, "desk"])
def test_arrival_three_days_ahead_is_refused_on_every_face_and_writes_nothing(face, status, clerk, location,
                                                                             provider, patient, follow_up_type,
                                                                             clock):
    ahead = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                               appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=3)))
    history, audit = AppointmentHistory.objects.count(), AuditEntry.objects.filter(action__startswith="visit").count()
    if face == "desk":
        url = "arrive" if status == "arrived" else "check-in"
        response = _client(clerk).post(f"/frontdesk/appointments/{ahead.pk}/{url}", follow=True)
        assert "only today&#x27;s appointments can be marked arrived or checked in" in response.content.decode()
    else:
        response = FACES[face](clerk, ahead, status)
        assert response.status_code == 422, response.content
        assert "only today's appointments can be marked arrived or checked in" in html.unescape(
            response.content.decode())
    ahead.refresh_from_db()
    assert ahead.status == AppointmentStatus.BOOKED
    assert not Visit.objects.exists()
    assert AppointmentHistory.objects.count() == history
    assert AuditEntry.objects.filter(action__startswith="visit").count() == audit
    assert not AuditEntry.objects.filter(action="appointment.status").exists()


def test_yesterdays_appointment_cannot_be_marked_arrived_either(clerk, location, provider, patient, follow_up_type,
                                                              clock):
    past = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                              appointment_type=follow_up_type, start=at(9, day=TODAY - dt.timedelta(days=1)))
    assert _api(clerk, past, "arrived").json()["code"] == "not-today"
    assert not Visit.objects.exists()


# --- screens offer only the moves that are valid now -----------------------------------------------------

def _row(page: str, appointment) -> str:
    match = re.search(rf'<tr data-appointment="{appointment.pk}">(.*?)</tr>', page, re.S)
    assert match, f"no row for appointment {appointment.pk}"
    return match.group(1)


def test_arrivals_offers_no_check_in_on_fulfilled_or_no_show_rows(clerk, location, provider, follow_up_type,
                                                                  appointment, clock):
    def today(hour: int, status: str) -> Appointment:
        item = AppointmentFactory(location=location, practitioner=provider, patient=PatientFactory(
            home_location=location), appointment_type=follow_up_type, start=at(hour))
        Appointment.objects.filter(pk=item.pk).update(status=status)
        return item

    fulfilled, noshow = today(8, AppointmentStatus.FULFILLED), today(9, AppointmentStatus.NOSHOW)
    page = _client(clerk).get(f"/frontdesk/?location={location.pk}").content.decode()
    for row in (_row(page, fulfilled), _row(page, noshow)):
        assert "Check in" not in row and "Arrived</button>" not in row
    booked = _row(page, appointment)
    assert "Check in" in booked and "Arrived</button>" in booked


def test_arrivals_offers_check_in_but_not_arrival_once_arrived(clerk, location, appointment, clock):
    assert _panel(clerk, appointment, "arrived").status_code == 200
    row = _row(_client(clerk).get(f"/frontdesk/?location={location.pk}").content.decode(), appointment)
    assert "Check in" in row and "Arrived</button>" not in row


def _offered(page: str) -> set[str]:
    return set(re.findall(r'name="status" value="([^"]+)"', page))


def test_calendar_panel_offers_only_the_moves_valid_now(clerk, location, provider, patient, follow_up_type,
                                                       appointment, clock):
    client = _client(clerk)
    ahead = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                               appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=3)))
    assert _offered(client.get(f"/schedule/appointments/{ahead.pk}/").content.decode()) == set()
    today = client.get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    assert _offered(today) == {"arrived", "checked-in"}  # not started yet: no no-show
    assert "Mark arrived" in today and "Mark checked in" in today
    clock.advance(dt.timedelta(hours=1))  # started now (a fresh sign-in: the idle timer ran out meanwhile)
    assert _offered(_client(clerk).get(f"/schedule/appointments/{appointment.pk}/").content.decode()) == {
        "arrived", "checked-in", "noshow"}


def test_calendar_panel_and_arrivals_compute_from_the_same_table(clerk, appointment, clock):
    from clinicdesk.scheduling.services import appointment_moves

    assert appointment_moves(appointment) == ["arrived", "checked-in", "cancelled", "entered-in-error"]
    assert _panel(clerk, appointment, "checked-in").status_code == 200
    appointment.refresh_from_db()
    assert appointment_moves(appointment) == ["fulfilled", "entered-in-error"]
