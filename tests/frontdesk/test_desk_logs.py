from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import CallLog, Task, TaskStatus, TriageSlip, Visitor
from clinicdesk.frontdesk.selectors import calls_on, inbox_for, previsit_worklist, visitors_on, visitors_open
from clinicdesk.frontdesk.services import (
    call_record,
    chase_task_create,
    slip_answer,
    slip_close,
    slips_escalate_due,
    task_create,
    task_set_status,
    visitor_sign_in,
    visitor_sign_out,
)
from tests.factories import AppointmentFactory, LocationHolidayFactory

from .conftest import TODAY, at


def _visitor(actor, location, badge="B-1"):
    return visitor_sign_in(actor=actor, location_id=location.pk, name="Sam Lee", visiting="Ana Garcia (room 3)",
                           id_type="drivers-license", id_last4="1234", badge=badge)


# --- visitors --------------------------------------------------------------------------------------------

def test_visitor_signs_in_and_out_and_shows_on_the_lists(clerk, location, clock):
    visitor = _visitor(clerk, location)
    assert visitors_open(actor=clerk, location=location) == [visitor]
    clock.advance(dt.timedelta(minutes=30))
    visitor_sign_out(actor=clerk, visitor_id=visitor.pk)
    assert visitors_open(actor=clerk, location=location) == []
    assert [v.signed_out_at for v in visitors_on(actor=clerk, location=location, day=TODAY)] == [clock.now()]


def test_signing_out_twice_is_refused(clerk, location, clock):
    visitor = _visitor(clerk, location)
    visitor_sign_out(actor=clerk, visitor_id=visitor.pk)
    first_out = Visitor.objects.get().signed_out_at
    clock.advance(dt.timedelta(minutes=5))
    with pytest.raises(InvalidTransition, match="already signed out"):
        visitor_sign_out(actor=clerk, visitor_id=visitor.pk)
    assert Visitor.objects.get().signed_out_at == first_out


def test_visitor_needs_every_field_and_a_free_badge(clerk, location, clock):
    with pytest.raises(ValidationFailed):
        visitor_sign_in(actor=clerk, location_id=location.pk, name="", visiting="", id_type="x", id_last4="12",
                        badge="")
    _visitor(clerk, location)
    with pytest.raises(ValidationFailed, match="badge"):
        _visitor(clerk, location)
    assert Visitor.objects.count() == 1


def test_visitors_are_refused_at_another_location_and_to_outsiders(clerk, outsider, stranger, location, clock):
    visitor = _visitor(clerk, location)
    with pytest.raises(PermissionDenied):
        _visitor(outsider, location, badge="B-2")
    with pytest.raises(PermissionDenied) as error:
        visitor_sign_out(actor=outsider, visitor_id=visitor.pk)
    assert error.value.status == 404
    with pytest.raises(PermissionDenied):
        visitors_open(actor=stranger, location=location)


# --- calls and triage slips -----------------------------------------------------------------------------

def _clinical(clerk, location, patient, **routing):
    return call_record(actor=clerk, location_id=location.pk, caller_name="Ana", caller_phone="413-555-0101",
                       patient_id=patient.pk, reason="clinical", disposition="triage",
                       question="Rash after new medication", priority=routing.pop("priority", "same-day"),
                       **routing)


def test_a_call_is_logged_with_reason_and_disposition(clerk, location, clock):
    call = call_record(actor=clerk, location_id=location.pk, caller_name="Bob", reason="billing",
                       disposition="resolved")
    assert calls_on(actor=clerk, location=location, day=TODAY) == [call]
    assert not TriageSlip.objects.exists()


def test_clinical_question_becomes_a_slip_answered_and_called_back(clerk, doctor_user, location, patient, clock):
    call = _clinical(clerk, location, patient, assignee_id=doctor_user.pk)
    slip = call.slip
    assert inbox_for(actor=doctor_user).slips == [slip]
    with pytest.raises(InvalidTransition, match="no response"):
        slip_close(actor=clerk, slip_id=slip.pk)
    with pytest.raises(ValidationFailed):
        slip_answer(actor=doctor_user, slip_id=slip.pk, response="  ")
    slip_answer(actor=doctor_user, slip_id=slip.pk, response="Stop the medication; come in today.")
    desk_inbox = inbox_for(actor=clerk)
    assert desk_inbox.answered == [slip]
    assert desk_inbox.answered[0].responded_by == doctor_user
    slip_close(actor=clerk, slip_id=slip.pk)
    assert TriageSlip.objects.get().status == "closed"


def test_slip_to_a_pool_reaches_everyone_in_the_pool(clerk, nurse, location, patient, clock):
    slip = _clinical(clerk, location, patient, pool=Role.NURSE.value).slip
    assert inbox_for(actor=nurse).slips == [slip]


def test_triage_needs_the_question_the_patient_and_a_route(clerk, location, patient, clock):
    with pytest.raises(ValidationFailed):
        call_record(actor=clerk, location_id=location.pk, caller_name="Ana", patient_id=patient.pk,
                    reason="clinical", disposition="triage", question="")
    with pytest.raises(ValidationFailed):
        _clinical(clerk, location, patient)  # no clinician or pool
    assert not CallLog.objects.exists() and not TriageSlip.objects.exists()


def test_unanswered_slip_escalates_to_the_practice_coordinator(clerk, coordinator, doctor_user, location, patient,
                                                               clock, settings):
    settings.FRONTDESK_TRIAGE_ESCALATION_MINUTES = {"urgent": 15}
    slip = _clinical(clerk, location, patient, assignee_id=doctor_user.pk, priority="urgent").slip
    clock.advance(dt.timedelta(minutes=14))
    assert inbox_for(actor=coordinator).escalations == []
    assert slips_escalate_due() == 0
    clock.advance(dt.timedelta(minutes=1))
    assert inbox_for(actor=coordinator).escalations == [slip]  # computed on read
    assert slips_escalate_due() == 1  # and stamped by the worker
    assert TriageSlip.objects.get().escalated_at == clock.now()


def test_slips_are_hidden_from_other_locations(clerk, outsider, doctor_user, location, patient, clock):
    slip = _clinical(clerk, location, patient, assignee_id=doctor_user.pk).slip
    with pytest.raises(PermissionDenied):
        _clinical(outsider, location, patient, assignee_id=doctor_user.pk)
    with pytest.raises(PermissionDenied) as error:
        slip_close(actor=outsider, slip_id=slip.pk)
    assert error.value.status == 404
    assert inbox_for(actor=outsider).answered == []


# --- tasks and the inbox --------------------------------------------------------------------------------

def test_tasks_reach_the_assignee_or_the_pool_and_overdue_ones_come_first(clerk, nurse, location, patient, clock):
    late = task_create(actor=clerk, location_id=location.pk, title="Call about records",
                       due_date=TODAY - dt.timedelta(2), pool=Role.FRONT_DESK.value, patient_id=patient.pk)
    soon = task_create(actor=clerk, location_id=location.pk, title="Fax referral", due_date=TODAY + dt.timedelta(1),
                       assignee_id=clerk.pk, priority="urgent")
    task_create(actor=clerk, location_id=location.pk, title="Restock", due_date=TODAY, assignee_id=nurse.pk)
    inbox = inbox_for(actor=clerk)
    assert inbox.tasks == [late, soon]
    assert inbox.overdue(late) and not inbox.overdue(soon)
    task_set_status(actor=clerk, task_id=late.pk, status=TaskStatus.DONE)
    assert inbox_for(actor=clerk).tasks == [soon]
    with pytest.raises(InvalidTransition):
        task_set_status(actor=clerk, task_id=late.pk, status=TaskStatus.OPEN)


def test_tasks_are_refused_at_another_location_and_to_outsiders(clerk, outsider, stranger, location, clock):
    task = task_create(actor=clerk, location_id=location.pk, title="x", due_date=TODAY, pool="front_desk")
    with pytest.raises(PermissionDenied):
        task_create(actor=outsider, location_id=location.pk, title="x", due_date=TODAY, pool="front_desk")
    with pytest.raises(PermissionDenied):
        task_set_status(actor=outsider, task_id=task.pk, status="done")
    with pytest.raises(PermissionDenied):
        task_create(actor=stranger, location_id=location.pk, title="x", due_date=TODAY, pool="front_desk")
    assert inbox_for(actor=outsider).tasks == []


# --- pre-visit worklist ---------------------------------------------------------------------------------

def test_worklist_lists_not_ready_appointments_of_the_next_three_business_days(clerk, location, provider, patient,
                                                                               follow_up_type, clock):
    follow_up_type.checklist = ["referral", "photo_id"]
    follow_up_type.save()
    LocationHolidayFactory(location=location, day=TODAY + dt.timedelta(days=3))  # Thanksgiving, Thursday
    friday = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=4)),
                                checklist_done=["photo_id"])
    AppointmentFactory(location=location, practitioner=provider, patient=patient, appointment_type=follow_up_type,
                       start=at(9, day=TODAY + dt.timedelta(days=7)))  # next Monday: outside the window
    rows = previsit_worklist(actor=clerk, location=location)
    # The window is Tuesday, Wednesday and (Thursday being closed) Friday.
    assert [r.appointment for r in rows] == [friday]
    assert [item for item, _label in rows[0].missing] == ["referral", "forms", "insurance"]


def test_worklist_chase_task_in_one_click_and_only_once(clerk, location, provider, patient, follow_up_type, clock):
    follow_up_type.checklist = ["referral"]
    follow_up_type.save()
    tuesday = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                 appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=1)))
    rows = previsit_worklist(actor=clerk, location=location)
    assert [(r.appointment, [m[0] for m in r.missing]) for r in rows] == [(tuesday, ["referral", "forms",
                                                                                      "insurance"])]
    task = chase_task_create(actor=clerk, appointment_id=tuesday.pk, item="referral")
    assert chase_task_create(actor=clerk, appointment_id=tuesday.pk, item="referral") == task
    assert Task.objects.count() == 1 and task.pool == "front_desk" and task.patient == patient
    assert previsit_worklist(actor=clerk, location=location)[0].chased == {"referral"}


def test_worklist_is_refused_at_another_location_and_to_outsiders(outsider, stranger, location, clock):
    with pytest.raises(PermissionDenied):
        previsit_worklist(actor=outsider, location=location)
    with pytest.raises(PermissionDenied):
        previsit_worklist(actor=stranger, location=location)


def test_escalation_command_and_task_stamp_overdue_slips(clerk, doctor_user, location, patient, clock, settings):
    from django.core.management import call_command

    from clinicdesk.frontdesk.tasks import escalate_triage_slips

    settings.FRONTDESK_TRIAGE_ESCALATION_MINUTES = {"same-day": 60}
    _clinical(clerk, location, patient, assignee_id=doctor_user.pk)
    clock.advance(dt.timedelta(minutes=61))
    call_command("frontdesk", "escalate")
    assert TriageSlip.objects.get().escalated_at is not None
    assert escalate_triage_slips.call() == 0
