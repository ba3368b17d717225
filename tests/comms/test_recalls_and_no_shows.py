"""Recalls and no-shows reach the patient through the ticker and the worker, and a no-show leaves the desk a task."""

import datetime as dt

from django.core.management import call_command

from clinicdesk.comms.delivery import messages_send_due
from clinicdesk.comms.models import Kind, Message, Recall
from clinicdesk.comms.services import recall_add
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Task
from clinicdesk.scheduling.services import BookingRequest, appointment_book, appointment_mark_noshow
from tests.factories import UserFactory

from .conftest import at


def test_a_due_recall_sends_time_to_book_through_the_ticker(location, follow_up, reachable_patient, smtp_server,
                                                             clock, settings):
    reachable_patient.sms_opt_in = False
    reachable_patient.save(update_fields=["sms_opt_in"])
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    recall_add(actor=clerk, patient_id=reachable_patient.pk, appointment_type_id=follow_up.pk,
               due_date=clock.now().date() + dt.timedelta(days=30))

    call_command("tick", once=True)
    assert not Message.objects.filter(kind=Kind.RECALL).exists()  # not due yet

    clock.advance(dt.timedelta(days=30))
    call_command("tick", once=True)
    call_command("tick", once=True)  # a second tick (or a second ticker) sends nothing twice
    messages_send_due()
    [mail] = smtp_server.messages
    assert mail["To"] == reachable_patient.email
    assert mail["Subject"] == f"Time to book your {follow_up.patient_facing_name}"
    body = mail.get_payload(decode=True).decode()
    assert reachable_patient.given_name in body and location.phone in body
    assert reachable_patient.family_name not in body
    assert Recall.objects.get().state == Recall.State.NOTIFIED


def test_a_no_show_gets_a_follow_up_message_and_a_task_for_the_desk(location, provider, follow_up, reachable_patient,
                                                                    smtp_server, clock,
                                                                    django_capture_on_commit_callbacks):
    reachable_patient.sms_opt_in = False
    reachable_patient.save(update_fields=["sms_opt_in"])
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    start = at(clock.now().date() + dt.timedelta(days=1), 9)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(actor=clerk, request=BookingRequest(
            patient_id=reachable_patient.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=start))
    clock.advance(start + dt.timedelta(minutes=30) - clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_noshow(actor=clerk, appointment_id=appointment.pk)

    messages_send_due()
    [mail] = [m for m in smtp_server.messages if m["Subject"] == "We missed you"]
    assert mail["To"] == reachable_patient.email and location.phone in mail.get_payload(decode=True).decode()
    [task] = Task.objects.all()
    assert task.pool == Role.FRONT_DESK.value and task.patient_id == reachable_patient.pk
    assert task.appointment_id == appointment.pk and task.due_date == start.astimezone(location.tz).date()

    from clinicdesk.frontdesk.tasks import create_no_show_task

    assert create_no_show_task.call(appointment.pk) == task.pk  # the worker running it twice makes one task
    assert Task.objects.count() == 1


def test_a_long_send_job_hands_the_rest_to_a_successor(reachable_patient, smtp_server, clock, monkeypatch):
    """No send job outlives its time budget (a broker kills jobs that run too long): it enqueues a successor."""
    from clinicdesk.comms import tasks
    from clinicdesk.comms.models import Channel
    from clinicdesk.comms.services import message_queue

    for n in range(5):
        message_queue(patient=reachable_patient, kind=Kind.RECALL, channel=Channel.EMAIL, dedupe_key=f"burst-{n}",
                      values={"appointment_name": "Check-up", "phone": "555"})
    monkeypatch.setattr(tasks, "SEND_JOB_BUDGET_SECONDS", 0.0)
    assert tasks.send_due_messages.call(limit=2) == 2  # its own batch; successors (run inline here) did the rest
    assert len(smtp_server.messages) == 5
    assert not Message.objects.exclude(status="sent").exists()
