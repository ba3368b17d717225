"""The notice that an event was cancelled (#24): everyone with a place or on the waitlist is told once, in their
language; patients through the outbox on a channel they allowed, contacts by their address unless it opted out."""

from __future__ import annotations

from clinicdesk.comms.delivery import messages_send_due
from clinicdesk.comms.models import Message
from clinicdesk.comms.services import sms_reply_receive
from clinicdesk.outreach.models import EventStatus
from clinicdesk.outreach.services import contact_register, event_cancel, registration_add
from tests.comms.conftest import Gateway, Inbox, free_port, sms_gateway, smtp_server  # noqa: F401 - fixtures
from tests.factories import PatientFactory


def test_cancelling_an_event_tells_everyone_once_in_their_language(
        clerk, coordinator, make_event, location, smtp_server, sms_gateway,  # noqa: F811
        django_capture_on_commit_callbacks):
    event = make_event(capacity=2)
    lucia = PatientFactory(home_location=location, given_name="Lucía", email="lucia@example.org", email_opt_in=True,
                           preferred_language="es")
    pedro = PatientFactory(home_location=location, given_name="Pedro", phone="(413) 555-0161", sms_opt_in=True)
    waiting = PatientFactory(home_location=location, given_name="Wanda", email="wanda@example.org",
                             email_opt_in=True)
    silent = PatientFactory(home_location=location, given_name="Sam", email="sam@example.org", email_opt_in=False)
    for patient in (lucia, pedro, waiting, silent):
        registration_add(actor=clerk, event=event, patient=patient)
    contact_register(actor=clerk, event_id=event.pk, given_name="Rosa", family_name="Delgado",
                     email="rosa@example.org", language="es", consent=True)
    contact_register(actor=clerk, event_id=event.pk, given_name="Tom", family_name="Nope", phone="(413) 555-0177",
                     consent=True)
    sms_reply_receive(from_number="+14135550177", body="STOP")  # Tom texted STOP to the practice's number
    Message.objects.all().delete()
    mail_before, texts_before = len(smtp_server.messages), len(sms_gateway.sent)

    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=coordinator, event_id=event.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_cancel(actor=coordinator, event_id=event.pk).status == EventStatus.CANCELLED  # again: no-op
    messages_send_due()

    queued = Message.objects.order_by("patient__given_name")
    assert [(m.patient.given_name, m.channel) for m in queued] == [("Lucía", "email"), ("Pedro", "sms"),
                                                                  ("Wanda", "email")]
    assert all(m.dedupe_key.startswith("outreach:cancelled:") and m.purpose == "appointment" for m in queued)
    assert queued[0].language == "es" and "Vivir con diabetes" in queued[0].subject
    mail = {m["To"]: m for m in smtp_server.messages[mail_before:]}
    assert set(mail) == {"lucia@example.org", "wanda@example.org", "rosa@example.org"}
    assert "Vivir con diabetes" in mail["rosa@example.org"]["Subject"]
    assert "Living with diabetes" in mail["wanda@example.org"]["Subject"]
    texts = sms_gateway.sent[texts_before:]
    assert [t["To"] for t in texts] == ["(413) 555-0161"]  # Pedro; not Tom, who opted out
