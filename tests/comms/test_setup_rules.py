"""Reminder rules and quiet hours: the rules, who may change them, the screens, and what planning then does."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms import rules
from clinicdesk.comms.models import Channel, Kind, Message, QuietHours, ReminderRule
from clinicdesk.comms.quiet_hours import current
from clinicdesk.comms.services import reminders_plan
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import AppointmentTypeFactory, UserFactory

from .conftest import at


@pytest.fixture
def admin(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def _book(clerk, patient, provider, kind, location, start):
    return appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
        appointment_type_id=kind.pk, start=start))


def test_timing_words_say_the_time_in_words():
    assert rules.timing_words(Kind.REMINDER, 2 * 24 * 60) == "2 days before"
    assert rules.timing_words(Kind.REMINDER, 24 * 60 + 120) == "1 day, 2 hours before"
    assert rules.timing_words(Kind.REMINDER, 30) == "30 minutes before"
    assert rules.timing_words(Kind.CONFIRMATION, 0) == "At booking"


def test_reminder_rule_create_writes_and_audits(admin, clock):
    rule = rules.reminder_rule_create(actor=admin, kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    assert (rule.kind, rule.channel, rule.minutes_before, rule.active) == ("reminder", "sms", 1440, True)
    entry = AuditEntry.objects.get(action="reminder_rule.create")
    assert entry.detail["changes"]["minutes_before"] == [None, 1440]


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "reminder", "channel": "sms", "minutes_before": 5}, "minutes_before"),
    ({"kind": "reminder", "channel": "sms", "minutes_before": 61 * 24 * 60}, "minutes_before"),
    ({"kind": "confirmation", "channel": "sms", "minutes_before": 60}, "minutes_before"),
    ({"kind": "recall", "channel": "sms", "minutes_before": 60}, "kind"),
    ({"kind": "reminder", "channel": "fax", "minutes_before": 60}, "channel"),
    ({"kind": "reminder", "channel": "sms", "minutes_before": 60, "appointment_type_id": 999999},
     "appointment_type"),
    ({"kind": "reminder", "channel": "sms", "minutes_before": 60, "location_id": 999999}, "location"),
])
def test_reminder_rule_create_refuses_bad_rules_and_writes_nothing(admin, clock, values, field):
    with pytest.raises(ValidationFailed) as refused:
        rules.reminder_rule_create(actor=admin, **values)
    assert field in refused.value.fields
    assert not ReminderRule.objects.exists() and not AuditEntry.objects.filter(action__startswith="reminder").exists()


def test_reminder_rule_create_refuses_a_duplicate_active_rule(admin, clock):
    rules.reminder_rule_create(actor=admin, kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    with pytest.raises(Conflict):
        rules.reminder_rule_create(actor=admin, kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    assert ReminderRule.objects.count() == 1


def test_reminder_rules_are_for_practice_administrators(clerk, make_user, clock):
    rule = ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    for actor in (clerk, make_user(Role.COMPLIANCE), make_user(Role.BILLING)):
        with pytest.raises(PermissionDenied):
            rules.reminder_rule_create(actor=actor, kind=Kind.REMINDER, channel=Channel.EMAIL, minutes_before=60)
        with pytest.raises(PermissionDenied):
            rules.reminder_rule_update(actor=actor, rule_id=rule.pk, minutes_before=60)
        with pytest.raises(PermissionDenied):
            rules.reminder_rule_deactivate(actor=actor, rule_id=rule.pk)
    rule.refresh_from_db()
    assert (ReminderRule.objects.count(), rule.minutes_before, rule.active) == (1, 1440, True)


def test_reminder_rule_update_records_the_change(admin, clock):
    rule = ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    rules.reminder_rule_update(actor=admin, rule_id=rule.pk, minutes_before=2880, channel=Channel.EMAIL)
    entry = AuditEntry.objects.get(action="reminder_rule.update")
    assert entry.detail["changes"] == {"minutes_before": [1440, 2880], "channel": ["sms", "email"]}


def test_reminder_rule_change_affects_planning_of_new_reminders(admin, clerk, location, provider, follow_up,
                                                                reachable_patient, clock):
    rule = ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=24 * 60)
    start = at(dt.date(2026, 11, 27), 10)
    rules.reminder_rule_update(actor=admin, rule_id=rule.pk, minutes_before=48 * 60)
    appointment = _book(clerk, reachable_patient, provider, follow_up, location, start)
    reminders_plan(appointment_id=appointment.pk)
    [message] = Message.objects.filter(kind=Kind.REMINDER)
    assert message.send_after == start - dt.timedelta(hours=48)


def test_a_deactivated_rule_plans_nothing(admin, clerk, location, provider, follow_up, reachable_patient, clock):
    rule = ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=24 * 60)
    rules.reminder_rule_deactivate(actor=admin, rule_id=rule.pk)
    appointment = _book(clerk, reachable_patient, provider, follow_up, location, at(dt.date(2026, 11, 27), 10))
    assert reminders_plan(appointment_id=appointment.pk) == 0


def test_a_rule_for_one_appointment_type_plans_only_for_it(admin, clerk, location, provider, follow_up,
                                                           reachable_patient, clock):
    other = AppointmentTypeFactory(code="physical", duration_minutes=30)
    rules.reminder_rule_create(actor=admin, kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440,
                               appointment_type_id=other.pk)
    appointment = _book(clerk, reachable_patient, provider, follow_up, location, at(dt.date(2026, 11, 27), 10))
    assert reminders_plan(appointment_id=appointment.pk) == 0


# --- quiet hours -----------------------------------------------------------------------------------------------

def test_quiet_hours_default_to_the_settings(db, settings):
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 22, 7
    assert current() == (22, 7)


def test_quiet_hours_set_changes_when_reminders_go_out(admin, clerk, location, provider, follow_up,
                                                       reachable_patient, clock):
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=12 * 60)
    rules.quiet_hours_set(actor=admin, start_hour=20, end_hour=9)
    start = at(dt.date(2026, 11, 26), 8, 30)  # 12 hours before is 20:30: quiet now, so 09:00 that morning...
    appointment = _book(clerk, reachable_patient, provider, follow_up, location, start)
    reminders_plan(appointment_id=appointment.pk)
    assert not Message.objects.filter(kind=Kind.REMINDER).exists()  # ...which is after the visit: not sent
    assert AuditEntry.objects.get(action="quiet_hours.update").detail["changes"] == {
        "start_hour": [21, 20], "end_hour": [8, 9]}


def test_quiet_hours_set_refuses_a_bad_hour_and_writes_nothing(admin, clock):
    with pytest.raises(ValidationFailed) as refused:
        rules.quiet_hours_set(actor=admin, start_hour=24, end_hour=8)
    assert "start_hour" in refused.value.fields and not QuietHours.objects.exists()


def test_quiet_hours_set_is_for_practice_administrators(clerk, clock):
    with pytest.raises(PermissionDenied):
        rules.quiet_hours_set(actor=clerk, start_hour=20, end_hour=8)
    assert not QuietHours.objects.exists()


# --- screens ---------------------------------------------------------------------------------------------------

def test_reminder_rules_screen_shows_rules_and_quiet_hours_in_words(signed_in, clock):
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=2 * 24 * 60)
    page = signed_in(Role.PRACTICE_COORDINATOR).get("/messages/setup/reminders/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "2 days before" in text and "Text message" in text and "Every location" in text
    assert "No messages from" in text


def test_reminder_rules_screen_is_refused_to_the_front_desk(signed_in, clock):
    assert signed_in(Role.FRONT_DESK).get("/messages/setup/reminders/").status_code == 403


def test_new_rule_screen_adds_a_rule_and_redirects(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/messages/setup/reminders/new/").status_code == 200
    response = client.post("/messages/setup/reminders/new/", {
        "kind": "reminder", "channel": "email", "amount": "3", "unit": "days", "appointment_type": "",
        "location": ""})
    assert response.status_code == 302 and response["Location"] == "/messages/setup/reminders/"
    assert ReminderRule.objects.get().minutes_before == 3 * 24 * 60
    assert b"Reminder rule added." in client.get(response["Location"]).content


def test_new_rule_screen_shows_the_field_error_and_writes_nothing(signed_in, clock):
    response = signed_in(Role.PRACTICE_COORDINATOR).post("/messages/setup/reminders/new/", {
        "kind": "reminder", "channel": "email", "amount": "5", "unit": "minutes"})
    assert response.status_code == 422 and "amount" in response.context["form"].errors
    assert not ReminderRule.objects.exists()


def test_rule_screen_edits_shows_history_and_deactivates(signed_in, clock):
    rule = ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    client = signed_in(Role.PRACTICE_COORDINATOR)
    response = client.post(f"/messages/setup/reminders/{rule.pk}/", {
        "kind": "reminder", "channel": "sms", "amount": "2", "unit": "days"})
    assert response.status_code == 302
    page = client.get(f"/messages/setup/reminders/{rule.pk}/").content.decode()
    assert "Reminder rule changed" in page and "1 day before" in page and "2 days before" in page
    assert client.post(f"/messages/setup/reminders/{rule.pk}/deactivate/").status_code == 302
    rule.refresh_from_db()
    assert not rule.active


def test_quiet_hours_screen_saves(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/messages/setup/quiet-hours/").status_code == 200
    response = client.post("/messages/setup/quiet-hours/", {"start_hour": "20", "end_hour": "7"})
    assert response.status_code == 302 and current() == (20, 7)


def test_quiet_hours_screen_refuses_an_hour_out_of_range(signed_in, clock):
    response = signed_in(Role.PRACTICE_COORDINATOR).post("/messages/setup/quiet-hours/",
                                                         {"start_hour": "25", "end_hour": "7"})
    assert response.status_code == 422 and not QuietHours.objects.exists()


def test_rule_screens_refuse_a_user_of_another_role_at_any_location(other_location, clock):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(role=Role.FRONT_DESK, location=other_location))
    rule = ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=1440)
    assert client.post(f"/messages/setup/reminders/{rule.pk}/deactivate/").status_code == 403
    assert ReminderRule.objects.get().active


def test_reminder_rules_screen_queries_do_not_grow_with_rules(signed_in, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import LocationFactory

    client = signed_in(Role.PRACTICE_COORDINATOR)
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=60,
                                appointment_type=AppointmentTypeFactory(code="a1"), location=LocationFactory())
    with CaptureQueriesContext(connection) as one:
        client.get("/messages/setup/reminders/")
    for n in range(2, 6):
        ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=60 * n,
                                    appointment_type=AppointmentTypeFactory(code=f"a{n}"), location=LocationFactory())
    with CaptureQueriesContext(connection) as five:
        client.get("/messages/setup/reminders/")
    assert len(five) == len(one)
