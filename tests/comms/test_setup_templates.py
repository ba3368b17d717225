"""Message wording: merge fields checked, length limits, preview, screens, and the JSON API of the set-up."""

from __future__ import annotations

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms import content, rules
from clinicdesk.comms.models import Channel, Kind, MessageTemplate, ReminderRule
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role


def template(kind="reminder", channel="sms", language="en") -> MessageTemplate:
    return MessageTemplate.objects.get(kind=kind, channel=channel, language=language)


@pytest.fixture
def admin(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def test_every_shipped_wording_is_an_editable_template(db):
    assert set(MessageTemplate.objects.values_list("kind", "channel", "language")) == set(content.DEFAULTS)


def test_message_template_update_saves_and_records_the_change(admin, clock):
    sms = template()
    old = sms.body
    rules.message_template_update(actor=admin, template_id=sms.pk, body="{{ practice }}: see you {{ date }}.")
    sms.refresh_from_db()
    assert sms.body == "{{ practice }}: see you {{ date }}."
    assert AuditEntry.objects.get(action="message_template.update").detail["changes"] == {
        "body": [old, "{{ practice }}: see you {{ date }}."]}


@pytest.mark.parametrize("body", ["Hi {{ surname }}", "Hi {first_name}", "Hi {{ first_name|upper }}",
                                  "{% load static %}Hi", "Hi {{ first_name }"])
def test_message_template_update_refuses_an_unknown_placeholder_and_writes_nothing(admin, clock, body):
    sms = template()
    old = sms.body
    with pytest.raises(ValidationFailed) as refused:
        rules.message_template_update(actor=admin, template_id=sms.pk, body=body)
    assert "body" in refused.value.fields
    sms.refresh_from_db()
    assert sms.body == old and not AuditEntry.objects.filter(action="message_template.update").exists()


def test_a_recall_may_not_use_the_appointment_date(admin, clock):
    with pytest.raises(ValidationFailed):
        rules.message_template_update(actor=admin, template_id=template("recall").pk, body="Due {{ date }}")


def test_message_template_update_refuses_a_long_text_message(admin, clock):
    with pytest.raises(ValidationFailed) as refused:
        rules.message_template_update(actor=admin, template_id=template().pk, body="x" * 321)
    assert "320" in refused.value.fields["body"][0]


def test_message_template_update_refuses_an_email_without_subject(admin, clock):
    with pytest.raises(ValidationFailed) as refused:
        rules.message_template_update(actor=admin, template_id=template(channel="email").pk, subject="  ")
    assert "subject" in refused.value.fields


def test_message_template_update_is_for_practice_administrators(clerk, make_user, clock):
    for actor in (clerk, make_user(Role.COMPLIANCE)):
        with pytest.raises(PermissionDenied):
            rules.message_template_update(actor=actor, template_id=template().pk, body="Hello {{ first_name }}")


def test_message_template_preview_fills_in_sample_values_in_its_language():
    rendered = rules.message_template_preview(kind=Kind.REMINDER, channel=Channel.SMS, language="es", subject="",
                                              body="Hola {{ first_name }}, su cita: {{ date }}")
    assert rendered.body.startswith("Hola Ana, su cita: ") and "{{" not in rendered.body


def test_edited_wording_reaches_the_planned_message(admin, clerk, location, provider, follow_up, reachable_patient,
                                                    clock):
    import datetime as dt

    from clinicdesk.comms.models import Message
    from clinicdesk.comms.services import reminders_plan
    from clinicdesk.scheduling.services import BookingRequest, appointment_book

    from .conftest import at

    rules.message_template_update(actor=admin, template_id=template().pk, body="{{ first_name }}, see you soon.")
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=24 * 60)
    appointment = appointment_book(actor=clerk, request=BookingRequest(
        patient_id=reachable_patient.pk, practitioner_id=provider.pk, location_id=location.pk,
        appointment_type_id=follow_up.pk, start=at(dt.date(2026, 11, 27), 10)))
    reminders_plan(appointment_id=appointment.pk)
    assert Message.objects.get(kind=Kind.REMINDER).body == "Ana, see you soon."


# --- screens ---------------------------------------------------------------------------------------------------

def test_message_templates_screen_lists_wording_in_words(signed_in, clock):
    page = signed_in(Role.PRACTICE_COORDINATOR).get("/messages/setup/templates/")
    text = page.content.decode()
    assert page.status_code == 200 and "Appointment reminder" in text and "Spanish" in text
    assert "waitlist-offer" not in text


def test_message_template_screen_lists_merge_fields_and_previews_without_saving(signed_in, clock):
    sms = template()
    client = signed_in(Role.PRACTICE_COORDINATOR)
    page = client.get(f"/messages/setup/templates/{sms.pk}/")
    assert page.status_code == 200 and b"answer_url" in page.content and b"subject" not in page.content.lower()[
        page.content.lower().find(b"<form"):page.content.lower().find(b"</form>")]
    response = client.post(f"/messages/setup/templates/{sms.pk}/", {"body": "Hi {{ first_name }}!", "preview": "1"})
    assert response.status_code == 200 and b"Hi Ana!" in response.content
    assert template().body == sms.body


def test_message_template_screen_saves_and_redirects_with_a_flash(signed_in, clock):
    sms = template()
    client = signed_in(Role.PRACTICE_COORDINATOR)
    response = client.post(f"/messages/setup/templates/{sms.pk}/", {"body": "Hi {{ first_name }}!"})
    assert response.status_code == 302 and template().body == "Hi {{ first_name }}!"
    assert b"Wording saved" in client.get(response["Location"]).content
    assert b"Message wording changed" in client.get(f"/messages/setup/templates/{sms.pk}/").content


def test_message_template_screen_shows_an_unknown_placeholder_as_a_field_error(signed_in, clock):
    sms = template()
    response = signed_in(Role.PRACTICE_COORDINATOR).post(f"/messages/setup/templates/{sms.pk}/",
                                                         {"body": "Hi {{ surname }}"})
    assert response.status_code == 422 and "surname" in str(response.context["form"].errors["body"])
    assert template().body == sms.body


def test_message_template_screen_is_refused_to_the_front_desk(signed_in, clock):
    assert signed_in(Role.FRONT_DESK).get(f"/messages/setup/templates/{template().pk}/").status_code == 403


# --- API -------------------------------------------------------------------------------------------------------

def test_api_reminder_rules_create_update_deactivate(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    created = client.post("/api/v1/reminder-rules", {"kind": "reminder", "channel": "sms", "minutesBefore": 2880},
                          content_type="application/json")
    assert created.status_code == 201
    rule = created.json()
    assert rule["timing"] == "2 days before" and rule["appointmentType"] is None and rule["active"] is True
    changed = client.patch(f"/api/v1/reminder-rules/{rule['id']}", {"minutesBefore": 1440},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["minutesBefore"] == 1440
    gone = client.post(f"/api/v1/reminder-rules/{rule['id']}/deactivate")
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert client.get("/api/v1/reminder-rules").json()["items"] == []
    assert len(client.get("/api/v1/reminder-rules?inactive=include").json()["items"]) == 1


def test_api_reminder_rule_refuses_a_bad_timing(signed_in, clock):
    response = signed_in(Role.PRACTICE_COORDINATOR).post(
        "/api/v1/reminder-rules", {"kind": "reminder", "channel": "sms", "minutesBefore": 1},
        content_type="application/json")
    assert response.status_code == 422 and not ReminderRule.objects.exists()


def test_api_message_templates_read_and_update(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    items = client.get("/api/v1/message-templates").json()["items"]
    sms = next(i for i in items if (i["kind"], i["channel"], i["language"]) == ("reminder", "sms", "es"))
    assert "answer_url" in sms["mergeFields"]
    response = client.patch(f"/api/v1/message-templates/{sms['id']}", {"body": "Hola {{ first_name }}"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["body"] == "Hola {{ first_name }}"
    refused = client.patch(f"/api/v1/message-templates/{sms['id']}", {"body": "Hola {{ apellido }}"},
                           content_type="application/json")
    assert refused.status_code == 422 and "body" in refused.json()["errors"]


def test_api_quiet_hours_read_and_set(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/api/v1/quiet-hours").json() == {"startHour": 21, "endHour": 8}
    response = client.put("/api/v1/quiet-hours", {"startHour": 22, "endHour": 7}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"startHour": 22, "endHour": 7}
    assert client.put("/api/v1/quiet-hours", {"startHour": 22}, content_type="application/json").status_code == 422


def test_api_setup_is_refused_to_the_front_desk(signed_in, clock):
    client = signed_in(Role.FRONT_DESK)
    assert client.get("/api/v1/reminder-rules").status_code == 403
    assert client.get("/api/v1/message-templates").status_code == 403
    assert client.put("/api/v1/quiet-hours", {"startHour": 22, "endHour": 7},
                      content_type="application/json").status_code == 403
