"""Booking: the plan (every rule, read only), the protocol that makes it stick (plan, lock, re-plan, write the
resource bookings: `_reserve` and `_occupy`, the one copy), booking and rescheduling.

Race safety: the rows that decide a conflict are locked in primary-key order (practitioner, rooms,
equipment, patient) before the re-check; on SQLite the write lock is already held from BEGIN
(IMMEDIATE). The PostgreSQL exclusion constraint `booking_no_overlap` backs the check up: if it ever
fires, the answer is the same clear 409 "slot-taken".
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock, dates
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Equipment, Location, Practitioner, Room

from .. import hooks, intervals
from ..availability import Window
from ..models import (
    MOVABLE_STATUSES,
    Appointment,
    AppointmentHistory,
    AppointmentStatus,
    AppointmentType,
    ResourceBooking,
    ResourceKind,
    Series,
)
from . import locks


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


def staff_user(actor: Actor) -> Any:
    """The staff user to keep in a `created_by`-style column: None for system actors (reminder worker,
    a patient's own link), which hold no user row."""
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None else None


# Instants a booking may name: the bookable years of core.dates, the one parser every page and API reads
# days and instants with (far enough from datetime's own limits that adding durations never overflows).
EARLIEST = dates.EARLIEST
LATEST = dates.LATEST


def _time_label(name: str) -> str:
    return _("The start time") if name == "start" else _("The end time")


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValidationFailed("naive-time", _("%(what)s needs a time zone (UTC offset).") % {
                               "what": _time_label(name)}, fields={name: [_("Give a time zone.")]})
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before the first representable UTC instant
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValidationFailed("out-of-range", _("%(what)s is not between %(first)s and %(last)s.") % {
            "what": _time_label(name), "first": EARLIEST.year, "last": LATEST.year - 1},
            fields={name: [_("Not a year one can book.")]})
    return utc


def when(moment: dt.datetime, location: Location) -> dict[str, str]:
    """`day` and `time` of `moment` at `location`, written the way the active language writes them."""
    local = moment.astimezone(location.tz)
    return {"day": formats.date_format(local, "DATE_FORMAT"), "time": formats.time_format(local, "TIME_FORMAT")}


def _plan(request: BookingRequest, *, actor: Actor, exclude_appointment_id: int | None = None,
          check_past: bool = True, kind: AppointmentType | None = None) -> Plan:
    """Validate a booking request fully, reading but writing nothing. Raises with a clear reason. `kind`: the
    request's active appointment type when the caller has read it already."""
    location = Location.objects.filter(pk=request.location_id, active=True).first()
    if location is None:
        raise ValidationFailed("unknown-location", _("No such location."),
                               fields={"location": [_("Unknown location.")]})
    require(actor, Perm.SCHEDULE_WRITE, location=location)
    practitioner = (Practitioner.objects.filter(pk=request.practitioner_id, active=True)
                    .annotate(works_here=Exists(Practitioner.locations.through.objects.filter(
                        practitioner_id=OuterRef("pk"), location_id=location.pk))).first())
    if practitioner is None:
        raise ValidationFailed("unknown-practitioner", _("No such practitioner."),
                               fields={"practitioner": [_("Unknown practitioner.")]})
    if not practitioner.works_here:
        raise ValidationFailed("wrong-location", _("%(practitioner)s does not work at %(location)s.") % {
                               "practitioner": practitioner, "location": location.name},
                               fields={"location": [_("The practitioner does not work here.")]})
    if kind is None:
        kind = AppointmentType.objects.filter(pk=request.appointment_type_id, active=True).first()
    if kind is None:
        raise ValidationFailed("unknown-appointment-type", _("No such appointment type."),
                               fields={"appointment_type": [_("Unknown appointment type.")]})
    allowed = list(kind.allowed_practitioners.values_list("pk", flat=True))
    if allowed and practitioner.pk not in allowed:
        raise ValidationFailed("practitioner-not-allowed", _("%(practitioner)s does not take “%(type)s” appointments.")
                               % {"practitioner": practitioner, "type": kind.local_name},
                               fields={"appointment_type": [_("Not offered by this practitioner.")]})
    patient = _patient(actor, request.patient_id, location)

    start = _aware(request.start, "start")
    end = start + kind.duration
    if request.end is not None:
        given_end = _aware(request.end, "end")
        if given_end <= start:
            raise ValidationFailed("end-before-start", _("The end is not after the start."),
                                   fields={"end": [_("The end must be after the start.")]})
        if given_end != end:
            minutes = int((given_end - start).total_seconds() // 60)
            raise ValidationFailed(
                "duration-mismatch",
                _("“%(type)s” takes %(minutes)s minutes, not %(given)s.") % {
                    "type": kind.local_name, "minutes": kind.duration_minutes, "given": minutes},
                fields={"end": [_("“%(type)s” takes %(minutes)s minutes.") % {
                    "type": kind.local_name, "minutes": kind.duration_minutes}]})
    if check_past and start < clock.now():
        raise ValidationFailed("in-the-past", _("That time has already passed."),
                               fields={"start": [_("Choose a time in the future.")]})
    if request.overbook:
        require(actor, Perm.SCHEDULE_OVERBOOK, location=location)
        if not request.overbook_reason.strip():
            raise ValidationFailed("overbook-reason-required", _("An overbooking needs a reason."),
                                   fields={"overbook_reason": [_("Say why.")]})

    room: Room | None = None
    if request.room_id is not None:
        room = Room.objects.filter(pk=request.room_id, active=True).first()
        if room is None:
            raise ValidationFailed("unknown-room", _("No such room."), fields={"room": [_("Unknown room.")]})
        if room.location_id != location.pk:
            raise ValidationFailed("wrong-location", _("%(room)s is not at %(location)s.") % {
                                   "room": room.name, "location": location.name},
                                   fields={"room": [_("That room is at another location.")]})
        if kind.room_kind and room.kind != kind.room_kind:
            raise ValidationFailed(
                "wrong-resource-kind",
                _("“%(type)s” needs a room of type “%(needed)s”; %(room)s is of type “%(kind)s”.") % {
                    "type": kind.local_name, "needed": Room.Kind(kind.room_kind).label.lower(), "room": room.name,
                    "kind": room.get_kind_display().lower()}, fields={"room": [_("Wrong kind of room.")]})
    chosen_equipment: list[Equipment] = []
    wanted_kinds = list(kind.equipment_kinds or [])
    if request.equipment_ids:
        items = list(Equipment.objects.filter(pk__in=request.equipment_ids, active=True).order_by("pk"))
        if len(items) != len(set(request.equipment_ids)):
            raise ValidationFailed("unknown-equipment", _("No such equipment."), fields={"equipment": [_("Unknown.")]})
        for item in items:
            if item.location_id != location.pk:
                raise ValidationFailed("wrong-location", _("%(equipment)s is not at %(location)s.") % {
                                       "equipment": item.name, "location": location.name},
                                       fields={"equipment": [_("That equipment is at another location.")]})
            if item.kind not in wanted_kinds:
                raise ValidationFailed("wrong-resource-kind",
                                       _("“%(type)s” does not use this kind of equipment (%(kind)s).") % {
                                           "type": kind.local_name, "kind": item.get_kind_display()},
                                       fields={"equipment": [_("Wrong kind of equipment.")]})
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
        raise ValidationFailed("location-closed", _("%(location)s is closed on %(day)s (%(holiday)s).") % {
                                   "location": location.name, "day": formats.date_format(day, "DATE_FORMAT"),
                                   "holiday": window.holidays[day]},
                               fields={"start": [_("Closed that day.")]})
    if intervals.containing(window.open_for(practitioner.pk, day, kind.pk), start, end) is None:
        in_any_block = intervals.containing(
            intervals.normalize((b.start, b.end) for b in window.blocks(practitioner.pk, day)), start, end)
        if in_any_block is not None:
            raise ValidationFailed("reserved-block", _("That time is reserved for other appointment types."),
                                   fields={"start": [_("Reserved for other appointment types.")]})
        raise ValidationFailed(
            "outside-availability",
            _("%(practitioner)s is not available on %(day)s from %(time)s to %(end)s at %(location)s.") % {
                "practitioner": practitioner, **when(start, location), "end": when(end, location)["time"],
                "location": location.name}, fields={"start": [_("Outside the practitioner's availability.")]})
    if not request.overbook and intervals.overlaps_any(
            window.busy_for(ResourceKind.PRACTITIONER, practitioner.pk), occupied_start, occupied_end):
        raise Conflict("slot-taken", _("%(practitioner)s is already booked at %(time)s on %(day)s.") % {
                       "practitioner": practitioner, **when(start, location)})
    if intervals.overlaps_any(window.busy_for(ResourceKind.PATIENT, patient.pk), start, end):
        raise Conflict("patient-overlap", _("The patient already has an appointment at that time."))
    if room is not None:
        if window.free_room(occupied_start, occupied_end, wanted=room.pk) is None:
            raise Conflict("room-taken", _("%(room)s is already booked at %(time)s on %(day)s.") % {
                           "room": room.name, **when(start, location)})
    elif kind.room_kind:
        room = window.free_room(occupied_start, occupied_end)
        if room is None:
            raise Conflict("no-room-free", _("No %(kind)s is free at %(time)s on %(day)s.") % {
                           "kind": Room.Kind(kind.room_kind).label.lower(), **when(start, location)})
    for item in chosen_equipment:
        if intervals.overlaps_any(window.busy_for(ResourceKind.EQUIPMENT, item.pk), occupied_start, occupied_end):
            raise Conflict("equipment-taken", _("%(equipment)s is already booked at %(time)s on %(day)s.") % {
                           "equipment": item.name, **when(start, location)})
    for wanted in wanted_kinds:
        piece = window.free_equipment(wanted, occupied_start, occupied_end)
        if piece is None or piece in chosen_equipment:
            raise Conflict("no-equipment-free", _("No %(kind)s is free at %(time)s on %(day)s.") % {
                           "kind": Equipment.Kind(wanted).label, **when(start, location)})
        chosen_equipment.append(piece)
    return Plan(patient=patient, practitioner=practitioner, location=location, appointment_type=kind, start=start,
                end=end, occupied_start=occupied_start, occupied_end=occupied_end, room=room,
                equipment=chosen_equipment, overbook=request.overbook)


def _history(appointment: Appointment, actor: Actor, action: str, *, from_status: str = "", to_status: str = "",
             detail: dict[str, Any] | None = None) -> None:
    AppointmentHistory.objects.create(
        appointment=appointment, at=clock.now(), actor=staff_user(actor),
        action=action, from_status=from_status, to_status=to_status, detail=detail or {})


def _write_bookings(plan: Plan, appointment: Appointment) -> None:
    """No savepoint of its own: the refusal undoes the whole attempt, which every entry point runs in one (the
    service's `atomic_service`, and a booking's own savepoint around `_book`)."""
    try:
        ResourceBooking.objects.bulk_create(plan.bookings_for(appointment))
    except IntegrityError as exc:  # the exclusion constraint caught a race the re-check could not see
        raise Conflict("slot-taken", _("That time was just taken. Choose another.")) from exc


def _patient(actor: Actor, patient_id: int, location: Location | int | None) -> Patient:
    """The chart a booking names, as patients.visibility decides: one the booker could have found (they book at
    its home location) or a patient already seen at the booking's location (a follow-up there); any other chart
    named by id is hidden, as in the search (the day view would show it). Not a merged-away chart (its
    appointments moved to the surviving one), nor an inactive one."""
    try:
        patient = patient_selectors.patient_in_reach(actor, patient_id, perm=Perm.SCHEDULE_WRITE, location=location,
                                                     current=True)
    except NotFound:
        patient = None
    if patient is None or not patient.active:
        raise ValidationFailed("unknown-patient", _("No such patient."), fields={"patient": [_("Unknown patient.")]})
    return patient


def _reserve(request: BookingRequest, *, actor: Actor, exclude_appointment_id: int | None = None,
             check_past: bool = True, fallback: BookingRequest | None = None) -> Plan:
    """The booking protocol's first half, the one copy: plan (every rule, read only), lock the rows that decide a
    conflict, plan again under the locks (another booking may have just committed). `fallback`: the request to
    plan instead when the first is refused because the room it kept is taken (a move keeps its room if it can).

    When the request names every row to lock (`locks_known`, the common case: a provider and a patient), those
    rows are locked first, in the same fixed order, and the plan is made once, under the locks. When the plan
    chooses a room or equipment, it is made under the practitioner's lock, the rows it chose are locked next, and
    it is made again only if one of them was taken meanwhile."""
    kind = AppointmentType.objects.filter(pk=request.appointment_type_id, active=True).first()
    if fallback is None and locks.locks_known(request, kind):
        locks.lock_rows(request.practitioner_id, request.room_id, sorted(set(request.equipment_ids)),
                        request.patient_id)
        return _plan(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past,
                     kind=kind)
    if fallback is None:  # the plan chooses a room or equipment: planned under the practitioner's lock (locks.py)
        locks.lock_practitioner(request.practitioner_id)
        plan = _plan(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past,
                     kind=kind)
        locks.lock_plan_resources(plan)
        if locks.plan_resources_still_free(plan, exclude_appointment_id):
            return plan
        return _plan(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past)
    try:
        plan = _plan(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past)
    except Conflict as error:
        if fallback is None or error.code != "room-taken":
            raise
        request = fallback
        plan = _plan(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past)
    locks.lock_plan_rows(plan)
    return _plan(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past)


def _occupy(request: BookingRequest, *, actor: Actor, write: Callable[[Plan], Appointment],
            exclude_appointment_id: int | None = None, check_past: bool = True,
            fallback: BookingRequest | None = None) -> tuple[Plan, Appointment]:
    """The booking protocol, whole: `_reserve`, then `write(plan)` creates or updates the appointment (inside the
    locks), then the plan's resource bookings are written (the exclusion constraint's last word on a race). Booking,
    rescheduling and a move into an active status all take this path."""
    plan = _reserve(request, actor=actor, exclude_appointment_id=exclude_appointment_id, check_past=check_past,
                    fallback=fallback)
    appointment = write(plan)
    _write_bookings(plan, appointment)
    return plan, appointment


def _book(*, actor: Actor, request: BookingRequest, idempotency_key: str | None, series: Series | None = None
          ) -> Appointment:
    def create(plan: Plan) -> Appointment:
        appointment = Appointment.objects.create(
            patient=plan.patient, practitioner=plan.practitioner, location=plan.location, room=plan.room,
            appointment_type=plan.appointment_type, start=plan.start, end=plan.end, status=request.status,
            telehealth=plan.appointment_type.telehealth, note=request.note[:300], overbooked=plan.overbook,
            overbook_reason=request.overbook_reason.strip()[:200] if plan.overbook else "", series=series,
            idempotency_key=idempotency_key, created_by=staff_user(actor),
        )
        if plan.equipment:
            appointment.equipment.set(plan.equipment)
        return appointment

    plan, appointment = _occupy(request, actor=actor, write=create)
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
    # the handlers (dashboards, FHIR version 1) are lent the booking as written: no read of it after commit
    event = hooks.AppointmentEvent(appointment.pk, "booked", appointment.status, written=copy.copy(appointment))
    transaction.on_commit(lambda: hooks.fire_appointment_changed(event))
    return appointment


def _replay(idempotency_key: str, request: BookingRequest, actor: Actor) -> Appointment | None:
    prior = Appointment.objects.filter(idempotency_key=idempotency_key).select_related("location").first()
    if prior is None:
        return None
    require(actor, Perm.SCHEDULE_WRITE, location=prior.location_id, resource_type="appointment",
            resource_id=prior.pk, hide=True)
    same = (prior.patient_id == request.patient_id and prior.practitioner_id == request.practitioner_id
            and prior.start == _aware(request.start, "start"))
    if not same:
        raise Conflict("idempotency-key-reused", _("This idempotency key was already used for another booking."))
    return prior


@atomic_service
def appointment_book(*, actor: Actor, request: BookingRequest, idempotency_key: str | None = None) -> Appointment:
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


def _load_for_update(appointment_id: int, actor: Actor, perm: Perm) -> Appointment:
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
def appointment_reschedule(*, actor: Actor, appointment_id: int, start: dt.datetime, practitioner_id: int | None = None,
                           room_id: int | None = None, reason: str = "") -> Appointment:
    """Move an appointment to a new time (and optionally provider or room), with all its resources."""
    appointment = _load_for_update(appointment_id, actor, Perm.SCHEDULE_WRITE)
    if appointment.status not in MOVABLE_STATUSES:
        raise InvalidTransition("not-movable", _("An appointment that is %(status)s cannot be moved.") % {
                                "status": appointment.get_status_display().lower()})
    old = {"start": appointment.start.isoformat(), "end": appointment.end.isoformat(),
           "practitioner": appointment.practitioner_id, "room": appointment.room_id}
    request = BookingRequest(
        patient_id=appointment.patient_id, location_id=appointment.location_id,
        practitioner_id=practitioner_id or appointment.practitioner_id,
        appointment_type_id=appointment.appointment_type_id, start=start,
        room_id=room_id if room_id is not None else (
            appointment.room_id if (practitioner_id in (None, appointment.practitioner_id)) else None),
        equipment_ids=tuple(appointment.equipment.values_list("pk", flat=True)))
    # The room it kept may be busy at the new time: then any free one of the kind (unless a room was asked for).
    fallback = replace(request, room_id=None) if request.room_id is not None and room_id is None else None
    freed = hooks.FreedSlot(appointment.pk, appointment.practitioner_id, appointment.location_id,
                            appointment.appointment_type_id, appointment.start, appointment.end, "rescheduled")

    def move(plan: Plan) -> Appointment:
        ResourceBooking.objects.filter(appointment=appointment).delete()
        appointment.start, appointment.end = plan.start, plan.end
        appointment.practitioner, appointment.room = plan.practitioner, plan.room
        appointment.save(update_fields=["start", "end", "practitioner", "room", "updated_at"])
        appointment.equipment.set(plan.equipment)
        return appointment

    plan, _moved = _occupy(request, actor=actor, write=move, exclude_appointment_id=appointment.pk,
                           fallback=fallback)
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
