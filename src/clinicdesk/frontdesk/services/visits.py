"""Arrivals, check-in, the patient flow, walk-ins, check-out with follow-up. Appointment statuses move only
through scheduling's own services."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require, staff_user
from clinicdesk.insurance import selectors as insurance_selectors
from clinicdesk.patients.models import Coverage, Patient
from clinicdesk.patients.selectors import require_patient_in_reach
from clinicdesk.practice.models import Location, Practitioner, Room
from clinicdesk.scheduling import hooks as scheduling_hooks
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType, ChecklistItem
from clinicdesk.scheduling.search import SearchQuery
from clinicdesk.scheduling.selectors import slots_search

from ..models import (
    STAMP,
    TRANSITIONS,
    Visit,
    VisitEvent,
    VisitStatus,
)
from .common import PRIMARY_CARE, _require_flow, _require_staff_any, local_today


def expected_copay(patient: Patient, practitioner: Practitioner | None, day: dt.date,
                   appointment: Appointment | None = None) -> Decimal | None:
    """The co-pay the visit is expected to cost under the primary coverage on file that day: what a fresh, active
    271 states for the visit's service type (insurance.selectors.visit_copay_from_eligibility), else the
    coverage's primary-care or specialist amount."""
    return expected_copay_with_source(active_coverages(patient, day), practitioner, appointment)[0]


def active_coverages(patient: Patient, day: dt.date) -> list[Coverage]:
    """The patient's coverages active on `day`, the primary first."""
    return [c for c in Coverage.objects.filter(patient=patient).select_related("payer")
            .order_by("order", "-start_date") if c.is_active_on(day)]


def expected_copay_with_source(coverages: list[Coverage], practitioner: Practitioner | None,
                               appointment: Appointment | None) -> tuple[Decimal | None, bool]:
    """`expected_copay` from the patient's active coverages of the day (primary first), already read, and whether
    the amount is the payer's own (a 271's) rather than the coverage's card amount."""
    if not coverages:
        return None, False
    coverage = coverages[0]
    if (stated := insurance_selectors.visit_copay_from_eligibility(coverage, appointment)) is not None:
        return stated, True
    specialty = (getattr(practitioner, "specialty", "") or "").strip().lower()
    primary = not specialty or specialty in PRIMARY_CARE
    first, second = ((coverage.copay_primary, coverage.copay_specialist) if primary
                     else (coverage.copay_specialist, coverage.copay_primary))
    return (first if first is not None else second), False


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
    appointment = Appointment.objects.select_related("appointment_type", "location").get(pk=appointment_id)
    wanted = set(scheduling.readiness(appointment).required)  # scheduling's one home of readiness
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

