import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.comms.delivery import messages_send_due
from clinicdesk.comms.models import Channel, Kind, Message, ReminderRule, Status
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.services import BookingRequest, appointment_book, appointment_cancel
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .conftest import at

PHOENIX = ZoneInfo("America/Phoenix")


@pytest.fixture
def phoenix(db):
    return LocationFactory(name="Mesa", time_zone="America/Phoenix", phone="(602) 555-0140")


def _book(clerk, patient, provider, kind, location, start):
    return appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
        appointment_type_id=kind.pk, start=start))


def test_reminder_goes_out_at_the_rules_time_in_the_patients_zone_and_language(
        phoenix, follow_up, smtp_server, clock, django_capture_on_commit_callbacks):
    from tests.factories import PractitionerFactory, weekly_availability

    provider = PractitionerFactory()
    weekly_availability(provider, phoenix)
    patient = PatientFactory(home_location=phoenix, email="lucia@example.org", email_opt_in=True,
                             given_name="Lucía", preferred_language="es")
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.EMAIL, minutes_before=72 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=phoenix)
    start = at(dt.date(2026, 11, 27), 10, tz=PHOENIX)  # Friday 10:00 in Phoenix
    with django_capture_on_commit_callbacks(execute=True):
        _book(clerk, patient, provider, follow_up, phoenix, start)

    reminder = Message.objects.get(kind=Kind.REMINDER)
    assert reminder.send_after == start - dt.timedelta(hours=72)
    assert messages_send_due() == 0 and smtp_server.messages == []

    clock.advance(reminder.send_after - clock.now())
    assert messages_send_due() == 1
    [mail] = smtp_server.messages
    assert mail["To"] == "lucia@example.org"
    assert mail["Subject"].startswith("Recordatorio")
    body = mail.get_payload(decode=True).decode()
    assert "Lucía" in body and "10:00" in body and "Mesa" in body and "(602) 555-0140" in body
    assert patient.family_name not in body  # minimum necessary: first name only
    assert Message.objects.get(pk=reminder.pk).status == Status.SENT


def test_reminders_respect_quiet_hours_in_the_patients_zone(location, provider, follow_up, reachable_patient, clock,
                                                              django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=12 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    start = at(dt.date(2026, 11, 25), 8, 30)  # 12 hours before is 20:30 the night before: fine
    late = at(dt.date(2026, 11, 26), 9, 0)  # 12 hours before is 21:00: quiet, so 08:00 that morning
    with django_capture_on_commit_callbacks(execute=True):
        _book(clerk, reachable_patient, provider, follow_up, location, start)
        _book(clerk, reachable_patient, provider, follow_up, location, late)
    times = sorted(m.send_after for m in Message.objects.filter(kind=Kind.REMINDER))
    assert times == [start - dt.timedelta(hours=12), at(dt.date(2026, 11, 26), 8, 0)]


def test_nothing_goes_to_a_channel_the_patient_did_not_agree_to(location, provider, follow_up, smtp_server,
                                                               sms_gateway, clock, django_capture_on_commit_callbacks):
    patient = PatientFactory(home_location=location, email="no-texts@example.org", email_opt_in=True,
                             sms_opt_in=False, phone="(413) 555-0199")
    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.EMAIL)
    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.SMS)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with django_capture_on_commit_callbacks(execute=True):
        _book(clerk, patient, provider, follow_up, location, at(dt.date(2026, 11, 25), 9))
    messages_send_due()
    assert [m.channel for m in Message.objects.all()] == [Channel.EMAIL]
    assert len(smtp_server.messages) == 1 and sms_gateway.sent == []


def test_opting_out_after_a_message_was_queued_stops_it(location, provider, follow_up, reachable_patient, smtp_server,
                                                         clock, django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.EMAIL, minutes_before=24 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    start = at(dt.date(2026, 11, 26), 11)
    with django_capture_on_commit_callbacks(execute=True):
        _book(clerk, reachable_patient, provider, follow_up, location, start)
    reachable_patient.email_opt_in = False
    reachable_patient.save()
    clock.advance(dt.timedelta(days=3))
    messages_send_due()
    assert smtp_server.messages == []
    assert Message.objects.get().status == Status.SUPPRESSED


def test_confirmation_email_carries_an_ics_and_a_private_answer_link(location, provider, follow_up, reachable_patient,
                                                                     smtp_server, clock,
                                                                     django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.EMAIL)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(clerk, reachable_patient, provider, follow_up, location, at(dt.date(2026, 11, 25), 9))
    messages_send_due()
    [mail] = smtp_server.messages
    parts = {part.get_content_type(): part for part in mail.walk()}
    ics = parts["text/calendar"].get_payload(decode=True).decode()
    assert "BEGIN:VEVENT" in ics and "DTSTART" in ics and reachable_patient.family_name not in ics
    body = parts["text/plain"].get_payload(decode=True).decode()
    assert "/r/" in body and appointment.patient.family_name not in body


def test_cancelling_withdraws_planned_reminders(location, provider, follow_up, reachable_patient, clock,
                                                django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=24 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(clerk, reachable_patient, provider, follow_up, location, at(dt.date(2026, 11, 27), 9))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(actor=clerk, appointment_id=appointment.pk, reason="patient called")
    assert Message.objects.get().status == Status.SUPPRESSED


def test_sms_reaches_the_gateway_and_a_delivery_report_updates_it(location, reachable_patient, sms_gateway, clock):
    from clinicdesk.comms.services import delivery_report_receive, message_queue

    message = message_queue(patient=reachable_patient, kind=Kind.RECALL, channel=Channel.SMS, dedupe_key="t1",
                            values={"appointment_name": "Annual check-up", "phone": "(413) 555-0100"})
    messages_send_due()
    [sent] = sms_gateway.sent
    assert sent["To"] == "(413) 555-0142" and "Ana" in sent["Body"]
    delivery_report_receive(provider_id=sent["sid"], provider_status="delivered")
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    delivery_report_receive(provider_id=sent["sid"], provider_status="sent")  # late, out of order
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_gateway_failures_retry_with_back_off_then_reach_the_worklist(location, reachable_patient, sms_gateway,
                                                                      clock, signed_in):
    from clinicdesk.comms.delivery import MAX_ATTEMPTS
    from clinicdesk.comms.services import message_queue

    sms_gateway.fail_next = 100
    message = message_queue(patient=reachable_patient, kind=Kind.RECALL, channel=Channel.SMS, dedupe_key="t2",
                            values={"appointment_name": "Annual check-up", "phone": "x"})
    waits = []
    for _ in range(MAX_ATTEMPTS):
        messages_send_due()
        message.refresh_from_db()
        waits.append(message.send_after - clock.now())
        clock.advance(max(message.send_after - clock.now(), dt.timedelta(0)))
    assert message.status == Status.FAILED and message.attempts == MAX_ATTEMPTS
    assert waits[:3] == [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15)]
    desk = signed_in(Role.FRONT_DESK, at=location)
    page = desk.get("/messages/attention/")
    assert reachable_patient.display_name.encode() in page.content


# --- a planning job that never ran: the last look before sending and the ticker's safety net ---------------------

def test_a_reminder_for_an_appointment_cancelled_or_moved_without_replanning_is_not_sent(
        location, provider, follow_up, reachable_patient, smtp_server, clock, django_capture_on_commit_callbacks):
    from clinicdesk.scheduling.models import Appointment

    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.EMAIL, minutes_before=24 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    first_start, second_start = at(dt.date(2026, 11, 26), 11), at(dt.date(2026, 11, 27), 11)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = _book(clerk, reachable_patient, provider, follow_up, location, first_start)
        moved = _book(clerk, reachable_patient, provider, follow_up, location, second_start)
    assert Message.objects.filter(kind=Kind.REMINDER, status=Status.QUEUED).count() == 2
    # The changes commit, but the jobs that withdraw the old plans are lost (written as a crash would leave them).
    Appointment.objects.filter(pk=cancelled.pk).update(status="cancelled", cancel_reason="Patient called")
    new_start = second_start + dt.timedelta(days=1, hours=2)
    Appointment.objects.filter(pk=moved.pk).update(start=new_start, end=new_start + dt.timedelta(minutes=20))
    clock.advance(second_start - clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        messages_send_due()
    assert smtp_server.messages == []
    stale = Message.objects.filter(dedupe_key__endswith=f":{int(second_start.timestamp())}").get()
    assert stale.status == Status.SUPPRESSED and stale.last_error == "appointment changed"
    assert Message.objects.get(appointment=cancelled).status == Status.SUPPRESSED
    # The moved appointment was planned again for its new time.
    fresh = Message.objects.get(appointment=moved, status=Status.QUEUED)
    assert fresh.dedupe_key.endswith(f":{int(new_start.timestamp())}")
    assert fresh.send_after == new_start - dt.timedelta(hours=24)


def test_the_ticker_plans_reminders_for_a_booking_whose_planning_job_was_lost(
        location, provider, follow_up, reachable_patient, clock):
    from clinicdesk.comms.services import reminders_plan_missed
    from clinicdesk.scheduling.models import Appointment

    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.EMAIL)
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.EMAIL, minutes_before=24 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    appointment = _book(clerk, reachable_patient, provider, follow_up, location, at(dt.date(2026, 11, 27), 10))
    # No on-commit callbacks ran: the process died after COMMIT, before enqueueing the planning job.
    assert not Message.objects.exists()
    Appointment.objects.filter(pk=appointment.pk).update(updated_at=clock.now() - dt.timedelta(minutes=1))
    assert reminders_plan_missed() == 0  # too fresh: the job may still be on its way
    Appointment.objects.filter(pk=appointment.pk).update(updated_at=clock.now() - dt.timedelta(minutes=10))
    assert reminders_plan_missed() == 2
    assert sorted(Message.objects.values_list("kind", flat=True)) == [Kind.CONFIRMATION, Kind.REMINDER]
    assert reminders_plan_missed() == 0  # planned since the last change: left alone
    Appointment.objects.filter(pk=appointment.pk).update(updated_at=clock.now() - dt.timedelta(days=2))
    Message.objects.all().delete()
    assert reminders_plan_missed() == 0  # older than the look-back: the sweep stays cheap


def test_a_resent_reminder_goes_out_while_the_appointment_stands_and_not_after_it_is_cancelled(
        location, provider, follow_up, reachable_patient, smtp_server, clock, django_capture_on_commit_callbacks):
    from clinicdesk.comms.services import message_resend
    from clinicdesk.scheduling.models import Appointment

    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.EMAIL)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(clerk, reachable_patient, provider, follow_up, location, at(dt.date(2026, 11, 27), 10))
    original = Message.objects.get(kind=Kind.CONFIRMATION)
    assert len(smtp_server.messages) == 1  # sent at booking; then it bounced
    Message.objects.filter(pk=original.pk).update(status=Status.BOUNCED)

    with django_capture_on_commit_callbacks(execute=True):
        copy = message_resend(actor=clerk, message_id=original.pk)
        messages_send_due()
    assert Message.objects.get(pk=copy.pk).status == Status.SENT and len(smtp_server.messages) == 2

    again = message_resend(actor=clerk, message_id=copy.pk)  # queued; the sender runs after the cancellation
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancel_reason="Patient called")
    messages_send_due()
    assert Message.objects.get(pk=again.pk).status == Status.SUPPRESSED and len(smtp_server.messages) == 2
