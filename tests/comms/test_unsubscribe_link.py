"""Outreach and marketing messages carry their opt-out (#24 items 4 and 5): an e-mail its unsubscribe link, in the
body in the patient's language and as the one-click List-Unsubscribe headers (RFC 8058); a text message "Reply
STOP". Appointment and billing messages go as written. End to end through the real SMTP and SMS test servers."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from django.test import Client

from clinicdesk.comms.compose import compose_send, new_batch
from clinicdesk.comms.consent import contact_refusal
from clinicdesk.comms.consent_records import consent_record
from clinicdesk.comms.delivery import messages_send_due
from clinicdesk.comms.models import ComposeTemplate, ComposeTemplateVersion, Message, Status
from clinicdesk.core.permissions import Role
from clinicdesk.outreach import campaign_services as campaigns
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/u/[^/\s]+/")


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PRACTICE_COORDINATOR, at=location)


def _subject(mail) -> str:
    return str(make_header(decode_header(mail["Subject"])))  # "sábado" arrives encoded (RFC 2047)


def _outreach_template(channel: str) -> ComposeTemplate:
    template = ComposeTemplate.objects.create(name=f"Flu clinic {channel}", purpose="outreach", channel=channel,
                                              created_at="2026-11-01T00:00:00Z")
    ComposeTemplateVersion.objects.create(
        template=template, number=1, subject_en="Flu shots on Saturday", subject_es="Vacunas el sábado",
        body_en="Hello {{ patient.first_name }}, walk in for your flu shot on Saturday.",
        body_es="Hola {{ patient.first_name }}, venga a vacunarse el sábado.", created_at="2026-11-01T00:00:00Z")
    return template


def test_outreach_emails_carry_the_unsubscribe_link_and_one_click_headers_appointment_ones_do_not(
        location, coordinator, reachable_patient, smtp_server, clock):
    ana = reachable_patient
    lucia = PatientFactory(home_location=location, given_name="Lucía", preferred_language="es",
                           email="lucia@example.org", email_opt_in=True)
    for patient in (ana, lucia):
        consent_record(actor=coordinator, patient_id=patient.pk, channel="email", purpose="outreach", granted=True,
                       source="desk")
    compose_send(actor=coordinator, patient_ids=[ana.pk, lucia.pk], channel="email", batch=new_batch(),
                 template_id=_outreach_template("email").pk)
    compose_send(actor=coordinator, patient_ids=[ana.pk], channel="email", batch=new_batch(),
                 template_id=ComposeTemplate.objects.get(seed_key="balance-email").pk)  # billing
    compose_send(actor=coordinator, patient_ids=[ana.pk], channel="email", batch=new_batch(),
                 subject="Your forms", body="Hello {{ patient.first_name }}, your forms are ready.")  # general
    campaign = campaigns.campaign_create(
        actor=coordinator, location_id=location.pk, name="Screening", filters={"locations": [location.pk]},
        email_subject_en="Time for your screening", email_body_en="Dear {{ patient.first_name }}, call us.",
        email_subject_es="Hora de su chequeo", email_body_es="Estimado/a {{ patient.first_name }}, llámenos.")
    campaigns.cohort_freeze(actor=coordinator, campaign_id=campaign.pk)
    campaigns.campaign_approve(actor=coordinator, campaign_id=campaign.pk)
    assert campaigns.wave_send(actor=coordinator, campaign_id=campaign.pk, size=10)["contacted"] == 2
    assert set(Message.objects.values_list("purpose", flat=True)) == {"outreach", "billing", "general"}
    assert messages_send_due() == 6
    assert Message.objects.filter(status=Status.SENT).count() == 6

    mails = smtp_server.messages
    marketing = [m for m in mails if _subject(m) in ("Flu shots on Saturday", "Vacunas el sábado",
                                                     "Time for your screening", "Hora de su chequeo")]
    assert len(marketing) == 4
    for mail in marketing:
        body = mail.get_payload(decode=True).decode()
        link = LINK.search(body).group(0)
        assert "".join(mail["List-Unsubscribe"].split()) == f"<{link}>"  # a long header arrives folded
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        spanish = mail["To"] == "lucia@example.org"
        assert ("Para dejar de recibir estos correos" in body) is spanish
        assert ("To stop these e-mails" in body) is not spanish
    for other in [m for m in mails if m not in marketing]:  # the billing e-mail and the general one
        assert other["List-Unsubscribe"] is None and "/u/" not in other.get_payload(decode=True).decode()
    assert len(mails) == 6

    # One click, as a mail provider does it: a POST with no cookie and no CSRF token stops outreach e-mail only.
    ana_link = LINK.search(next(m for m in marketing if m["To"] == "ana@example.org").get_payload(
        decode=True).decode()).group(0)
    answer = Client(enforce_csrf_checks=True).post(urlsplit(ana_link).path, data="List-Unsubscribe=One-Click",
                                                   content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    ana.refresh_from_db()
    assert contact_refusal(ana, "email", purpose="outreach") == "revoked"
    assert contact_refusal(ana, "email", purpose="appointment") == ""
    assert contact_refusal(lucia, "email", purpose="outreach") == ""


def test_an_outreach_text_says_reply_stop_and_an_appointment_text_is_sent_as_written(
        location, coordinator, reachable_patient, sms_gateway, clock):
    consent_record(actor=coordinator, patient_id=reachable_patient.pk, channel="sms", purpose="outreach",
                   granted=True, source="desk")
    compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                 template_id=_outreach_template("sms").pk)
    compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                 body="Your forms are ready.")
    assert messages_send_due() == 2
    bodies = sorted(form["Body"] for form in sms_gateway.sent)
    assert bodies == ["Hello Ana, walk in for your flu shot on Saturday. Reply STOP to opt out.",
                      "Your forms are ready."]
