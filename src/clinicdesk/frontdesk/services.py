"""Every front-desk write: arrivals, check-in, the patient flow, walk-ins, check-out with follow-up,
visitors, calls and triage slips, tasks. Each service checks the permission at the location, validates
before writing, audits in the same transaction, and moves appointment statuses only through
scheduling's own services."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, Role, SystemActor, has_perm, require, staff_user
from clinicdesk.insurance import selectors as insurance_selectors
from clinicdesk.patients.models import Coverage, Patient
from clinicdesk.patients.selectors import require_patient_in_reach
from clinicdesk.practice.models import Location, Practitioner, Room
from clinicdesk.scheduling import hooks as scheduling_hooks
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType, ChecklistItem
from clinicdesk.scheduling.search import SearchQuery
from clinicdesk.scheduling.selectors import slots_search

from .models import (
    SLIP_TRANSITIONS,
    STAMP,
    TASK_TRANSITIONS,
    TRANSITIONS,
    CallDisposition,
    CallLog,
    CallReason,
    Priority,
    SlipStatus,
    Task,
    TaskStatus,
    TriageSlip,
    Visit,
    VisitEvent,
    Visitor,
    VisitStatus,
)

PRIMARY_CARE = ("family medicine", "internal medicine", "pediatrics", "general practice", "primary care")
# Minutes an open triage slip may wait before it escalates to the practice coordinator (per priority).
DEFAULT_ESCALATION_MINUTES = {Priority.URGENT: 30, Priority.SAME_DAY: 240, Priority.ROUTINE: 24 * 60}
CHASE_ITEMS = {**dict(ChecklistItem.choices), "forms": gettext_lazy("Consent and intake forms"),
               "insurance": gettext_lazy("Insurance on file")}


def escalation_minutes() -> dict[str, int]:
    return {**DEFAULT_ESCALATION_MINUTES, **getattr(settings, "FRONTDESK_TRIAGE_ESCALATION_MINUTES", {})}


def may_work_the_desk(actor: Actor, location: Location | int) -> bool:
    """Desk staff and clinicians at this location: who moves patients along the flow board and creates tasks
    (other apps ask before they offer a task form, e.g. a transfer's follow-up)."""
    return has_perm(actor, Perm.FRONTDESK, location=location) or has_perm(actor, Perm.CLINICAL_TRIAGE,
                                                                          location=location)


def _require_flow(actor: Actor, location: Location | int, **hidden: Any) -> None:
    """Desk staff and clinicians move patients along the flow board at their own locations."""
    if may_work_the_desk(actor, location):
        return
    require(actor, Perm.FRONTDESK, location=location, **hidden)


def _require_staff_any(actor: Actor) -> None:
    if not (has_perm(actor, Perm.FRONTDESK) or has_perm(actor, Perm.CLINICAL_TRIAGE)):
        require(actor, Perm.FRONTDESK)


def local_today(location: Location) -> dt.date:
    return clock.today_in(location.tz)


def expected_copay(patient: Patient, practitioner: Practitioner | None, day: dt.date,
                   appointment: Appointment | None = None) -> Decimal | None:
    """The co-pay the visit is expected to cost under the primary coverage on file that day: what a fresh, active
    271 states for the visit's service type (insurance.selectors.visit_copay_from_eligibility), else the
    coverage's primary-care or specialist amount."""
    coverages = [c for c in Coverage.objects.filter(patient=patient).select_related("payer")
                 .order_by("order", "-start_date") if c.is_active_on(day)]
    if not coverages:
        return None
    coverage = coverages[0]
    if (stated := insurance_selectors.visit_copay_from_eligibility(coverage, appointment)) is not None:
        return stated
    specialty = (getattr(practitioner, "specialty", "") or "").strip().lower()
    primary = not specialty or specialty in PRIMARY_CARE
    first, second = ((coverage.copay_primary, coverage.copay_specialist) if primary
                     else (coverage.copay_specialist, coverage.copay_primary))
    return first if first is not None else second


# --- arrivals, check-in and the flow ------------------------------------------------------------

def _event(visit: Visit, actor: Actor, from_status: str, to_status: str, **detail: Any) -> None:
    VisitEvent.objects.create(visit=visit, at=clock.now(), from_status=from_status, to_status=to_status,
                              actor=staff_user(actor), detail=detail)


def _load_for_arrival(appointment_id: int) -> Appointment | None:
    return Appointment.objects.select_related("location", "patient", "practitioner").filter(
        pk=appointment_id).first()


def _refuse_unarrivable(appointment: Appointment) -> None:
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW,
                              AppointmentStatus.ENTERED_IN_ERROR):
        raise InvalidTransition("not-checkable", _("This appointment is %(status)s; it cannot be checked in.")
                                % {"status": appointment.get_status_display().lower()})
    if (refusal := scheduling.arrival_day_refusal(appointment)) is not None:
        raise refusal


def _appointment_for_arrival(actor: Actor, appointment_id: int) -> Appointment:
    require(actor, Perm.FRONTDESK, resource_type="appointment", resource_id=appointment_id)
    appointment = _load_for_arrival(appointment_id)
    if appointment is None:
        raise NotFound()
    require(actor, Perm.FRONTDESK, location=appointment.location_id, hide=True, resource_type="appointment",
            resource_id=appointment_id, patient_id=appointment.patient_id)
    _refuse_unarrivable(appointment)
    return appointment


@atomic_service
def visit_arrive(*, actor: Actor, appointment_id: int) -> Visit:
    """The patient is at the desk: the appointment becomes 'arrived' through scheduling's one status path,
    whose `status_changed` event opens the visit (`visit_follow_appointment`); the wait timer runs."""
    return _arrive(actor, _appointment_for_arrival(actor, appointment_id))


@atomic_service
def self_arrival(*, actor: Actor, appointment_id: int) -> Visit:
    """A patient marks their own visit arrived (the waiting-room kiosk). The actor must be the patient of the
    appointment or their authorized proxy: a patient's actor (the portal's) proves it with `reach`, which answers
    NotFound for anyone else's visit; any other actor is refused (the desk uses `visit_arrive`). Then the desk's
    one arrival path runs (the same refusals, the same visit, the same audit entries, in the patient's name),
    allowed the desk's arrival for this appointment only: the patient's actor itself holds no front-desk right."""
    reach = getattr(actor, "reach", None)
    if not isinstance(actor, SystemActor) or reach is None:
        raise PermissionDenied(actor=actor, permission="frontdesk.self_arrival", resource_type="appointment",
                               resource_id=str(appointment_id))
    appointment = _load_for_arrival(appointment_id)
    if appointment is None:
        raise NotFound()
    reach(appointment.patient_id)
    _refuse_unarrivable(appointment)
    arriving = copy.copy(actor)  # the same patient (audit name, role, proxy detail), for this one arrival
    arriving.perms = actor.perms | {Perm.FRONTDESK}
    return _arrive(arriving, appointment)


def _arrive(actor: Actor, appointment: Appointment) -> Visit:
    """The one arrival path, for the desk and the patient's own arrival alike (the actor already checked)."""
    existing = Visit.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if appointment.status in scheduling.ARRIVAL_STATUSES:
        # Marked arrived somewhere that did not open a visit (before every face shared this path): open it now.
        return _visit_follow(appointment, actor, appointment.status)
    if appointment.status != AppointmentStatus.BOOKED:
        raise InvalidTransition("not-checkable", _("This appointment is %(status)s; it cannot be checked in.")
                                % {"status": appointment.get_status_display().lower()})
    scheduling.appointment_arrive(actor=actor, appointment_id=appointment.pk)
    return Visit.objects.get(appointment=appointment)


def _visit_follow(appointment: Appointment, actor: Actor, status: str) -> Visit:
    """Open the appointment's visit if it has none, and bring it to `status` (arrived or checked-in)."""
    visit = Visit.objects.select_for_update(of=("self",), no_key=True).filter(appointment=appointment).first()
    if visit is None:
        visit = Visit.objects.create(location=appointment.location, patient=appointment.patient,
                                     appointment=appointment, practitioner=appointment.practitioner,
                                     service_id=appointment.appointment_type_id, day=local_today(appointment.location),
                                     status=VisitStatus.ARRIVED, arrived_at=clock.now(), created_by=staff_user(actor))
        _event(visit, actor, "", VisitStatus.ARRIVED)
        record(actor, "visit.arrive", visit, patient=appointment.patient_id, detail={"appointment": appointment.pk})
    if status == AppointmentStatus.CHECKED_IN and visit.status == VisitStatus.ARRIVED:
        visit.expected_copay = expected_copay(appointment.patient, appointment.practitioner, visit.day, appointment)
        _move(visit, actor, VisitStatus.CHECKED_IN, confirmed=[])
    return visit


def visit_follow_appointment(change: scheduling_hooks.StatusChange) -> None:
    """scheduling's `status_changed` handler, run inside the status move's transaction, whichever face made
    it (calendar panel, JSON API, FHIR, the desk): arrived or checked-in opens or advances the visit, so the
    patient is on the flow board; an arrival undone (arrived -> booked) removes the visit it opened."""
    appointment, actor = change.appointment, change.actor
    if change.to_status in scheduling.ARRIVAL_STATUSES:
        _visit_follow(appointment, actor, change.to_status)
    elif change.from_status == AppointmentStatus.ARRIVED and change.to_status == AppointmentStatus.BOOKED:
        visit = Visit.objects.select_for_update(of=("self",), no_key=True).filter(appointment=appointment).first()
        if visit is None:
            return
        if visit.status != VisitStatus.ARRIVED:
            raise InvalidTransition("visit-started", _("This patient is already %(status)s; the arrival cannot be "
                                                       "undone.") % {"status": visit.get_status_display().lower()})
        record(actor, "visit.undo_arrival", visit, patient=visit.patient_id, detail={"appointment": appointment.pk})
        visit.delete()


def _lock_visit(actor: Actor, visit_id: int) -> Visit:
    _require_staff_any(actor)
    # FOR NO KEY UPDATE (as scheduling's _lock): other commits' foreign-key checks on the visit need not wait.
    visit = Visit.objects.select_for_update(of=("self",), no_key=True).select_related(
        "location", "patient", "practitioner").filter(pk=visit_id).first()
    if visit is None:
        raise NotFound()
    _require_flow(actor, visit.location_id, hide=True, resource_type="visit", resource_id=visit_id,
                  patient_id=visit.patient_id)
    return visit


def _move(visit: Visit, actor: Actor, to_status: str, **detail: Any) -> Visit:
    from_status = visit.status
    if to_status not in TRANSITIONS[from_status]:
        raise InvalidTransition("invalid-transition", _("A patient who is '%(from)s' cannot move to '%(to)s'.")
                                % {"from": VisitStatus(from_status).label, "to": VisitStatus(to_status).label})
    visit.status = to_status
    setattr(visit, STAMP[to_status], clock.now())
    visit.save()
    _event(visit, actor, from_status, to_status, **detail)
    record(actor, f"visit.{to_status}", visit, patient=visit.patient_id, detail={"from": from_status, **detail})
    return visit


@atomic_service
def visit_check_in(*, actor: Actor, appointment_id: int | None = None, visit_id: int | None = None,
                   demographics: bool = False, insurance: bool = False, photo_id: bool = False) -> Visit:
    """Confirm what is on file (each confirmation stamped with who and when) and put the patient in the
    waiting room. A scheduled patient who was not marked arrived is arrived first."""
    if visit_id is None:
        if appointment_id is None:
            raise ValidationFailed("missing-visit", _("Choose the appointment to check in."))
        visit = visit_arrive(actor=actor, appointment_id=appointment_id)
        visit_id = visit.pk
    visit = _lock_visit(actor, visit_id)
    require(actor, Perm.FRONTDESK, location=visit.location_id, hide=True)
    if visit.status != VisitStatus.ARRIVED:
        raise InvalidTransition("already-checked-in", _("This patient is already checked in."))
    now, user = clock.now(), staff_user(actor)
    confirmed = []
    for name, ok in (("demographics", demographics), ("insurance", insurance), ("photo_id", photo_id)):
        if ok:
            setattr(visit, f"{name}_verified_at", now)
            setattr(visit, f"{name}_verified_by", user)
            confirmed.append(name)
    visit.expected_copay = expected_copay(visit.patient, visit.practitioner, visit.day, visit.appointment)
    _move(visit, actor, VisitStatus.CHECKED_IN, confirmed=confirmed)
    if visit.appointment_id:
        _tick_confirmed(actor, visit.appointment_id, confirmed)
        scheduling.appointment_check_in(actor=actor, appointment_id=visit.appointment_id)
    return visit


# What each desk confirmation ticks on the pre-visit checklist (the card seen ticks "Insurance card").
CONFIRMATION_TICKS = {"photo_id": ChecklistItem.PHOTO_ID, "insurance": ChecklistItem.INSURANCE_CARD}


def _tick_confirmed(actor: Actor, appointment_id: int, confirmed: list[str]) -> None:
    """A confirmation at the desk ticks the checklist item it proves, through scheduling's own service, so
    the page, the calendar panel and the worklist agree that it is done."""
    appointment = Appointment.objects.select_related("appointment_type").get(pk=appointment_id)
    wanted = set(appointment.appointment_type.checklist or [])
    for name in confirmed:
        item = CONFIRMATION_TICKS.get(name)
        if item is not None and item in wanted and item not in (appointment.checklist_done or []):
            scheduling.appointment_checklist_mark(actor=actor, appointment_id=appointment_id, item=item)


@atomic_service
def visit_room(*, actor: Actor, visit_id: int, room_id: int, assistant_id: int | None = None) -> Visit:
    visit = _lock_visit(actor, visit_id)
    room = Room.objects.filter(pk=room_id, active=True).first()
    if room is None or room.location_id != visit.location_id:
        raise ValidationFailed("unknown-room", _("Choose a room at this location."), fields={"room": [_("Unknown.")]})
    assistant = None
    if assistant_id:
        from clinicdesk.accounts.models import User

        assistant = User.objects.filter(pk=assistant_id, is_active=True).first()
        if assistant is None or not assistant.works_at(visit.location_id):
            raise ValidationFailed("unknown-assistant", _("Choose a medical assistant who works here."),
                                   fields={"assistant": [_("Unknown.")]})
    visit.room, visit.assistant = room, assistant
    return _move(visit, actor, VisitStatus.ROOMED, room=room.pk, assistant=assistant.pk if assistant else None)


@atomic_service
def visit_provider_start(*, actor: Actor, visit_id: int) -> Visit:
    return _move(_lock_visit(actor, visit_id), actor, VisitStatus.WITH_PROVIDER)


@atomic_service
def visit_ready_for_checkout(*, actor: Actor, visit_id: int) -> Visit:
    return _move(_lock_visit(actor, visit_id), actor, VisitStatus.READY_FOR_CHECKOUT)


@atomic_service
def visit_check_out(*, actor: Actor, visit_id: int) -> Visit:
    visit = _lock_visit(actor, visit_id)
    require(actor, Perm.FRONTDESK, location=visit.location_id, hide=True)
    _move(visit, actor, VisitStatus.CHECKED_OUT)
    if visit.appointment_id:
        scheduling.appointment_fulfil(actor=actor, appointment_id=visit.appointment_id)
    return visit


@atomic_service
def visit_leave(*, actor: Actor, visit_id: int, reason: str) -> Visit:
    visit = _lock_visit(actor, visit_id)
    if not reason.strip():
        raise ValidationFailed("reason-required", _("Say why the patient left."), fields={"reason": [_("Required.")]})
    visit.note = reason.strip()[:200]
    return _move(visit, actor, VisitStatus.LEFT, reason=visit.note)


# --- walk-ins --------------------------------------------------------------------------------------

@atomic_service
def walk_in_add(*, actor: Actor, location_id: int, patient_id: int, practitioner_id: int | None = None,
                service_id: int | None = None, note: str = "", idempotency_key: str | None = None) -> Visit:
    """Add a patient to today's walk-in queue, for a provider or a service."""
    location = Location.objects.filter(pk=location_id, active=True).first()
    if location is None:
        raise ValidationFailed("unknown-location", _("No such location."))
    require(actor, Perm.FRONTDESK, location=location)
    key = (idempotency_key or "").strip()[:80] or None
    if key and (prior := Visit.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    patient = Patient.objects.filter(pk=patient_id, active=True).first()
    if patient is None:
        raise ValidationFailed("unknown-patient", _("Find or register the patient first."),
                               fields={"patient": [_("Unknown patient.")]})
    # Only a patient the desk could have found: another location's chart is hidden, as in the search.
    require_patient_in_reach(actor, patient, perm=Perm.FRONTDESK, location=location)
    practitioner = None
    if practitioner_id:
        practitioner = location.practitioners.filter(pk=practitioner_id, active=True).first()
        if practitioner is None:
            raise ValidationFailed("unknown-practitioner", _("Choose a provider who works here."),
                                   fields={"practitioner": [_("Unknown.")]})
        age = patient.age_on(local_today(location))
        if not practitioner.sees_age(age):
            message = _("%(provider)s sees %(range)s; this patient is %(age)s. Choose another provider.") % {
                "provider": practitioner, "range": practitioner.age_range_label, "age": age}
            raise ValidationFailed("provider-age-range", message, fields={"practitioner": [message]})
    service = None
    if service_id:
        service = AppointmentType.objects.filter(pk=service_id, active=True).first()
        if service is None:
            raise ValidationFailed("unknown-service", _("No such service."), fields={"service": [_("Unknown.")]})
    if practitioner is None and service is None:
        raise ValidationFailed("provider-or-service", _("Choose a provider or a service."),
                               fields={"practitioner": [_("Choose a provider or a service.")]})
    if Visit.objects.filter(patient=patient, day=local_today(location), status__in=[
            VisitStatus.ARRIVED, VisitStatus.CHECKED_IN, VisitStatus.ROOMED, VisitStatus.WITH_PROVIDER]).exists():
        raise Conflict("already-here", _("This patient is already in the clinic today."))
    visit = Visit.objects.create(location=location, patient=patient, practitioner=practitioner, service=service,
                                 walk_in=True, day=local_today(location), arrived_at=clock.now(), note=note[:200],
                                 idempotency_key=key, created_by=staff_user(actor))
    _event(visit, actor, "", VisitStatus.ARRIVED, walk_in=True)
    record(actor, "visit.walk_in", visit, patient=patient)
    return visit


# --- check-out -------------------------------------------------------------------------------------

@atomic_service
def follow_up_book(*, actor: Actor, visit_id: int, appointment_type_id: int, weeks: int = 0,
                   practitioner_id: int | None = None, idempotency_key: str | None = None) -> Appointment:
    """Book the follow-up the provider asked for in one step: the first available option from `weeks`
    ahead (with the same provider unless another is chosen), through scheduling's own search and booking."""
    visit = _lock_visit(actor, visit_id)
    require(actor, Perm.SCHEDULE_WRITE, location=visit.location_id, hide=True)
    if visit.follow_up_id is not None:
        return Appointment.objects.get(pk=visit.follow_up_id)
    if not 0 <= int(weeks) <= 104:
        raise ValidationFailed("bad-weeks", _("A follow-up is 0 to 104 weeks out."), fields={"weeks": ["0-104"]})
    wanted = practitioner_id or visit.practitioner_id
    first_day = local_today(visit.location) + dt.timedelta(days=max(1, 7 * int(weeks)))
    options = slots_search(actor=actor, query=SearchQuery(
        appointment_type_id=int(appointment_type_id), location_id=visit.location_id, patient_id=visit.patient_id,
        first_day=first_day, practitioner_ids=(int(wanted),) if wanted else (), limit=1))
    if not options:
        raise Conflict("no-slot", _("No free time was found in the 60 days from %(day)s.")
                       % {"day": first_day.strftime("%m/%d/%Y")})
    option = options[0]
    appointment = scheduling.appointment_book(actor=actor, request=scheduling.BookingRequest(
        patient_id=visit.patient_id, practitioner_id=option.practitioner.pk, location_id=visit.location_id,
        appointment_type_id=int(appointment_type_id), start=option.start,
        room_id=option.room.pk if option.room else None,
        equipment_ids=tuple(e.pk for e in option.equipment), note=_("Follow-up")), idempotency_key=idempotency_key)
    Visit.objects.filter(pk=visit.pk).update(follow_up=appointment)
    visit.follow_up = appointment
    record(actor, "visit.follow_up", visit, patient=visit.patient_id, detail={"appointment": appointment.pk})
    return appointment


# --- visitors --------------------------------------------------------------------------------------

@atomic_service
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
