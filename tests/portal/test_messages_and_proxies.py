"""Secure messages (item 6) and proxies (item 1): what a patient, a proxy and staff see and do."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.models import Message
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import CallLog, TriageSlip
from clinicdesk.portal import selectors, services
from clinicdesk.portal.models import PortalMessage, ProxyAuthorization
from tests.factories import PatientFactory

from .helpers import actor_for, portal_client


@pytest.fixture
def child(location):
    return PatientFactory(home_location=location, given_name="Lia", family_name="Lopez",
                          birth_date=dt.date(2018, 3, 1), email="")


@pytest.fixture
def authorized(clock, clerk, ana, child):
    return services.proxy_authorize(actor=clerk, proxy_id=ana.pk, dependent_id=child.pk, kind="parent-of-minor",
                                    valid_from=dt.date(2026, 1, 1))


def test_a_clinical_question_becomes_a_triage_slip(clock, ana, clerk):
    message = services.portal_message_send(actor=actor_for(ana), topic="clinical", body="My knee hurts again.")
    call = CallLog.objects.get(pk=message.call_log_id)
    assert call.kind == "message" and call.patient == ana
    slip = TriageSlip.objects.get(call=call)
    assert slip.question == "My knee hurts again." and slip.pool == "nurse"
    entry = AuditEntry.objects.filter(action="portal.message_send").latest("pk")
    assert entry.actor_username == f"patient:{ana.pk}" and entry.patient_id == ana.pk


def test_other_messages_land_in_the_desk_log_without_a_slip(clock, ana, clerk):
    message = services.portal_message_send(actor=actor_for(ana), topic="billing", body="Question about my bill")
    assert CallLog.objects.get(pk=message.call_log_id).disposition == "message"
    assert not TriageSlip.objects.exists()


def test_an_empty_message_is_refused_and_writes_nothing(clock, ana, clerk):
    with pytest.raises(ValidationFailed):
        services.portal_message_send(actor=actor_for(ana), topic="billing", body="   ")
    assert not PortalMessage.objects.exists() and not CallLog.objects.exists()


def test_staff_answer_and_the_patient_is_told_without_content(clock, ana, clerk):
    message = services.portal_message_send(actor=actor_for(ana), topic="refill", body="Need a refill of X")
    assert [m.pk for m in selectors.portal_inbox(actor=clerk)] == [message.pk]
    services.portal_message_answer(actor=clerk, message_id=message.pk, body="Sent to your pharmacy.")
    notice = Message.objects.get(kind="portal-notice")
    assert "new message" in notice.body and "pharmacy" not in notice.body and "pharmacy" not in notice.subject
    assert selectors.portal_inbox(actor=clerk) == []
    thread = selectors.portal_messages(actor=actor_for(ana))
    assert thread[0].body == "Sent to your pharmacy."


def test_staff_of_another_location_cannot_answer(clock, ana, clerk, outsider):
    message = services.portal_message_send(actor=actor_for(ana), topic="other", body="Hello")
    assert selectors.portal_inbox(actor=outsider) == []
    with pytest.raises(PermissionDenied) as refused:
        services.portal_message_answer(actor=outsider, message_id=message.pk, body="Hi")
    assert refused.value.status == 404


def test_a_provider_without_the_desk_permission_cannot_answer(clock, ana, clerk, make_user):
    message = services.portal_message_send(actor=actor_for(ana), topic="other", body="Hello")
    with pytest.raises(PermissionDenied):
        services.portal_message_answer(actor=make_user(Role.BILLING), message_id=message.pk, body="Hi")


def test_the_message_pages(client, clock, ana, clerk, signed_in):
    portal_client(client, ana)
    page = client.get("/portal/messages/")
    assert b"911" in page.content
    response = client.post("/portal/messages/", {"topic": "appointment", "body": "Can I bring my son?",
                                                 "idempotency_key": "abc"})
    assert response.status_code == 302
    client.post("/portal/messages/", {"topic": "appointment", "body": "Can I bring my son?", "idempotency_key": "abc"})
    assert PortalMessage.objects.count() == 1  # a double click sends one message
    staff = signed_in()
    message = PortalMessage.objects.get()
    assert b"Can I bring my son?" in staff.get(f"/portal/staff/inbox/{message.pk}/").content
    staff.post(f"/portal/staff/inbox/{message.pk}/", {"body": "Yes, of course."})
    assert b"Yes, of course." in client.get("/portal/messages/").content


def test_a_proxy_acts_for_the_dependent(clock, authorized, ana, child):
    actor = actor_for(ana, subject=child)
    assert actor.dependent_ids == {child.pk}
    home = selectors.portal_home(actor=actor)
    assert home.subject == child
    services.portal_message_send(actor=actor, topic="clinical", body="Lia has a fever.")
    entry = AuditEntry.objects.filter(action="portal.message_send").latest("pk")
    assert entry.patient_id == child.pk and entry.actor_username == f"patient:{ana.pk}"
    assert entry.detail["proxy"] == ana.pk


def test_without_an_authorization_the_dependent_answers_404(clock, ana, child):
    actor = actor_for(ana)
    with pytest.raises(NotFound):
        services.portal_subject_choose(actor=actor, patient_id=child.pk)


def test_a_revoked_or_ended_authorization_gives_no_access(clock, authorized, clerk, ana, child):
    services.proxy_revoke(actor=clerk, authorization_id=authorized.pk)
    assert services.dependents_of(ana.pk) == frozenset()


def test_a_parent_authorization_ends_at_eighteen(clock, authorized, child):
    assert authorized.valid_to == dt.date(2036, 2, 29)


def test_a_parent_authorization_for_an_adult_is_refused(clock, clerk, ana, ben):
    with pytest.raises(ValidationFailed):
        services.proxy_authorize(actor=clerk, proxy_id=ana.pk, dependent_id=ben.pk, kind="parent-of-minor",
                                 valid_from=dt.date(2026, 1, 1))
    assert not ProxyAuthorization.objects.exists()


def test_staff_of_another_location_cannot_record_a_proxy(clock, outsider, ana, child):
    with pytest.raises(PermissionDenied):
        services.proxy_authorize(actor=outsider, proxy_id=ana.pk, dependent_id=child.pk, kind="caregiver",
                                 valid_from=dt.date(2026, 1, 1))


def test_the_proxy_switches_person_on_the_page(client, clock, authorized, ana, child):
    portal_client(client, ana)
    assert b"Lia" in client.get("/portal/home/").content
    client.post("/portal/person/", {"patient_id": child.pk})
    assert "Hello, Lia" in client.get("/portal/home/").content.decode()


def test_another_patients_id_answers_404_on_the_page(client, clock, ana, ben):
    portal_client(client, ana)
    assert client.post("/portal/person/", {"patient_id": ben.pk}).status_code == 404


def test_the_proxy_screen_records_by_mrn(clock, signed_in, ana, child):
    staff = signed_in()
    response = staff.post("/portal/staff/proxies/", {"proxy_mrn": ana.mrn, "dependent_mrn": child.mrn,
                                                     "kind": "parent-of-minor", "valid_from": "2026-01-01"})
    assert response.status_code == 302
    assert ProxyAuthorization.objects.filter(proxy=ana, dependent=child).exists()


def test_the_booking_rules_screen_is_for_practice_admins(clock, signed_in, kind):
    assert signed_in(Role.FRONT_DESK).get("/portal/staff/booking-rules/").status_code == 403
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    assert admin.get("/portal/staff/booking-rules/").status_code == 200
    response = admin.post(f"/portal/staff/booking-rules/{kind.pk}/", {
        f"t{kind.pk}-bookable": "on", f"t{kind.pk}-who": "anyone", f"t{kind.pk}-max_days_ahead": "14",
        f"t{kind.pk}-min_notice_hours": "2", f"t{kind.pk}-max_open_bookings": "1"})
    assert response.status_code == 302
    from clinicdesk.portal.models import PortalBookingRule

    rule = PortalBookingRule.objects.get(appointment_type=kind)
    assert rule.bookable and rule.max_days_ahead == 14 and rule.max_open_bookings == 1
