"""Every write to the schedule. One path for every rule: the day view, the JSON API, series, the
waitlist and (later) FHIR all call `appointment_book` and its siblings here.

Race safety: the rows that decide a conflict are locked in primary-key order (practitioner, rooms,
equipment, patient) before the re-check; on SQLite the write lock is already held from BEGIN
(IMMEDIATE). The PostgreSQL exclusion constraint `booking_no_overlap` backs the check up: if it ever
fires, the answer is the same clear 409 "slot-taken".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock, dates
from clinicdesk.core.exceptions import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Perm, has_perm, require
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Equipment, Location, Practitioner, Room

from . import hooks, intervals
from .availability import Window
from .models import (
    ACTIVE_STATUSES,
    MOVABLE_STATUSES,
    TRANSITIONS,
    Appointment,
    AppointmentHistory,
    AppointmentStatus,
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    CalendarFeed,
    ChecklistItem,
    LocationHoliday,
    ResourceBooking,
    ResourceKind,
    Series,
    WaitlistEntry,
)

# Cancelling closer to the start than this marks the cancellation late.
LATE_CANCEL_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class BookingRequest:
    """What a booking asks for. `end` is optional; when given it must match the type's duration.
    `room_id` / `equipment_ids` are optional: missing ones are assigned (first free of the kind)."""

    patient_id: int
    practitioner_id: int
    location_id: int
    appointment_type_id: int
    start: dt.datetime
    end: dt.datetime | None = None
    room_id: int | None = None
    equipment_ids: tuple[int, ...] = ()
    overbook: bool = False
    overbook_reason: str = ""
    note: str = ""
    status: str = AppointmentStatus.BOOKED

    @classmethod
    def like(cls, appointment: Appointment, **changes: Any) -> BookingRequest:
        """A request for the same slot as `appointment` (tests, series); pass `patient=` to swap patient."""
        patient = changes.pop("patient", None)
        base = cls(patient_id=appointment.patient_id, practitioner_id=appointment.practitioner_id,
                   location_id=appointment.location_id, appointment_type_id=appointment.appointment_type_id,
                   start=appointment.start, room_id=appointment.room_id)
        if patient is not None:
            base = replace(base, patient_id=patient.pk)
        return replace(base, **changes)


@dataclass
class Plan:
    """A validated booking: who and what it occupies, when. Nothing written yet."""

    patient: Patient
    practitioner: Practitioner
    location: Location
    appointment_type: AppointmentType
    start: dt.datetime
    end: dt.datetime
    occupied_start: dt.datetime
    occupied_end: dt.datetime
    room: Room | None = None
    equipment: list[Equipment] = field(default_factory=list)
    overbook: bool = False

    def bookings_for(self, appointment: Appointment) -> list[ResourceBooking]:
        rows = [ResourceBooking(appointment=appointment, resource_kind=ResourceKind.PRACTITIONER,
                                resource_id=self.practitioner.pk, start=self.occupied_start,
                                end=self.occupied_end, exclusive=not self.overbook)]
        if self.room is not None:
            rows.append(ResourceBooking(appointment=appointment, resource_kind=ResourceKind.ROOM,
                                        resource_id=self.room.pk, start=self.occupied_start, end=self.occupied_end))
        rows += [ResourceBooking(appointment=appointment, resource_kind=ResourceKind.EQUIPMENT, resource_id=item.pk,
                                 start=self.occupied_start, end=self.occupied_end) for item in self.equipment]
        rows.append(ResourceBooking(appointment=appointment, resource_kind=ResourceKind.PATIENT,
                                    resource_id=self.patient.pk, start=self.start, end=self.end))
        return rows


def staff_user(actor: Any) -> Any:
    """The staff user to keep in a `created_by`-style column: None for system actors (reminder worker,
    a patient's own link), which hold no user row."""
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None else None


# Instants a booking may name: the bookable years of core.dates, the one parser every page and API reads
# days and instants with (far enough from datetime's own limits that adding durations never overflows).
EARLIEST = dates.EARLIEST
LATEST = dates.LATEST


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValidationFailed("naive-time", f"The {name} time needs a time zone (UTC offset).",
                               fields={name: ["Give a time zone."]})
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before the first representable UTC instant
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValidationFailed("out-of-range", f"The {name} time is not between {EARLIEST.year} and "
                                               f"{LATEST.year - 1}.", fields={name: ["Not a year one can book."]})
    return utc


def _local(moment: dt.datetime, location: Location) -> str:
    return moment.astimezone(location.tz).strftime("%Y-%m-%d %H:%M")


def _plan(request: BookingRequest, *, actor: Any, exclude_appointment_id: int | None = None,
          check_past: bool = True) -> Plan:
    """Validate a booking request fully, reading but writing nothing. Raises with a clear reason."""
    location = Location.objects.filter(pk=request.location_id, active=True).first()
    if location is None:
        raise ValidationFailed("unknown-location", "No such location.", fields={"location": ["Unknown location."]})
    require(actor, Perm.SCHEDULE_WRITE, location=location)
    practitioner = Practitioner.objects.filter(pk=request.practitioner_id, active=True).first()
    if practitioner is None:
        raise ValidationFailed("unknown-practitioner", "No such practitioner.",
                               fields={"practitioner": ["Unknown practitioner."]})
    if not practitioner.locations.filter(pk=location.pk).exists():
        raise ValidationFailed("wrong-location", f"{practitioner} does not work at {location.name}.",
                               fields={"location": ["The practitioner does not work here."]})
    kind = AppointmentType.objects.filter(pk=request.appointment_type_id, active=True).first()
    if kind is None:
        raise ValidationFailed("unknown-appointment-type", "No such appointment type.",
                               fields={"appointment_type": ["Unknown appointment type."]})
    allowed = list(kind.allowed_practitioners.values_list("pk", flat=True))
    if allowed and practitioner.pk not in allowed:
        raise ValidationFailed("practitioner-not-allowed", f"{practitioner} does not take '{kind.name}' appointments.",
                               fields={"appointment_type": ["Not offered by this practitioner."]})
    patient = Patient.objects.filter(pk=request.patient_id, active=True).first()
    if patient is None:
        raise ValidationFailed("unknown-patient", "No such patient.", fields={"patient": ["Unknown patient."]})

    start = _aware(request.start, "start")
    end = start + kind.duration
    if request.end is not None:
        given_end = _aware(request.end, "end")
        if given_end <= start:
            raise ValidationFailed("end-before-start", "The end is not after the start.",
                                   fields={"end": ["The end must be after the start."]})
        if given_end != end:
            minutes = int((given_end - start).total_seconds() // 60)
            raise ValidationFailed(
                "duration-mismatch",
                f"'{kind.name}' takes {kind.duration_minutes} minutes, not {minutes}.",
                fields={"end": [f"'{kind.name}' takes {kind.duration_minutes} minutes."]})
    if check_past and start < clock.now():
        raise ValidationFailed("in-the-past", "That time has already passed.",
                               fields={"start": ["Choose a time in the future."]})
    if request.overbook:
        require(actor, Perm.SCHEDULE_OVERBOOK, location=location)
        if not request.overbook_reason.strip():
            raise ValidationFailed("overbook-reason-required", "An overbooking needs a reason.",
                                   fields={"overbook_reason": ["Say why."]})

    room: Room | None = None
    if request.room_id is not None:
        room = Room.objects.filter(pk=request.room_id, active=True).first()
        if room is None:
            raise ValidationFailed("unknown-room", "No such room.", fields={"room": ["Unknown room."]})
        if room.location_id != location.pk:
            raise ValidationFailed("wrong-location", f"{room.name} is not at {location.name}.",
                                   fields={"room": ["That room is at another location."]})
        if kind.room_kind and room.kind != kind.room_kind:
            raise ValidationFailed(
                "wrong-resource-kind",
                f"'{kind.name}' needs a {Room.Kind(kind.room_kind).label.lower()}; {room.name} is a "
                f"{room.get_kind_display().lower()}.", fields={"room": ["Wrong kind of room."]})
    chosen_equipment: list[Equipment] = []
    wanted_kinds = list(kind.equipment_kinds or [])
    if request.equipment_ids:
        items = list(Equipment.objects.filter(pk__in=request.equipment_ids, active=True).order_by("pk"))
        if len(items) != len(set(request.equipment_ids)):
            raise ValidationFailed("unknown-equipment", "No such equipment.", fields={"equipment": ["Unknown."]})
        for item in items:
            if item.location_id != location.pk:
                raise ValidationFailed("wrong-location", f"{item.name} is not at {location.name}.",
                                       fields={"equipment": ["That equipment is at another location."]})
            if item.kind not in wanted_kinds:
                raise ValidationFailed("wrong-resource-kind",
                                       f"'{kind.name}' does not use a {item.get_kind_display()}.",
                                       fields={"equipment": ["Wrong kind of equipment."]})
            wanted_kinds.remove(item.kind)
            chosen_equipment.append(item)

    occupied_start, occupied_end = start - kind.buffer_before, end + kind.buffer_after
    day = start.astimezone(location.tz).date()
    first_day = min(day, occupied_start.astimezone(location.tz).date())
    last_day = max(day, occupied_end.astimezone(location.tz).date())
    window = Window.load(location=location, first_day=first_day, last_day=last_day,
                         practitioner_ids=[practitioner.pk], patient_id=patient.pk,
                         room_kind=(room.kind if room else kind.room_kind) or None,
                         equipment_kinds=[*wanted_kinds, *(e.kind for e in chosen_equipment)],
                         exclude_appointment_id=exclude_appointment_id)
    if day in window.holidays:
        raise ValidationFailed("location-closed", f"{location.name} is closed on {day:%Y-%m-%d} "
                                                  f"({window.holidays[day]}).", fields={"start": ["Closed that day."]})
    if intervals.containing(window.open_for(practitioner.pk, day, kind.pk), start, end) is None:
        in_any_block = intervals.containing(
            intervals.normalize((b.start, b.end) for b in window.blocks(practitioner.pk, day)), start, end)
        if in_any_block is not None:
            raise ValidationFailed("reserved-block", "That time is reserved for other appointment types.",
                                   fields={"start": ["Reserved for other appointment types."]})
        raise ValidationFailed(
            "outside-availability",
            f"{practitioner} is not available {_local(start, location)} to {end.astimezone(location.tz):%H:%M} "
            f"at {location.name}.", fields={"start": ["Outside the practitioner's availability."]})
    if not request.overbook and intervals.overlaps_any(
            window.busy_for(ResourceKind.PRACTITIONER, practitioner.pk), occupied_start, occupied_end):
        raise Conflict("slot-taken", f"{practitioner} is already booked at {_local(start, location)}.")
    if intervals.overlaps_any(window.busy_for(ResourceKind.PATIENT, patient.pk), start, end):
        raise Conflict("patient-overlap", "The patient already has an appointment at that time.")
    if room is not None:
        if window.free_room(occupied_start, occupied_end, wanted=room.pk) is None:
            raise Conflict("room-taken", f"{room.name} is already booked at {_local(start, location)}.")
    elif kind.room_kind:
        room = window.free_room(occupied_start, occupied_end)
        if room is None:
            raise Conflict("no-room-free", f"No {Room.Kind(kind.room_kind).label.lower()} is free at "
                                           f"{_local(start, location)}.")
    for item in chosen_equipment:
        if intervals.overlaps_any(window.busy_for(ResourceKind.EQUIPMENT, item.pk), occupied_start, occupied_end):
            raise Conflict("equipment-taken", f"{item.name} is already booked at {_local(start, location)}.")
    for wanted in wanted_kinds:
        piece = window.free_equipment(wanted, occupied_start, occupied_end)
        if piece is None or piece in chosen_equipment:
            raise Conflict("no-equipment-free", f"No {Equipment.Kind(wanted).label} is free at "
                                                f"{_local(start, location)}.")
        chosen_equipment.append(piece)
    return Plan(patient=patient, practitioner=practitioner, location=location, appointment_type=kind, start=start,
                end=end, occupied_start=occupied_start, occupied_end=occupied_end, room=room,
                equipment=chosen_equipment, overbook=request.overbook)


def _lock(plan: Plan) -> None:
    """Lock the rows that decide a conflict, in a fixed order (model, then pk) so that two bookings
    never wait on each other in opposite orders. No-op on SQLite, which holds the write lock already.

    FOR NO KEY UPDATE: it excludes other bookings, but not the foreign-key checks that PostgreSQL makes when
    another transaction commits a row pointing at these (a visit, a payment). With FOR UPDATE, that commit
    waited for this booking while holding the audit chain head this booking waits for: a deadlock."""
    list(Practitioner.objects.select_for_update(no_key=True).filter(pk=plan.practitioner.pk).values_list("pk"))
    if plan.room is not None:
        list(Room.objects.select_for_update(no_key=True).filter(pk=plan.room.pk).values_list("pk"))
    if plan.equipment:
        list(Equipment.objects.select_for_update(no_key=True).filter(pk__in=[e.pk for e in plan.equipment])
             .order_by("pk").values_list("pk"))
    list(Patient.objects.select_for_update(no_key=True).filter(pk=plan.patient.pk).values_list("pk"))


def _history(appointment: Appointment, actor: Any, action: str, *, from_status: str = "", to_status: str = "",
             detail: dict[str, Any] | None = None) -> None:
    AppointmentHistory.objects.create(
        appointment=appointment, at=clock.now(), actor=staff_user(actor),
        action=action, from_status=from_status, to_status=to_status, detail=detail or {})


def _write_bookings(plan: Plan, appointment: Appointment) -> None:
    try:
        with transaction.atomic():
            ResourceBooking.objects.bulk_create(plan.bookings_for(appointment))
    except IntegrityError as exc:  # the exclusion constraint caught a race the re-check could not see
        raise Conflict("slot-taken", "That time was just taken. Choose another.") from exc


def _require_patient_known(actor: Any, plan: Plan) -> None:
    """A new booking names a chart the booker could have found (they book at its home location), or a patient
    already seen at the booking's location (a follow-up there). Any other chart named by id is hidden, as in the
    search: the day view would show it."""
    patient = plan.patient
    if has_perm(actor, Perm.SCHEDULE_WRITE, location=patient.home_location_id):
        return
    if Appointment.objects.filter(patient=patient, location=plan.location).exists():
        return
    require(actor, Perm.SCHEDULE_WRITE, location=patient.home_location_id, hide=True, resource_type="patient",
            resource_id=patient.pk, patient_id=patient.pk)


def _book(*, actor: Any, request: BookingRequest, idempotency_key: str | None, series: Series | None = None
          ) -> Appointment:
    plan = _plan(request, actor=actor)
    _require_patient_known(actor, plan)
    _lock(plan)
    plan = _plan(request, actor=actor)  # re-check under the locks: another booking may have just committed
    appointment = Appointment.objects.create(
        patient=plan.patient, practitioner=plan.practitioner, location=plan.location, room=plan.room,
        appointment_type=plan.appointment_type, start=plan.start, end=plan.end, status=request.status,
        telehealth=plan.appointment_type.telehealth, note=request.note[:300], overbooked=plan.overbook,
        overbook_reason=request.overbook_reason.strip()[:200] if plan.overbook else "", series=series,
        idempotency_key=idempotency_key, created_by=staff_user(actor),
    )
    if plan.equipment:
        appointment.equipment.set(plan.equipment)
    _write_bookings(plan, appointment)
    _history(appointment, actor, "booked", to_status=appointment.status,
             detail={"start": plan.start.isoformat(), "end": plan.end.isoformat(),
                     "practitioner": plan.practitioner.pk, "room": plan.room.pk if plan.room else None,
                     "overbooked": plan.overbook})
    detail: dict[str, Any] = {"start": plan.start.isoformat(), "practitioner": plan.practitioner.pk,
                              "type": plan.appointment_type.code}
    if plan.overbook:
        detail["overbook_reason"] = appointment.overbook_reason
        record(actor, "appointment.overbook", appointment, patient=plan.patient, detail=detail)
    record(actor, "appointment.book", appointment, patient=plan.patient, detail=detail)
    event = hooks.AppointmentEvent(appointment.pk, "booked", appointment.status)
    transaction.on_commit(lambda: hooks.fire_appointment_changed(event))
    return appointment


def _replay(idempotency_key: str, request: BookingRequest, actor: Any) -> Appointment | None:
    prior = Appointment.objects.filter(idempotency_key=idempotency_key).select_related("location").first()
    if prior is None:
        return None
    require(actor, Perm.SCHEDULE_WRITE, location=prior.location_id, resource_type="appointment",
            resource_id=prior.pk, hide=True)
    same = (prior.patient_id == request.patient_id and prior.practitioner_id == request.practitioner_id
            and prior.start == _aware(request.start, "start"))
    if not same:
        raise Conflict("idempotency-key-reused", "This idempotency key was already used for another booking.")
    return prior


@atomic_service
def appointment_book(*, actor: Any, request: BookingRequest, idempotency_key: str | None = None) -> Appointment:
    """Book one appointment with every resource it needs, or nothing. A replayed key returns the first result."""
    require(actor, Perm.SCHEDULE_WRITE)
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:80]
        if (prior := _replay(idempotency_key, request, actor)) is not None:
            return prior
    try:
        with transaction.atomic():  # a savepoint: a refused attempt leaves nothing behind
            return _book(actor=actor, request=request, idempotency_key=idempotency_key or None)
    except (Conflict, IntegrityError):
        # The same request sent twice at once (a double click, a retry after a timeout): the other one took the
        # time, or the key, first and committed while this one waited; this one is its replay.
        if idempotency_key and (prior := _replay(idempotency_key, request, actor)) is not None:
            return prior
        raise


def _load_for_update(appointment_id: int, actor: Any, perm: Perm) -> Appointment:
    require(actor, perm, resource_type="appointment", resource_id=appointment_id)
    appointment = (Appointment.objects.select_for_update(of=("self",), no_key=True).select_related(  # see _lock
        "location", "practitioner", "patient", "appointment_type").filter(pk=appointment_id).first())
    if appointment is None:
        raise NotFound()
    require(actor, perm, location=appointment.location_id, resource_type="appointment", resource_id=appointment_id,
            patient_id=appointment.patient_id, hide=True)
    return appointment


def _free(appointment: Appointment, reason: str) -> None:
    """Release what the appointment occupied and tell whoever listens (the waitlist) after commit."""
    ResourceBooking.objects.filter(appointment=appointment).delete()
    slot = hooks.FreedSlot(appointment.pk, appointment.practitioner_id, appointment.location_id,
                           appointment.appointment_type_id, appointment.start, appointment.end, reason)
    if appointment.end > clock.now():
        transaction.on_commit(lambda: hooks.fire_slot_freed(slot))


@atomic_service
def appointment_reschedule(*, actor: Any, appointment_id: int, start: dt.datetime, practitioner_id: int | None = None,
                           room_id: int | None = None, reason: str = "") -> Appointment:
    """Move an appointment to a new time (and optionally provider or room), with all its resources."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if appointment.status not in MOVABLE_STATUSES:
        raise InvalidTransition("not-movable", f"A {appointment.get_status_display().lower()} appointment "
                                               "cannot be moved.")
    old = {"start": appointment.start.isoformat(), "end": appointment.end.isoformat(),
           "practitioner": appointment.practitioner_id, "room": appointment.room_id}
    request = BookingRequest(
        patient_id=appointment.patient_id, location_id=appointment.location_id,
        practitioner_id=practitioner_id or appointment.practitioner_id,
        appointment_type_id=appointment.appointment_type_id, start=start,
        room_id=room_id if room_id is not None else (
            appointment.room_id if (practitioner_id in (None, appointment.practitioner_id)) else None),
        equipment_ids=tuple(appointment.equipment.values_list("pk", flat=True)))
    try:
        plan = _plan(request, actor=actor, exclude_appointment_id=appointment.pk)
    except (Conflict, ValidationFailed) as error:
        if request.room_id is None or room_id is not None or error.code not in ("room-taken",):
            raise
        request = replace(request, room_id=None)  # the old room is busy then: take any free one of the kind
        plan = _plan(request, actor=actor, exclude_appointment_id=appointment.pk)
    _lock(plan)
    plan = _plan(request, actor=actor, exclude_appointment_id=appointment.pk)
    freed = hooks.FreedSlot(appointment.pk, appointment.practitioner_id, appointment.location_id,
                            appointment.appointment_type_id, appointment.start, appointment.end, "rescheduled")
    ResourceBooking.objects.filter(appointment=appointment).delete()
    appointment.start, appointment.end = plan.start, plan.end
    appointment.practitioner, appointment.room = plan.practitioner, plan.room
    appointment.save(update_fields=["start", "end", "practitioner", "room", "updated_at"])
    appointment.equipment.set(plan.equipment)
    _write_bookings(plan, appointment)
    new = {"start": plan.start.isoformat(), "end": plan.end.isoformat(), "practitioner": plan.practitioner.pk,
           "room": plan.room.pk if plan.room else None}
    _history(appointment, actor, "rescheduled", from_status=appointment.status, to_status=appointment.status,
             detail={"from": old, "to": new, "reason": reason[:200]})
    record(actor, "appointment.reschedule", appointment, patient=appointment.patient_id,
           detail={"from": old["start"], "to": new["start"]})
    if freed.end > clock.now():
        transaction.on_commit(lambda: hooks.fire_slot_freed(freed))
    event = hooks.AppointmentEvent(appointment.pk, "rescheduled", appointment.status)
    transaction.on_commit(lambda: hooks.fire_appointment_changed(event))
    return appointment


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
        "or checked in.") % {"day": day.strftime("%m/%d/%Y"), "today": today.strftime("%m/%d/%Y")})


def move_refusal(appointment: Appointment, to_status: str) -> DomainError | None:
    """Why `appointment` cannot move to `to_status` now, or None. The one rule for status moves: the
    TRANSITIONS table plus the rules of time (arrival and check-in only on the appointment's day in its
    location's time zone; a no-show only once it has started). `_transition` raises what this returns, and
    every screen that offers moves (calendar panel, Arrivals) shows only the ones that pass it."""
    from_status = appointment.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        return InvalidTransition(
            "invalid-transition",
            f"An appointment that is {AppointmentStatus(from_status).label.lower()} cannot become "
            f"{AppointmentStatus(to_status).label.lower()}.")
    if to_status in ARRIVAL_STATUSES and (refusal := arrival_day_refusal(appointment)) is not None:
        return refusal
    if to_status == AppointmentStatus.NOSHOW and appointment.start > clock.now():
        return ValidationFailed("too-early", "An appointment that has not started yet cannot be a no-show.")
    return None


def appointment_moves(appointment: Appointment) -> list[str]:
    """The statuses `appointment` may move to now (in the order of AppointmentStatus), from `move_refusal`."""
    return [s for s in AppointmentStatus.values if move_refusal(appointment, s) is None]


def _transition(appointment: Appointment, actor: Any, to_status: str, *, action: str,
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
def appointment_cancel(*, actor: Any, appointment_id: int, reason: str) -> Appointment:
    """Cancel with a reason; within 24 hours of the start it is flagged as a late cancellation."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if not reason.strip():
        raise ValidationFailed("reason-required", "Say why the appointment is cancelled.",
                               fields={"reason": ["A reason is required."]})
    appointment.cancel_reason = reason.strip()[:200]
    appointment.late_cancel = appointment.start - clock.now() < LATE_CANCEL_WINDOW
    return _transition(appointment, actor, AppointmentStatus.CANCELLED, action="cancel",
                       detail={"reason": appointment.cancel_reason, "late": appointment.late_cancel})


@atomic_service
def appointment_confirm(*, actor: Any, appointment_id: int, channel: str = "desk") -> Appointment:
    """The patient confirms they will come (reply to a reminder, a link, a call). A pending appointment
    becomes booked; confirming twice changes nothing."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.PENDING):
        raise InvalidTransition("not-confirmable", f"A {AppointmentStatus(appointment.status).label.lower()} "
                                                   "appointment cannot be confirmed.")
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
def appointment_mark_noshow(*, actor: Any, appointment_id: int) -> Appointment:
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    return _transition(appointment, actor, AppointmentStatus.NOSHOW, action="noshow")


@atomic_service
def appointment_set_status(*, actor: Any, appointment_id: int, status: str, note: str = "") -> Appointment:
    """The general status move (FHIR codes), checked by `move_refusal`. Cancelling and no-shows have
    their own services because they carry rules of their own. Arrived and checked-in are announced inside
    the transaction (`hooks.status_changed`): the front desk opens or advances the visit with them, so the
    calendar, the JSON API, FHIR and the desk all arrive a patient the same way."""
    if status not in AppointmentStatus.values:
        raise ValidationFailed("unknown-status", f"'{status}' is not an appointment status.")
    if status == AppointmentStatus.CANCELLED:
        raise ValidationFailed("use-cancel", "Cancel with appointment_cancel (it needs a reason).")
    if status == AppointmentStatus.NOSHOW:
        return appointment_mark_noshow(actor=actor, appointment_id=appointment_id)
    appointment = _load_for_update(appointment_id, actor, _PERM_FOR_STATUS.get(status, Perm.SCHEDULE_WRITE))
    if status in ACTIVE_STATUSES and appointment.status not in ACTIVE_STATUSES:
        # e.g. proposed/waitlist -> booked: it must take its resources now.
        request = BookingRequest.like(appointment, equipment_ids=tuple(appointment.equipment.values_list("pk",
                                                                                                        flat=True)))
        plan = _plan(request, actor=actor, exclude_appointment_id=appointment.pk, check_past=False)
        _lock(plan)
        plan = _plan(request, actor=actor, exclude_appointment_id=appointment.pk, check_past=False)
        _write_bookings(plan, appointment)
    return _transition(appointment, actor, status, action="status", detail={"note": note[:200]} if note else None)


def appointment_arrive(*, actor: Any, appointment_id: int) -> Appointment:
    return appointment_set_status(actor=actor, appointment_id=appointment_id, status=AppointmentStatus.ARRIVED)


def appointment_check_in(*, actor: Any, appointment_id: int) -> Appointment:
    return appointment_set_status(actor=actor, appointment_id=appointment_id, status=AppointmentStatus.CHECKED_IN)


def appointment_fulfil(*, actor: Any, appointment_id: int) -> Appointment:
    return appointment_set_status(actor=actor, appointment_id=appointment_id, status=AppointmentStatus.FULFILLED)


@atomic_service
def appointment_checklist_mark(*, actor: Any, appointment_id: int, item: str, done: bool = True) -> Appointment:
    """Tick (or untick) a pre-visit checklist item; `ready_for_visit` follows."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if item not in ChecklistItem.values:
        raise ValidationFailed("unknown-checklist-item", f"'{item}' is not a checklist item.")
    if item not in (appointment.appointment_type.checklist or []):
        raise ValidationFailed("not-on-checklist", "This appointment type does not ask for that item.")
    items = [i for i in appointment.checklist_done if i != item] + ([item] if done else [])
    appointment.checklist_done = sorted(items)
    appointment.save(update_fields=["checklist_done", "updated_at"])
    _history(appointment, actor, "checklist", from_status=appointment.status, to_status=appointment.status,
             detail={"item": item, "done": done, "ready": appointment.ready_for_visit})
    record(actor, "appointment.checklist", appointment, patient=appointment.patient_id,
           detail={"item": item, "done": done})
    return appointment


# --- recurring series ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Occurrence:
    index: int
    start: dt.datetime
    ok: bool
    code: str = ""
    detail: str = ""


def _occurrences(request: BookingRequest, interval_days: int, count: int) -> list[BookingRequest]:
    """Same wall-clock time each time, also across a DST change."""
    if not 1 <= count <= 52:
        raise ValidationFailed("bad-count", "A series has 1 to 52 visits.", fields={"count": ["1 to 52."]})
    if not 1 <= interval_days <= 90:
        raise ValidationFailed("bad-interval", "Visits repeat every 1 to 90 days.", fields={"interval_days": ["1-90."]})
    location = Location.objects.filter(pk=request.location_id).first()
    if location is None:
        raise ValidationFailed("unknown-location", "No such location.")
    local = _aware(request.start, "start").astimezone(location.tz)
    return [replace(request, start=local_to_utc(local.date() + dt.timedelta(days=interval_days * i),
                                                local.time().replace(tzinfo=None), location.tz), end=None)
            for i in range(count)]


@atomic_service
def series_preview(*, actor: Any, request: BookingRequest, interval_days: int = 7, count: int = 8) -> list[Occurrence]:
    """Check every visit of a series before booking: which ones fit and why the others do not."""
    require(actor, Perm.SCHEDULE_WRITE)
    result = []
    for index, occurrence in enumerate(_occurrences(request, interval_days, count)):
        try:
            _plan(occurrence, actor=actor)
        except (ValidationFailed, Conflict) as error:
            result.append(Occurrence(index, occurrence.start, False, error.code, error.detail))
        else:
            result.append(Occurrence(index, occurrence.start, True))
    return result


@dataclass
class SeriesResult:
    series: Series
    booked: list[Appointment]
    skipped: list[Occurrence]


@atomic_service
def series_book(*, actor: Any, request: BookingRequest, interval_days: int = 7, count: int = 8,
                all_or_nothing: bool = True, idempotency_key: str | None = None) -> SeriesResult:
    """Book a recurring series. With `all_or_nothing` any conflict refuses the whole series (nothing
    written, the conflicts listed); otherwise the visits that fit are booked and the rest reported."""
    require(actor, Perm.SCHEDULE_WRITE)
    if idempotency_key and (prior := Series.objects.filter(idempotency_key=idempotency_key).first()):
        earlier = list(prior.appointments.order_by("start"))
        if earlier:
            require(actor, Perm.SCHEDULE_WRITE, location=earlier[0].location_id, hide=True)
        return SeriesResult(prior, earlier, [])
    occurrences = _occurrences(request, interval_days, count)
    patient = Patient.objects.filter(pk=request.patient_id).first()
    if patient is None:
        raise ValidationFailed("unknown-patient", "No such patient.")
    series = Series.objects.create(patient=patient, appointment_type_id=request.appointment_type_id,
                                   interval_days=interval_days, count=count, created_at=clock.now(),
                                   created_by=staff_user(actor), idempotency_key=idempotency_key or None)
    booked: list[Appointment] = []
    skipped: list[Occurrence] = []
    for index, occurrence in enumerate(occurrences):
        try:
            with transaction.atomic():
                booked.append(_book(actor=actor, request=occurrence, idempotency_key=None, series=series))
        except (ValidationFailed, Conflict) as error:
            skipped.append(Occurrence(index, occurrence.start, False, error.code, error.detail))
    if skipped and all_or_nothing:
        lines = "; ".join(f"visit {o.index + 1} ({o.start:%Y-%m-%d}): {o.detail}" for o in skipped)
        raise Conflict("series-conflicts", f"{len(skipped)} of {count} visits do not fit: {lines}")
    if not booked:
        raise Conflict("series-conflicts", "None of the visits fit.")
    record(actor, "series.book", series, patient=patient,
           detail={"booked": [a.pk for a in booked], "skipped": [o.index for o in skipped]})
    return SeriesResult(series, booked, skipped)


# --- waitlist ------------------------------------------------------------------------------------

@atomic_service
def waitlist_add(*, actor: Any, patient_id: int, appointment_type_id: int, location_id: int | None = None,
                 practitioner_ids: Sequence[int] = (), weekdays: Sequence[int] = (),
                 earliest_time: dt.time | None = None, latest_time: dt.time | None = None, notice_hours: int = 24,
                 current_appointment_id: int | None = None, priority: int = 0, note: str = "") -> WaitlistEntry:
    require(actor, Perm.SCHEDULE_WRITE, location=location_id)
    patient = Patient.objects.filter(pk=patient_id, active=True).first()
    if patient is None:
        raise ValidationFailed("unknown-patient", "No such patient.")
    if location_id is None:
        require(actor, Perm.SCHEDULE_WRITE, location=patient.home_location_id, hide=True)
    if not AppointmentType.objects.filter(pk=appointment_type_id, active=True).exists():
        raise ValidationFailed("unknown-appointment-type", "No such appointment type.")
    if any(d not in range(7) for d in weekdays):
        raise ValidationFailed("bad-weekday", "Days are 0 (Monday) to 6 (Sunday).")
    if earliest_time and latest_time and latest_time <= earliest_time:
        raise ValidationFailed("end-before-start", "The latest time is not after the earliest time.")
    if not 0 <= notice_hours <= 24 * 14:
        raise ValidationFailed("bad-notice", "Notice is 0 to 336 hours.")
    entry = WaitlistEntry.objects.create(
        patient=patient, appointment_type_id=appointment_type_id, location_id=location_id,
        weekdays=sorted(set(weekdays)), earliest_time=earliest_time, latest_time=latest_time, notice_hours=notice_hours,
        current_appointment_id=current_appointment_id, priority=priority, note=note[:200],
        created_by=staff_user(actor),
        created_at=clock.now())
    if practitioner_ids:
        entry.practitioners.set(Practitioner.objects.filter(pk__in=practitioner_ids))
    record(actor, "waitlist.add", entry, patient=patient)
    return entry


@atomic_service
def waitlist_remove(*, actor: Any, entry_id: int, booked: bool = False) -> WaitlistEntry:
    require(actor, Perm.SCHEDULE_WRITE)
    entry = WaitlistEntry.objects.select_for_update().select_related("patient").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    require(actor, Perm.SCHEDULE_WRITE, location=entry.location_id or entry.patient.home_location_id, hide=True,
            resource_type="waitlistentry", resource_id=entry_id, patient_id=entry.patient_id)
    entry.status = WaitlistEntry.Status.BOOKED if booked else WaitlistEntry.Status.REMOVED
    entry.save(update_fields=["status"])
    record(actor, "waitlist.remove", entry, patient=entry.patient_id, detail={"booked": booked})
    return entry


# --- availability set-up -------------------------------------------------------------------------

@atomic_service
def availability_template_add(*, actor: Any, practitioner_id: int, location_id: int, weekday: int,
                              start_time: dt.time, end_time: dt.time, effective_from: dt.date,
                              effective_until: dt.date | None = None, reserved_type_ids: Sequence[int] = (),
                              label: str = "") -> AvailabilityTemplate:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None or not practitioner.locations.filter(pk=location_id).exists():
        raise ValidationFailed("wrong-location", "The practitioner does not work at that location.")
    if weekday not in range(7):
        raise ValidationFailed("bad-weekday", "Days are 0 (Monday) to 6 (Sunday).")
    if end_time <= start_time:
        raise ValidationFailed("end-before-start", "The block ends before it starts.")
    if effective_until is not None and effective_until < effective_from:
        raise ValidationFailed("end-before-start", "The block stops being effective before it starts.")
    clash = AvailabilityTemplate.objects.filter(
        practitioner_id=practitioner_id, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time,
    ).filter(Q(effective_until__isnull=True) | Q(effective_until__gte=effective_from))
    if effective_until is not None:
        clash = clash.filter(effective_from__lte=effective_until)
    if clash.exists():
        raise Conflict("template-overlap", "This block overlaps another block of the same practitioner.")
    template = AvailabilityTemplate.objects.create(
        practitioner=practitioner, location_id=location_id, weekday=weekday, start_time=start_time,
        end_time=end_time, effective_from=effective_from, effective_until=effective_until, label=label[:60])
    if reserved_type_ids:
        template.reserved_types.set(AppointmentType.objects.filter(pk__in=reserved_type_ids))
    record(actor, "availability.template.add", template)
    return template


@atomic_service
def availability_exception_add(*, actor: Any, practitioner_id: int, start: dt.datetime, end: dt.datetime,
                               kind: str = AvailabilityException.Kind.OTHER, location_id: int | None = None,
                               reason: str = "") -> AvailabilityException:
    """Vacation, conference, meeting: the practitioner is not bookable then. Existing appointments stay
    (the coordinator moves them); the answer lists none, the day view shows them over the exception."""
    practitioner = Practitioner.objects.filter(pk=practitioner_id).prefetch_related("locations").first()
    if practitioner is None:
        raise NotFound()
    for location in ([location_id] if location_id else [loc.pk for loc in practitioner.locations.all()]):
        require(actor, Perm.PRACTICE_ADMIN, location=location)
    if _aware(end, "end") <= _aware(start, "start"):
        raise ValidationFailed("end-before-start", "The exception ends before it starts.")
    exception = AvailabilityException.objects.create(practitioner=practitioner, location_id=location_id, kind=kind,
                                                     start=start, end=end, reason=reason[:200])
    record(actor, "availability.exception.add", exception)
    return exception


@atomic_service
def location_holiday_add(*, actor: Any, location_id: int, day: dt.date, name: str) -> LocationHoliday:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    if LocationHoliday.objects.filter(location_id=location_id, day=day).exists():
        raise Conflict("duplicate-holiday", "That day is already closed.")
    holiday = LocationHoliday.objects.create(location_id=location_id, day=day, name=name[:100] or "Closed")
    record(actor, "location.holiday.add", holiday)
    return holiday


# --- calendar feeds ------------------------------------------------------------------------------

def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_manage_feed(actor: Any, practitioner: Practitioner) -> bool:
    own = getattr(practitioner, "user_id", None) is not None and practitioner.user_id == getattr(actor, "pk", None)
    return (own and has_perm(actor, Perm.SCHEDULE_READ)) or any(
        has_perm(actor, Perm.PRACTICE_ADMIN, location=loc.pk) for loc in practitioner.locations.all())


def _feed_practitioner(actor: Any, practitioner_id: int) -> Practitioner:
    practitioner = Practitioner.objects.prefetch_related("locations").filter(pk=practitioner_id).first()
    if practitioner is None:
        raise NotFound()
    if not _may_manage_feed(actor, practitioner):
        first = next(iter(practitioner.locations.all()), None)
        require(actor, Perm.PRACTICE_ADMIN, location=first.pk if first else -1, resource_type="practitioner",
                resource_id=practitioner_id, hide=True)
    return practitioner


@atomic_service
def calendar_feed_issue(*, actor: Any, practitioner_id: int, include_patient_names: bool = False
                        ) -> tuple[CalendarFeed, str]:
    """A new private feed URL token for a practitioner (their own, or by a practice administrator).
    The token is shown once; only its hash is kept. Earlier feeds of the practitioner are revoked."""
    require(actor, Perm.SCHEDULE_READ)
    practitioner = _feed_practitioner(actor, practitioner_id)
    now = clock.now()
    CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(practitioner=practitioner, token_hash=feed_token_hash(token),
                                       include_patient_names=include_patient_names, created_by=staff_user(actor),
                                       created_at=now)
    record(actor, "calendar.feed.issue", feed, detail={"practitioner": practitioner.pk,
                                                       "patient_names": include_patient_names})
    return feed, token


@atomic_service
def calendar_feed_revoke(*, actor: Any, practitioner_id: int) -> int:
    require(actor, Perm.SCHEDULE_READ)
    practitioner = _feed_practitioner(actor, practitioner_id)
    revoked = CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(
        revoked_at=clock.now())
    record(actor, "calendar.feed.revoke", resource_type="calendarfeed", detail={"practitioner": practitioner.pk})
    return revoked
