"""Status moves: the one rule for which move is possible now (`move_refusal`), cancel, confirm, no-show, the
general move (arrived and checked-in are announced to the front desk inside the transaction), the checklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, DomainError, InvalidTransition, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm
from clinicdesk.practice.selectors import practice_settings

from .. import hooks
from ..models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Appointment,
    AppointmentStatus,
    ChecklistItem,
)
from . import booking
from .booking import BookingRequest, _free, _history, _load_for_update
from .readiness import forget, readiness

# Cancelling closer to the start than this marks the cancellation late.
LATE_CANCEL_WINDOW = dt.timedelta(hours=24)

_PERM_FOR_STATUS: dict[str, Perm] = {
    AppointmentStatus.ARRIVED: Perm.FRONTDESK,
    AppointmentStatus.CHECKED_IN: Perm.FRONTDESK,
    AppointmentStatus.FULFILLED: Perm.FRONTDESK,
}


# Moves that mean the patient is here: allowed only on the appointment's own day at its location.
ARRIVAL_STATUSES: frozenset[str] = frozenset({AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN})


def arrival_day_refusal(appointment: Appointment) -> ValidationFailed | None:
    """A patient arrives (or is checked in) only on the appointment's own day, in its location's zone."""
    tz = appointment.location.tz
    today, day = clock.today_in(tz), appointment.start.astimezone(tz).date()
    if day == today:
        return None
    return ValidationFailed("not-today", _(
        "This appointment is on %(day)s, not today (%(today)s): only today's appointments can be marked arrived "
        "or checked in.") % {"day": formats.date_format(day, "DATE_FORMAT"),
                             "today": formats.date_format(today, "DATE_FORMAT")})


def move_refusal(appointment: Appointment, to_status: str) -> DomainError | None:
    """Why `appointment` cannot move to `to_status` now, or None. The one rule for status moves: the
    TRANSITIONS table plus the rules of time (arrival and check-in only on the appointment's day in its
    location's time zone; a no-show only once it has started). `_transition` raises what this returns, and
    every screen that offers moves (calendar panel, Arrivals) shows only the ones that pass it."""
    from_status = appointment.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        return InvalidTransition(
            "invalid-transition",
            _("An appointment that is %(from)s cannot become %(to)s.") % {
                "from": AppointmentStatus(from_status).label.lower(), "to": AppointmentStatus(to_status).label.lower()})
    if to_status in ARRIVAL_STATUSES and (refusal := arrival_day_refusal(appointment)) is not None:
        return refusal
    if to_status == AppointmentStatus.NOSHOW and appointment.start > clock.now():
        return ValidationFailed("too-early", _("An appointment that has not started yet cannot be a no-show."))
    return None


def appointment_moves(appointment: Appointment) -> list[str]:
    """The statuses `appointment` may move to now (in the order of AppointmentStatus), from `move_refusal`."""
    return [s for s in AppointmentStatus.values if move_refusal(appointment, s) is None]


def _transition(appointment: Appointment, actor: Actor, to_status: str, *, action: str,
                detail: dict[str, Any] | None = None) -> Appointment:
    from_status = appointment.status
    if (refusal := move_refusal(appointment, to_status)) is not None:
        raise refusal
    appointment.status = to_status
    appointment.save(update_fields=["status", "cancel_reason", "late_cancel", "updated_at"])
    if from_status in ACTIVE_STATUSES and to_status not in ACTIVE_STATUSES:
        _free(appointment, to_status)
    _history(appointment, actor, action, from_status=from_status, to_status=to_status, detail=detail)
    record(actor, f"appointment.{action}", appointment, patient=appointment.patient_id,
           detail={"from": from_status, "to": to_status, **(detail or {})})
    # Inside this transaction: the front desk opens or advances the visit (or refuses, undoing the move).
    hooks.run_status_changed(hooks.StatusChange(appointment, actor, from_status, to_status))
    event = hooks.AppointmentEvent(appointment.pk, action, to_status)
    transaction.on_commit(lambda: hooks.fire_appointment_changed(event))
    return appointment


@atomic_service
def appointment_cancel(*, actor: Actor, appointment_id: int, reason: str) -> Appointment:
    """Cancel with a reason; within the practice's late-cancellation window (24 hours unless its settings say
    otherwise) of the start it is flagged as a late cancellation."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if not reason.strip():
        raise ValidationFailed("reason-required", _("Say why the appointment is cancelled."),
                               fields={"reason": [_("A reason is required.")]})
    appointment.cancel_reason = reason.strip()[:200]
    window = dt.timedelta(hours=practice_settings().late_cancel_hours)  # default: LATE_CANCEL_WINDOW
    appointment.late_cancel = appointment.start - clock.now() < window
    return _transition(appointment, actor, AppointmentStatus.CANCELLED, action="cancel",
                       detail={"reason": appointment.cancel_reason, "late": appointment.late_cancel})


@atomic_service
def appointment_confirm(*, actor: Actor, appointment_id: int, channel: str = "desk") -> Appointment:
    """The patient confirms they will come (reply to a reminder, a link, a call). A pending appointment
    becomes booked; confirming twice changes nothing."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.PENDING):
        raise InvalidTransition("not-confirmable", _("An appointment that is %(status)s cannot be confirmed.") % {
                                "status": AppointmentStatus(appointment.status).label.lower()})
    if appointment.status == AppointmentStatus.PENDING:
        _transition(appointment, actor, AppointmentStatus.BOOKED, action="status", detail={"note": "confirmed"})
    if appointment.confirmed_at is None:
        appointment.confirmed_at, appointment.confirmed_via = clock.now(), channel[:20]
        appointment.save(update_fields=["confirmed_at", "confirmed_via", "updated_at"])
        _history(appointment, actor, "confirmed", from_status=appointment.status, to_status=appointment.status,
                 detail={"channel": channel[:20]})
        record(actor, "appointment.confirm", appointment, patient=appointment.patient_id, detail={"channel": channel})
    return appointment


@atomic_service
def appointment_mark_noshow(*, actor: Actor, appointment_id: int) -> Appointment:
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    return _transition(appointment, actor, AppointmentStatus.NOSHOW, action="noshow")


@atomic_service
def appointment_set_status(*, actor: Actor, appointment_id: int, status: str, note: str = "") -> Appointment:
    """The general status move (FHIR codes), checked by `move_refusal`. Cancelling and no-shows have
    their own services because they carry rules of their own. Arrived and checked-in are announced inside
    the transaction (`hooks.status_changed`): the front desk opens or advances the visit with them, so the
    calendar, the JSON API, FHIR and the desk all arrive a patient the same way."""
    if status not in AppointmentStatus.values:
        raise ValidationFailed("unknown-status", _("'%(status)s' is not an appointment status.") % {"status": status})
    if status == AppointmentStatus.CANCELLED:
        raise ValidationFailed("use-cancel", _("Cancel with appointment_cancel (it needs a reason)."))
    if status == AppointmentStatus.NOSHOW:
        return appointment_mark_noshow(actor=actor, appointment_id=appointment_id)
    appointment = _load_for_update(appointment_id, actor, _PERM_FOR_STATUS.get(status, Perm.SCHEDULE_WRITE))
    if status in ACTIVE_STATUSES and appointment.status not in ACTIVE_STATUSES:
        # e.g. proposed/waitlist -> booked: it must take its resources now.
        request = BookingRequest.like(appointment, equipment_ids=tuple(appointment.equipment.values_list("pk",
                                                                                                        flat=True)))
        booking._occupy(request, actor=actor, write=lambda _plan: appointment,
                        exclude_appointment_id=appointment.pk, check_past=False)
    return _transition(appointment, actor, status, action="status", detail={"note": note[:200]} if note else None)


def appointment_arrive(*, actor: Actor, appointment_id: int) -> Appointment:
    return appointment_set_status(actor=actor, appointment_id=appointment_id, status=AppointmentStatus.ARRIVED)


def appointment_check_in(*, actor: Actor, appointment_id: int) -> Appointment:
    return appointment_set_status(actor=actor, appointment_id=appointment_id, status=AppointmentStatus.CHECKED_IN)


def appointment_fulfil(*, actor: Actor, appointment_id: int) -> Appointment:
    return appointment_set_status(actor=actor, appointment_id=appointment_id, status=AppointmentStatus.FULFILLED)


@atomic_service
def appointment_checklist_mark(*, actor: Actor, appointment_id: int, item: str, done: bool = True) -> Appointment:
    """Tick (or untick) a pre-visit checklist item; `ready_for_visit` follows (services.readiness decides). An
    item a rule of another app still requires (a payer's prior authorization, none covering the visit) is refused
    with the rule named."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if item not in ChecklistItem.values:
        raise ValidationFailed("unknown-checklist-item", _("'%(item)s' is not a checklist item.") % {"item": item})
    needs = readiness(appointment)  # the one home of readiness: the type's checklist and other apps' rules
    if item not in needs.required:
        raise ValidationFailed("not-on-checklist", _("This appointment type does not ask for that item."))
    if done and item in needs.reasons:  # a rule still unmet: the item cannot be ticked, nothing is written
        raise Conflict(needs.codes[item], " ".join(needs.reasons[item]))
    hooks.run_checklist_marking(hooks.ChecklistTick(appointment, actor, item, done))  # e.g. prior auth (#18)
    items = [i for i in appointment.checklist_done if i != item] + ([item] if done else [])
    appointment.checklist_done = sorted(items)
    appointment.save(update_fields=["checklist_done", "updated_at"])
    forget(appointment)
    _history(appointment, actor, "checklist", from_status=appointment.status, to_status=appointment.status,
             detail={"item": item, "done": done, "ready": appointment.ready_for_visit})
    record(actor, "appointment.checklist", appointment, patient=appointment.patient_id,
           detail={"item": item, "done": done})
    return appointment
