"""The rows that decide a booking conflict, locked in one fixed order (practitioner, room, equipment by pk,
patient) so that two bookings never wait on each other in opposite orders; `booking._reserve` takes them.

A request that leaves the room or equipment to the plan is reserved in two steps that keep the order: the
practitioner (named by the request, first in the order) is locked before the plan, so the plan's view of the
practitioner's time is final; then the room, equipment and patient it chose are locked, and only their bookings
are read again (`plan_resources_still_free`, one query) instead of making the whole plan a second time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Equipment, Practitioner, Room

from ..availability import exclusive_bookings
from ..models import ResourceKind

if TYPE_CHECKING:
    from ..models import AppointmentType
    from .booking import BookingRequest, Plan


def lock_plan_rows(plan: Plan) -> None:
    """Lock the rows that decide a conflict, in a fixed order (model, then pk) so that two bookings
    never wait on each other in opposite orders. No-op on SQLite, which holds the write lock already.

    FOR NO KEY UPDATE: it excludes other bookings, but not the foreign-key checks that PostgreSQL makes when
    another transaction commits a row pointing at these (a visit, a payment). With FOR UPDATE, that commit
    waited for this booking while holding the audit chain head this booking waits for: a deadlock."""
    lock_rows(plan.practitioner.pk, plan.room.pk if plan.room is not None else None, [e.pk for e in plan.equipment],
              plan.patient.pk)


def lock_rows(practitioner_id: int, room_id: int | None, equipment_ids: Any, patient_id: int) -> None:
    """`lock_plan_rows`'s rows by id, in its fixed order: practitioner, room, equipment (by pk), patient."""
    lock_practitioner(practitioner_id)
    _lock_after_practitioner(room_id, equipment_ids, patient_id)


def lock_practitioner(practitioner_id: int) -> None:
    """The first row of the fixed order, alone: the rest follow with `lock_plan_resources`."""
    list(Practitioner.objects.select_for_update(no_key=True).filter(pk=practitioner_id).values_list("pk"))


def lock_plan_resources(plan: Plan) -> None:
    """After `lock_practitioner`: the room, equipment and patient the plan chose, in the fixed order."""
    _lock_after_practitioner(plan.room.pk if plan.room is not None else None, [e.pk for e in plan.equipment],
                             plan.patient.pk)


def plan_resources_still_free(plan: Plan, exclude_appointment_id: int | None) -> bool:
    """After `lock_plan_resources`: whether the room, equipment and patient of a plan made before their locks
    are still free (a booking that held one of them may have committed meanwhile); one query."""
    resources = [(ResourceKind.PATIENT.value, [plan.patient.pk])]
    if plan.room is not None:
        resources.append((ResourceKind.ROOM.value, [plan.room.pk]))
    if plan.equipment:
        resources.append((ResourceKind.EQUIPMENT.value, [e.pk for e in plan.equipment]))
    for kind, _resource_id, start, end in exclusive_bookings(resources, plan.occupied_start, plan.occupied_end,
                                                             exclude=exclude_appointment_id):
        low, high = (plan.start, plan.end) if kind == ResourceKind.PATIENT else (plan.occupied_start,
                                                                                 plan.occupied_end)
        if start < high and end > low:
            return False
    return True


def _lock_after_practitioner(room_id: int | None, equipment_ids: Any, patient_id: int) -> None:
    if room_id is not None:
        list(Room.objects.select_for_update(no_key=True).filter(pk=room_id).values_list("pk"))
    if equipment_ids:
        list(Equipment.objects.select_for_update(no_key=True).filter(pk__in=list(equipment_ids))
             .order_by("pk").values_list("pk"))
    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).values_list("pk"))


def locks_known(request: BookingRequest, kind: AppointmentType | None) -> bool:
    """Whether the request names every row the booking locks (no room or equipment left to assign). `kind`: the
    request's active appointment type; None (unknown or inactive): the plan refuses it, nothing to assign."""
    return kind is None or ((not kind.room_kind or request.room_id is not None)
                            and len(request.equipment_ids) >= len(kind.equipment_kinds or []))
