"""Surgery and procedure readiness (#18 item 8): the per-type list, the packet with who confirmed each item, the
patient's copy through the outbox with a signed acknowledgement link, the coordinator's 14-day board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.models import Message
from clinicdesk.core.exceptions import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.insurance import care_selectors, services
from clinicdesk.insurance.models import ReadinessItem, ReadinessPacket, ReadinessTemplateItem
from clinicdesk.patients.models import Document
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory

TODAY = dt.date(2026, 11, 23)  # the clock fixture


@pytest.fixture
def surgery(db):
    return AppointmentTypeFactory(code="knee-arthroscopy", name="Knee arthroscopy", duration_minutes=60)


@pytest.fixture
def book(location, provider, surgery):
    def make(patient=None, *, days=5, hour=14):
        patient = patient or PatientFactory(home_location=location, given_name="Ana", email="ana@example.org",
                                            email_opt_in=True, preferred_language="es")
        day = TODAY + dt.timedelta(days=days)
        return AppointmentFactory(patient=patient, location=location, practitioner=provider, appointment_type=surgery,
                                  start=dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC))
    return make


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PATIENT_COORDINATOR, at=location)


def _document(patient, user):
    from clinicdesk.core import clock

    return Document.objects.create(patient=patient, kind="lab-report", document_date=TODAY, storage_name="x",
                                   content_type="application/pdf", size=10, sha256="0" * 64, uploaded_by=user,
                                   uploaded_at=clock.now())


def test_template_save_replaces_the_list_and_is_for_editors_only(clock, coordinator, make_user, surgery):
    editor = make_user(Role.PRACTICE_COORDINATOR)
    services.readiness_template_save(actor=editor, appointment_type_id=surgery.pk, items=[
        services.TemplateItemInput(kind="labs"), services.TemplateItemInput(kind="other", label="Stop aspirin")])
    assert list(ReadinessTemplateItem.objects.values_list("kind", flat=True)) == ["labs", "other"]
    with pytest.raises(ValidationFailed):
        services.readiness_template_save(actor=editor, appointment_type_id=surgery.pk,
                                         items=[services.TemplateItemInput(kind="other")])
    assert ReadinessTemplateItem.objects.count() == 2  # the refusal wrote nothing
    with pytest.raises(PermissionDenied):
        services.readiness_template_save(actor=coordinator, appointment_type_id=surgery.pk, items=[])


def test_packet_opens_from_the_standard_list_once_per_visit(clock, coordinator, book):
    appointment = book()
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=appointment.pk)
    assert services.readiness_packet_open(actor=coordinator, appointment_id=appointment.pk) == packet
    kinds = list(packet.items.values_list("kind", flat=True))
    assert kinds == ["clearance", "labs", "imaging", "consent", "anaesthesia", "instructions", "ride"]
    assert packet.items.get(kind="instructions").instructions_es.startswith("No coma")


def test_item_confirmation_keeps_who_when_and_the_document(clock, coordinator, book):
    appointment = book()
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=appointment.pk)
    item = packet.items.get(kind="labs")
    document = _document(appointment.patient, coordinator)
    done = services.readiness_item_set(actor=coordinator, item_id=item.pk, status="done", document_id=document.pk)
    assert (done.status, done.confirmed_by, done.document) == ("done", coordinator, document)
    assert done.confirmed_at == clock.now()
    with pytest.raises(InvalidTransition):
        services.readiness_item_set(actor=coordinator, item_id=item.pk, status="waived")
    reopened = services.readiness_item_set(actor=coordinator, item_id=item.pk, status="pending")
    assert reopened.confirmed_by is None and reopened.document is None


def test_item_refuses_another_patients_document(clock, coordinator, book, location):
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=book().pk)
    other = _document(PatientFactory(home_location=location), coordinator)
    item = packet.items.first()
    with pytest.raises(ValidationFailed):
        services.readiness_item_set(actor=coordinator, item_id=item.pk, status="done", document_id=other.pk)
    assert ReadinessItem.objects.get(pk=item.pk).status == "pending"


def test_another_locations_user_cannot_see_or_change_a_packet(clock, coordinator, book, make_user, other_location):
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=book().pk)
    stranger = make_user(Role.PATIENT_COORDINATOR, at=other_location)
    with pytest.raises(NotFound):
        care_selectors.readiness_packet_detail(actor=stranger, packet_id=packet.pk)
    with pytest.raises(NotFound):
        services.readiness_item_set(actor=stranger, item_id=packet.items.first().pk, status="done")


def test_send_queues_the_patients_language_with_a_link_and_the_link_acknowledges(clock, coordinator, book, client):
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=book().pk)
    services.readiness_packet_send(actor=coordinator, packet_id=packet.pk, channel="email")
    message = Message.objects.get(patient=packet.patient)
    assert message.language == "es" and "No coma" in message.body
    url = next(word for word in message.body.split() if "/insurance/ready/" in word)
    token = url.split("/insurance/ready/")[1].strip("/")
    assert url.endswith(f"/insurance/ready/{token}/") and packet.patient.family_name not in url  # only the token
    page = client.get(f"/insurance/ready/{token}/")
    assert page.status_code == 200 and 'lang="es"' in page.content.decode() and "No coma" in page.content.decode()
    assert client.post(f"/insurance/ready/{token}/").status_code == 200
    assert ReadinessPacket.objects.get(pk=packet.pk).acknowledged_at == clock.now()
    assert AuditEntry.objects.filter(action="readiness.acknowledge").count() == 1


def test_a_replaced_altered_or_expired_link_is_refused(clock, coordinator, book, client):
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=book().pk)
    old = services.link_url(packet).rsplit("/ready/", 1)[1].strip("/")
    services.readiness_packet_send(actor=coordinator, packet_id=packet.pk, channel="email")
    assert client.get(f"/insurance/ready/{old}/").status_code == 404
    assert client.get(f"/insurance/ready/{old[:-2]}xx/").status_code == 404
    fresh = services.link_url(ReadinessPacket.objects.get(pk=packet.pk)).rsplit("/ready/", 1)[1].strip("/")
    clock.advance(dt.timedelta(days=31))
    with pytest.raises(NotFound):
        services.packet_for_token(fresh)
    assert signing.loads(fresh, salt=services.readiness.LINK_SALT)["k"] == packet.pk


def test_send_refuses_a_channel_the_patient_did_not_agree_to(clock, coordinator, book):
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=book().pk)
    with pytest.raises(ValidationFailed):
        services.readiness_packet_send(actor=coordinator, packet_id=packet.pk, channel="sms")
    assert not Message.objects.exists() and ReadinessPacket.objects.get(pk=packet.pk).sent_at is None


def test_board_shows_incomplete_and_overdue_visits_of_typed_appointments(clock, coordinator, book, surgery,
                                                                         make_user):
    services.readiness_template_save(actor=make_user(Role.PRACTICE_COORDINATOR), appointment_type_id=surgery.pk,
                                     items=[services.TemplateItemInput(kind="labs")])
    soon, later, far = book(days=1), book(days=6), book(days=20)
    packet = services.readiness_packet_open(actor=coordinator, appointment_id=later.pk)
    services.readiness_item_set(actor=coordinator, item_id=packet.items.get().pk, status="done")
    rows = care_selectors.readiness_board(actor=coordinator)
    assert [r.appointment for r in rows] == [soon, later]  # beyond 14 days: not on the board
    assert (rows[0].overdue, rows[0].packet, rows[1].complete) == (True, None, True)
    assert far.pk not in {r.appointment.pk for r in rows}


def test_board_page_query_count_does_not_grow(clock, signed_in, book, surgery, make_user):
    client = signed_in(Role.PATIENT_COORDINATOR)
    services.readiness_template_save(actor=make_user(Role.PRACTICE_COORDINATOR), appointment_type_id=surgery.pk,
                                     items=[services.TemplateItemInput(kind="labs")])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/insurance/readiness/").status_code == 200
        return len(queries)

    services.readiness_packet_open(actor=client.user, appointment_id=book(days=2).pk)
    first = count()
    for days in (3, 4, 5):
        services.readiness_packet_open(actor=client.user, appointment_id=book(days=days).pk)
    assert count() == first


def test_packet_screens_and_api(clock, signed_in, book):
    client = signed_in(Role.FRONT_DESK)
    appointment = book()
    response = client.post(f"/insurance/readiness/open/{appointment.pk}")
    packet = ReadinessPacket.objects.get(appointment=appointment)
    assert response.status_code == 302 and response["Location"].endswith(f"/readiness/{packet.pk}/")
    assert client.get(f"/insurance/readiness/{packet.pk}/").status_code == 200
    item = packet.items.first()
    answer = client.post(f"/api/v1/insurance/readiness/items/{item.pk}", {"status": "waived"},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "waived"
    bad = client.post(f"/api/v1/insurance/readiness/items/{item.pk}", {"status": "done"},
                      content_type="application/json")
    assert bad.status_code == 409
    data = client.get(f"/api/v1/insurance/readiness/packets/{packet.pk}").json()
    assert data["complete"] is False and len(data["items"]) == 7
