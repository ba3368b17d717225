"""Visitors, calls and triage slips, tasks: the desk's log of what happens besides visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, Role, SystemActor, require, staff_user
from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..models import (
    SLIP_TRANSITIONS,
    TASK_TRANSITIONS,
    CallDisposition,
    CallLog,
    CallReason,
    Priority,
    SlipStatus,
    Task,
    TaskStatus,
    TriageSlip,
    Visitor,
)
from .common import CHASE_ITEMS, _require_flow, _require_staff_any, escalation_minutes, local_today


def visitor_sign_in(*, actor: Actor, location_id: int, name: str, visiting: str, id_type: str, id_last4: str,
                    badge: str) -> Visitor:
    require(actor, Perm.FRONTDESK, location=location_id)
    errors: dict[str, list[str]] = {}
    name, visiting, badge, id_last4 = name.strip(), visiting.strip(), badge.strip(), id_last4.strip()
    if not name:
        errors["name"] = [_("Enter the visitor's name.")]
    if not visiting:
        errors["visiting"] = [_("Say whom they visit.")]
    if id_type not in Visitor.IdType.values:
        errors["id_type"] = [_("Choose the type of ID checked.")]
    if len(id_last4) != 4 or not id_last4.isalnum():
        errors["id_last4"] = [_("The last four characters of the ID.")]
    if not badge:
        errors["badge"] = [_("Enter the badge number handed out.")]
    elif Visitor.objects.filter(location_id=location_id, badge=badge, signed_out_at__isnull=True).exists():
        errors["badge"] = [_("That badge is still out with another visitor.")]
    if errors:
        raise ValidationFailed("bad-visitor", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    visitor = Visitor.objects.create(location_id=location_id, name=name[:120], visiting=visiting[:120],
                                     id_type=id_type, id_last4=id_last4.upper(), badge=badge[:20],
                                     signed_in_at=clock.now(), signed_in_by=staff_user(actor))
    record(actor, "visitor.sign_in", visitor, detail={"badge": visitor.badge})
    return visitor


@atomic_service
def visitor_sign_out(*, actor: Actor, visitor_id: int) -> Visitor:
    require(actor, Perm.FRONTDESK)
    visitor = Visitor.objects.select_for_update().select_related("location").filter(pk=visitor_id).first()
    if visitor is None:
        raise NotFound()
    require(actor, Perm.FRONTDESK, location=visitor.location_id, hide=True, resource_type="visitor",
            resource_id=visitor_id)
    if visitor.signed_out_at is not None:
        raise InvalidTransition("already-signed-out", _("%(name)s already signed out at %(time)s.") % {
            "name": visitor.name, "time": visitor.signed_out_at.astimezone(visitor.location.tz).strftime("%H:%M")})
    visitor.signed_out_at, visitor.signed_out_by = clock.now(), staff_user(actor)
    visitor.save(update_fields=["signed_out_at", "signed_out_by"])
    record(actor, "visitor.sign_out", visitor, detail={"badge": visitor.badge})
    return visitor


# --- calls, messages and triage slips --------------------------------------------------------------

def _route(location_id: int, assignee_id: int | None, pool: str) -> tuple[Any, str]:
    from clinicdesk.accounts.models import User

    if assignee_id:
        assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None or not assignee.works_at(location_id):
            raise ValidationFailed("unknown-assignee", _("Choose someone who works at this location."),
                                   fields={"assignee": [_("Unknown.")]})
        return assignee, ""
    if pool not in {r.value for r in Role}:
        raise ValidationFailed("route-required", _("Route it to a person or a pool."),
                               fields={"assignee": [_("Choose a person or a pool.")]})
    return None, pool


@atomic_service
def call_record(*, actor: Actor, location_id: int, caller_name: str, reason: str, disposition: str,
                caller_phone: str = "", patient_id: int | None = None, note: str = "", kind: str = CallLog.Kind.CALL,
                question: str = "", priority: str = Priority.ROUTINE, assignee_id: int | None = None,
                pool: str = "") -> CallLog:
    """Log an incoming call or message. A clinical question sent to triage becomes a slip in a clinician's
    or a pool's inbox."""
    require(actor, Perm.FRONTDESK, location=location_id)
    errors: dict[str, list[str]] = {}
    if not caller_name.strip():
        errors["caller_name"] = [_("Enter who called.")]
    if reason not in CallReason.values:
        errors["reason"] = [_("Choose a reason.")]
    if disposition not in CallDisposition.values:
        errors["disposition"] = [_("Choose what was done.")]
    if kind not in CallLog.Kind.values:
        errors["kind"] = [_("Call or message.")]
    patient = None
    if patient_id:
        patient = Patient.objects.filter(pk=patient_id).first()
        if patient is None:
            errors["patient"] = [_("Unknown patient.")]
    triage = disposition == CallDisposition.TRIAGE
    if triage:
        if reason != CallReason.CLINICAL:
            errors["disposition"] = [_("Only a clinical question goes to triage.")]
        if patient is None:
            errors["patient"] = [_("A triage slip needs the patient.")]
        if not question.strip():
            errors["question"] = [_("Write down the question.")]
        if priority not in Priority.values:
            errors["priority"] = [_("Choose a priority.")]
    if errors:
        raise ValidationFailed("bad-call", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    call = CallLog.objects.create(location_id=location_id, kind=kind, caller_name=caller_name.strip()[:120],
                                  caller_phone=caller_phone.strip()[:20], patient=patient, reason=reason,
                                  disposition=disposition, note=note.strip()[:500], created_by=staff_user(actor),
                                  created_at=clock.now())
    record(actor, "call.record", call, patient=patient, detail={"reason": reason, "disposition": disposition})
    if triage and patient is not None:
        assignee, routed_pool = _route(location_id, assignee_id, pool)
        slip = TriageSlip.objects.create(location_id=location_id, call=call, patient=patient,
                                         question=question.strip()[:2000], priority=priority, assignee=assignee,
                                         pool=routed_pool, created_by=staff_user(actor), created_at=call.created_at)
        record(actor, "triage.create", slip, patient=patient, detail={"priority": priority})
    return call


def _lock_slip(actor: Actor, slip_id: int, perm: Perm) -> TriageSlip:
    require(actor, perm)
    slip = TriageSlip.objects.select_for_update().filter(pk=slip_id).first()
    if slip is None:
        raise NotFound()
    require(actor, perm, location=slip.location_id, hide=True, resource_type="triageslip", resource_id=slip_id,
            patient_id=slip.patient_id)
    return slip


@atomic_service
def slip_answer(*, actor: Actor, slip_id: int, response: str) -> TriageSlip:
    """A clinician answers; the desk sees the answer and who gave it, to call the patient back."""
    slip = _lock_slip(actor, slip_id, Perm.CLINICAL_TRIAGE)
    if not response.strip():
        raise ValidationFailed("response-required", _("Write the response before answering."),
                               fields={"response": [_("Required.")]})
    if SlipStatus.ANSWERED not in SLIP_TRANSITIONS[slip.status]:
        raise InvalidTransition("already-answered", _("This slip was already answered."))
    slip.status, slip.response = SlipStatus.ANSWERED, response.strip()
    slip.responded_by, slip.responded_at = staff_user(actor), clock.now()
    slip.save()
    record(actor, "triage.answer", slip, patient=slip.patient_id)
    return slip


@atomic_service
def slip_close(*, actor: Actor, slip_id: int) -> TriageSlip:
    """The desk called the patient back with the answer. A slip without a response cannot be closed."""
    slip = _lock_slip(actor, slip_id, Perm.FRONTDESK)
    if slip.status == SlipStatus.OPEN or not slip.response.strip():
        raise InvalidTransition("no-response", _("This slip has no response yet; it cannot be closed."))
    if SlipStatus.CLOSED not in SLIP_TRANSITIONS[slip.status]:
        raise InvalidTransition("already-closed", _("This slip is already closed."))
    slip.status, slip.closed_by, slip.closed_at = SlipStatus.CLOSED, staff_user(actor), clock.now()
    slip.save()
    record(actor, "triage.close", slip, patient=slip.patient_id)
    return slip


def slips_escalate_due() -> int:
    """Stamp open slips that waited past their priority's limit (run by the worker; the inbox also
    computes it on read, so nothing depends on the worker's timing)."""
    now, limits, count = clock.now(), escalation_minutes(), 0
    for priority, minutes in limits.items():
        count += TriageSlip.objects.filter(status=SlipStatus.OPEN, escalated_at__isnull=True, priority=priority,
                                           created_at__lte=now - dt.timedelta(minutes=minutes)).update(escalated_at=now)
    return count


# --- tasks -------------------------------------------------------------------------------------------

@atomic_service
def task_create(*, actor: Actor, location_id: int, title: str, due_date: dt.date, priority: str = Priority.ROUTINE,
                assignee_id: int | None = None, pool: str = "", patient_id: int | None = None,
                appointment_id: int | None = None, chase_item: str = "") -> Task:
    _require_flow(actor, location_id)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Say what needs doing.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if not isinstance(due_date, dt.date):
        errors["due_date"] = [_("Enter a due date.")]
    if errors:
        raise ValidationFailed("bad-task", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    assignee, routed_pool = _route(location_id, assignee_id, pool)
    if patient_id:
        home = Patient.objects.filter(pk=patient_id).values_list("home_location_id", flat=True).first()
        if home is None:
            raise ValidationFailed("unknown-patient", _("Unknown patient."),
                                   fields={"patient": [_("Unknown patient.")]})
        if appointment_id is None:  # a chase task's appointment was checked at its location by the caller
            _require_flow(actor, home, hide=True, resource_type="patient", resource_id=patient_id,
                          patient_id=patient_id)
    try:
        with transaction.atomic():
            task = Task.objects.create(location_id=location_id, title=title.strip()[:200], due_date=due_date,
                                       priority=priority, assignee=assignee, pool=routed_pool, patient_id=patient_id,
                                       appointment_id=appointment_id, chase_item=chase_item,
                                       created_by=staff_user(actor), created_at=clock.now())
    except IntegrityError as exc:
        raise Conflict("task-exists", _("A task to chase this is already open.")) from exc
    record(actor, "task.create", task, patient=patient_id, detail={"chase": chase_item} if chase_item else None)
    return task


@atomic_service
def task_set_status(*, actor: Actor, task_id: int, status: str) -> Task:
    _require_staff_any(actor)
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    _require_flow(actor, task.location_id, hide=True, resource_type="task", resource_id=task_id)
    if status not in TASK_TRANSITIONS.get(task.status, frozenset()):
        raise InvalidTransition("invalid-transition", _("A task that is %(from)s cannot become %(to)s.") % {
            "from": task.get_status_display().lower(), "to": status})
    task.status = status
    task.done_at = clock.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "done_at"])
    record(actor, "task.status", task, patient=task.patient_id, detail={"status": status})
    return task


@atomic_service
def chase_task_create(*, actor: Actor, appointment_id: int, item: str) -> Task:
    """One click on the pre-visit worklist: a task for the desk pool to chase one missing item."""
    require(actor, Perm.FRONTDESK)
    appointment = Appointment.objects.select_related("location", "patient").filter(pk=appointment_id).first()
    if appointment is None:
        raise NotFound()
    require(actor, Perm.FRONTDESK, location=appointment.location_id, hide=True, resource_type="appointment",
            resource_id=appointment_id, patient_id=appointment.patient_id)
    if item not in CHASE_ITEMS:
        raise ValidationFailed("unknown-item", _("Unknown item to chase."))
    existing = Task.objects.filter(appointment=appointment, chase_item=item,
                                   status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]).first()
    if existing is not None:
        return existing
    day = appointment.start.astimezone(appointment.location.tz).date()
    due = max(local_today(appointment.location), day - dt.timedelta(days=1))
    title = _("Chase %(item)s before the visit on %(day)s") % {"item": str(CHASE_ITEMS[item]).lower(),
                                                               "day": day.strftime("%m/%d/%Y")}
    return task_create(actor=actor, location_id=appointment.location_id, title=title, due_date=due,
                       priority=Priority.SAME_DAY if due <= local_today(appointment.location) else Priority.ROUTINE,
                       pool=Role.FRONT_DESK.value, patient_id=appointment.patient_id, appointment_id=appointment.pk,
                       chase_item=item)



NO_SHOW_ACTOR = SystemActor("no-show-follow-up", frozenset({Perm.FRONTDESK}))


@atomic_service
def no_show_task_create(*, appointment_id: int) -> Task | None:
    """A missed visit becomes a same-day task for the desk pool to call the patient and rebook
    (the worker runs this when an appointment is marked no-show; running it twice makes one task)."""
    appointment = (Appointment.objects.select_related("location", "appointment_type")
                   .filter(pk=appointment_id, status=AppointmentStatus.NOSHOW).first())
    if appointment is None:
        return None
    existing = Task.objects.filter(appointment=appointment, chase_item="no-show").first()
    if existing is not None:
        return existing
    day = appointment.start.astimezone(appointment.location.tz)
    title = _("No-show on %(day)s (%(name)s): call to rebook") % {
        "day": day.strftime("%m/%d/%Y %H:%M"), "name": appointment.appointment_type.patient_facing_name}
    return task_create(actor=NO_SHOW_ACTOR, location_id=appointment.location_id, title=title,
                       due_date=local_today(appointment.location), priority=Priority.SAME_DAY,
                       pool=Role.FRONT_DESK.value, patient_id=appointment.patient_id, appointment_id=appointment.pk,
                       chase_item="no-show")
