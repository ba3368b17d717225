"""The desk-to-provider heads-up: the desk sends a short note about a patient in a visit today; it reaches only the
visit's provider (polled inbox), who acknowledges it; every step audited. Also the alert badges on the flow board
and the schedule, with pinned query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.headsup import headsup_acknowledge, headsup_inbox, headsup_send
from clinicdesk.frontdesk.models import HeadsUp
from clinicdesk.frontdesk.services import visit_check_in
from clinicdesk.patients.models import AlertKind
from clinicdesk.patients.services import patient_alert_add
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

from .conftest import TODAY, at


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def provider_user(provider, location):
    user = UserFactory(role=Role.PROVIDER, location=location, first_name="Grace", last_name="Doctor")
    provider.user = user
    provider.save(update_fields=["user"])
    return user


@pytest.fixture
def visit(clerk, appointment, provider_user):
    return visit_check_in(actor=clerk, appointment_id=appointment.pk)


def test_headsup_send_reaches_the_provider_inbox(clerk, visit, provider_user):
    note = headsup_send(actor=clerk, visit_id=visit.pk, message="The patient in room 3 is agitated")
    assert note.recipient == provider_user
    assert [n.pk for n in headsup_inbox(actor=provider_user)] == [note.pk]
    assert AuditEntry.objects.filter(action="headsup.send", patient_id=visit.patient_id).exists()


def test_headsup_inbox_is_empty_for_anyone_else(clerk, visit, nurse):
    headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    assert headsup_inbox(actor=nurse) == [] and headsup_inbox(actor=clerk) == []


def test_headsup_delivery_is_audited_once(clerk, visit, provider_user):
    headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    headsup_inbox(actor=provider_user)
    headsup_inbox(actor=provider_user)
    assert AuditEntry.objects.filter(action="headsup.deliver").count() == 1


def test_headsup_acknowledge_by_the_provider_clears_it(clerk, visit, provider_user):
    note = headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    headsup_acknowledge(actor=provider_user, headsup_id=note.pk)
    assert headsup_inbox(actor=provider_user) == []
    assert AuditEntry.objects.filter(action="headsup.acknowledge").count() == 1


def test_headsup_acknowledge_by_someone_else_is_not_found(clerk, visit, nurse):
    note = headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    with pytest.raises(NotFound):
        headsup_acknowledge(actor=nurse, headsup_id=note.pk)
    note.refresh_from_db()
    assert note.acknowledged_at is None


def test_headsup_send_refuses_a_clerk_of_another_location(visit, other_location):
    elsewhere = UserFactory(role=Role.FRONT_DESK, location=other_location)
    with pytest.raises(PermissionDenied) as error:
        headsup_send(actor=elsewhere, visit_id=visit.pk, message="Agitated")
    assert error.value.status == 404
    assert not HeadsUp.objects.exists()


def test_headsup_send_refuses_an_outsider(visit, stranger):
    with pytest.raises(PermissionDenied) as error:
        headsup_send(actor=stranger, visit_id=visit.pk, message="Agitated")
    assert error.value.status == 403
    assert not HeadsUp.objects.exists()


@pytest.mark.parametrize("message", ["", "   ", "x" * 201, "a\x00b"])
def test_headsup_send_refuses_a_bad_note_and_writes_nothing(clerk, visit, message):
    with pytest.raises(ValidationFailed):
        headsup_send(actor=clerk, visit_id=visit.pk, message=message)
    assert not HeadsUp.objects.exists()


def test_headsup_send_refuses_a_provider_without_a_user(clerk, appointment):
    visit = visit_check_in(actor=clerk, appointment_id=appointment.pk)
    with pytest.raises(ValidationFailed):
        headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    assert not HeadsUp.objects.exists()


# --- screens --------------------------------------------------------------------------------------------------

def test_headsup_screen_sends_and_the_provider_sees_it_within_a_poll(clerk, visit, provider_user):
    response = _client(clerk).post(f"/frontdesk/visits/{visit.pk}/heads-up", {"message": "Room 3: agitated"})
    assert response.status_code == 302
    provider = _client(provider_user)
    inbox = provider.get("/frontdesk/heads-up/inbox")
    assert inbox.status_code == 200 and "Room 3: agitated" in inbox.content.decode()
    note = HeadsUp.objects.get()
    assert provider.post(f"/frontdesk/heads-up/{note.pk}/acknowledge", HTTP_HX_REQUEST="true").status_code == 200
    assert "Room 3: agitated" not in provider.get("/frontdesk/heads-up/inbox").content.decode()


def test_headsup_inbox_stops_polling_for_a_non_provider(clerk, visit):
    headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    response = _client(clerk).get("/frontdesk/heads-up/inbox")
    assert response.status_code == 286 and b"Agitated" not in response.content


def test_headsup_screen_from_the_chart_finds_todays_visit(clerk, visit):
    response = _client(clerk).get(f"/frontdesk/patients/{visit.patient_id}/heads-up")
    assert response.status_code == 302 and response.url.endswith(f"/visits/{visit.pk}/heads-up")


def test_headsup_screen_is_hidden_from_another_location(visit, other_location):
    elsewhere = UserFactory(role=Role.FRONT_DESK, location=other_location)
    assert _client(elsewhere).get(f"/frontdesk/visits/{visit.pk}/heads-up").status_code == 404


def test_headsup_screen_refuses_a_bad_note(clerk, visit):
    assert _client(clerk).post(f"/frontdesk/visits/{visit.pk}/heads-up", {"message": ""}).status_code == 422
    assert not HeadsUp.objects.exists()


# --- alert badges on the board and the schedule, queries pinned ------------------------------------------------

def _alerted_visits(n, *, clerk, location, provider, follow_up_type, start_hour):
    kinds = list(AlertKind.objects.order_by("pk"))
    for i in range(n):
        patient = PatientFactory(home_location=location)
        for kind in kinds[:2]:
            patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=kind.pk, reason="r", detail="Spanish")
        appointment = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                         appointment_type=follow_up_type, start=at(start_hour + i))
        visit_check_in(actor=clerk, appointment_id=appointment.pk)


@pytest.mark.parametrize("url", ["/frontdesk/board/?location={pk}", "/frontdesk/board/rows?location={pk}",
                                 "/schedule/day/?location={pk}&day=" + TODAY.isoformat()])
def test_board_and_day_show_alerts_in_a_constant_number_of_queries(url, clerk, location, provider, follow_up_type,
                                                                    clock):
    client = _client(clerk)
    url = url.format(pk=location.pk)
    _alerted_visits(1, clerk=clerk, location=location, provider=provider, follow_up_type=follow_up_type,
                    start_hour=11)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200 and "alert-chip" in response.content.decode()
    _alerted_visits(4, clerk=clerk, location=location, provider=provider, follow_up_type=follow_up_type,
                    start_hour=13)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_board_card_names_the_alert_for_screen_readers(clerk, location, provider, follow_up_type, clock):
    _alerted_visits(1, clerk=clerk, location=location, provider=provider, follow_up_type=follow_up_type,
                    start_hour=11)
    page = _client(clerk).get(f"/frontdesk/board/?location={location.pk}").content.decode()
    assert "Behaviour" in page and 'aria-label="Patient alerts"' in page and "Heads-up" in page


def test_headsup_acknowledge_without_htmx_goes_back_to_a_local_page_only(clerk, visit, provider_user):
    note = headsup_send(actor=clerk, visit_id=visit.pk, message="Agitated")
    response = _client(provider_user).post(f"/frontdesk/heads-up/{note.pk}/acknowledge",
                                           {"next": "//evil.example/x"})
    assert response.status_code == 302 and "evil" not in response.url
