"""The contact-preferences screen on the chart and the consent JSON API (#24 item 5)."""

from __future__ import annotations

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.models import ConsentRecord
from clinicdesk.core.permissions import Role

PAGE = "/messages/patient/{}/contact-preferences/"
API = "/api/v1/patients/{}/consent"


def test_the_page_shows_each_purpose_and_channel_in_words_and_the_read_is_audited(signed_in, reachable_patient):
    client = signed_in(Role.FRONT_DESK)
    page = client.get(PAGE.format(reachable_patient.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Contact preferences" in text and "Outreach and marketing" in text and "Voice call" in text
    assert "There is no recorded consent to outreach and marketing on this channel." in text
    assert "outreach" not in [line.strip() for line in text.splitlines()]  # codes only in attributes
    assert AuditEntry.objects.filter(action="consent.read", patient_id=reachable_patient.pk).exists()


def test_the_desk_records_a_consent_from_the_page(signed_in, reachable_patient):
    client = signed_in(Role.FRONT_DESK)
    answer = client.post(PAGE.format(reachable_patient.pk), {"purpose": "outreach", "channel": "email",
                                                             "answer": "granted", "source": "written",
                                                             "note": "signed form"})
    assert answer.status_code == 302
    entry = ConsentRecord.objects.get()
    assert (entry.purpose, entry.channel, entry.granted, entry.source, entry.note) == (
        "outreach", "email", True, "written", "signed form")
    page = client.get(PAGE.format(reachable_patient.pk)).content.decode()
    assert "signed form" in page and "Written form" in page


def test_bad_input_on_the_page_is_refused_and_nothing_is_written(signed_in, reachable_patient):
    client = signed_in(Role.FRONT_DESK)
    answer = client.post(PAGE.format(reachable_patient.pk), {"purpose": "spam", "channel": "email",
                                                             "answer": "granted", "source": "desk"})
    assert answer.status_code == 422 and not ConsentRecord.objects.exists()


def test_the_page_speaks_spanish(signed_in, reachable_patient):
    client = signed_in(Role.FRONT_DESK, language="es")
    text = client.get(PAGE.format(reachable_patient.pk), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Preferencias de contacto" in text


def test_someone_at_another_location_sees_no_such_page(signed_in, reachable_patient, other_location):
    client = signed_in(Role.FRONT_DESK, at=other_location)
    assert client.get(PAGE.format(reachable_patient.pk)).status_code == 404
    assert client.post(PAGE.format(reachable_patient.pk), {"purpose": "outreach", "channel": "email",
                                                           "answer": "granted", "source": "desk"}).status_code == 404
    assert client.get(API.format(reachable_patient.pk)).status_code == 404
    assert not ConsentRecord.objects.exists()


def test_the_api_reads_and_records_consent(signed_in, reachable_patient):
    client = signed_in(Role.FRONT_DESK)
    made = client.post(API.format(reachable_patient.pk), {"purpose": "billing", "channel": "sms", "granted": False,
                                                          "source": "desk", "note": "no billing texts"},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["granted"] is False and made.json()["sourceLabel"] == "At the desk"
    state = client.get(API.format(reachable_patient.pk)).json()
    cell = next(c for c in state["current"] if c["purpose"] == "billing" and c["channel"] == "sms")
    assert cell["allowed"] is False and cell["recorded"] is False
    assert [h["note"] for h in state["history"]] == ["no billing texts"]
    bad = client.post(API.format(reachable_patient.pk), {"purpose": "billing", "channel": "sms", "granted": "yes",
                                                         "source": "desk"}, content_type="application/json")
    assert bad.status_code == 422 and ConsentRecord.objects.count() == 1


def test_the_unsubscribe_link_asks_first_in_the_patients_language_then_stops_those_emails(location, clerk):
    from django.test import Client

    from clinicdesk.comms.consent import contact_refusal
    from clinicdesk.comms.services import unsubscribe_token
    from tests.factories import PatientFactory

    lucia = PatientFactory(home_location=location, email="lucia@example.org", email_opt_in=True,
                           preferred_language="es")
    url = f"/u/{unsubscribe_token(patient_id=lucia.pk, purpose='billing')}/"
    asked = Client().get(url)
    assert asked.status_code == 200 and "facturas" in asked.content.decode()
    assert not ConsentRecord.objects.exists()
    done = Client().post(url)
    assert done.status_code == 200 and 'id="unsubscribed"' in done.content.decode()
    assert contact_refusal(lucia, "email", purpose="billing") == "revoked"
    assert contact_refusal(lucia, "email", purpose="appointment") == ""
    assert Client().get(url[:-4] + "xx/").status_code == 404
