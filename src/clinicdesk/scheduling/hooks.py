"""Where other apps plug into the schedule without the schedule importing them.

Handlers of `slot_freed` and `appointment_changed` run after the transaction commits
(`transaction.on_commit`), once per event, with ids; an `AppointmentEvent` also lends its handlers the
appointment, read once for all of them, or the booking's own copy (`AppointmentEvent.appointment`). The reminders
issue registers here, e.g. in its AppConfig.ready():

    from clinicdesk.scheduling import hooks
    hooks.slot_freed.append(lambda slot: waitlist_offer_task.enqueue(slot.appointment_id))
    hooks.appointment_booked.append(lambda event: reminders_plan_task.enqueue(event.appointment_id))

`status_changed` is different: its handlers run INSIDE the transaction of the status move, right after the
appointment row is written, so that another app moves its own rows with it or not at all (the front desk
opens or advances the patient's visit when an appointment becomes arrived or checked-in, whichever face
moved it). A handler's error propagates and rolls the whole move back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Appointment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FreedSlot:
    """Time an appointment no longer occupies (cancelled, moved away, no-show, entered in error)."""

    appointment_id: int
    practitioner_id: int
    location_id: int
    appointment_type_id: int
    start: dt.datetime
    end: dt.datetime
    reason: str  # "cancelled", "rescheduled", "noshow", "entered-in-error"


@dataclass(frozen=True)
class AppointmentEvent:
    appointment_id: int
    action: str  # "booked", "rescheduled", "cancelled", "status"
    status: str
    # The appointment as the change wrote it, when the change has it in hand (a booking): a copy taken when the
    # change was announced, with its practitioner, location and type loaded. A later change to the same
    # appointment in the same transaction announces itself with its own event.
    written: Appointment | None = field(default=None, compare=False, repr=False)

    def appointment(self) -> Appointment | None:
        """The appointment this event is about, with its practitioner, location and type: the change's own copy
        (`written`) when it gave one, else the committed row, read once for every handler of the event. None
        when the appointment is gone."""
        return self.written if self.written is not None else self.committed_appointment

    @cached_property
    def committed_appointment(self) -> Appointment | None:
        """The row as committed (read after commit, once for every handler of the event)."""
        from .models import Appointment

        return (Appointment.objects.select_related("practitioner", "location", "appointment_type")
                .filter(pk=self.appointment_id).first())


@dataclass(frozen=True)
class StatusChange:
    """An appointment's status move, announced inside its transaction (the appointment row is locked)."""

    appointment: Appointment
    actor: Any
    from_status: str
    to_status: str


slot_freed: list[Callable[[FreedSlot], None]] = []
appointment_changed: list[Callable[[AppointmentEvent], None]] = []
status_changed: list[Callable[[StatusChange], None]] = []


@dataclass(frozen=True)
class ChecklistTick:
    """A pre-visit checklist item about to be ticked or unticked, announced inside its transaction (the
    appointment row is locked). A handler that raises a DomainError refuses the tick (the insurance app refuses
    "prior authorization" without an approved authorization covering the visit's date)."""

    appointment: Appointment
    actor: Any
    item: str
    done: bool


checklist_marking: list[Callable[[ChecklistTick], None]] = []


@dataclass(frozen=True)
class Requirement:
    """A pre-visit item another app requires for one appointment and finds unmet (insurance: "prior
    authorization" when a payer rule needs one and no approved authorization covers the visit's date).
    `reason` names the rule, in the reader's language."""

    item: str  # a ChecklistItem value
    reason: str
    code: str = "requirement-unmet"  # the refusal's code when someone ticks the item anyway


# Items other apps require for an appointment, beyond its type's checklist; asked by
# scheduling.services.readiness (the one home of "ready for visit"). A handler returns only what is unmet, so an
# unmet requirement keeps the visit not ready whatever is ticked. Not caught: a failing handler must not make a
# visit look ready.
# A handler answers for many appointments at once ({appointment id: unmet requirements}), so a list page asks
# each app once, not once per row.
readiness_requirements: list[Callable[[Sequence[Appointment]], dict[int, list[Requirement]]]] = []


def collect_readiness_requirements_many(appointments: Sequence[Appointment]) -> dict[int, list[Requirement]]:
    found: dict[int, list[Requirement]] = {appointment.pk: [] for appointment in appointments}
    for handler in list(readiness_requirements):
        for appointment_id, unmet in handler(appointments).items():
            found.setdefault(appointment_id, []).extend(unmet)
    return found


def collect_readiness_requirements(appointment: Appointment) -> list[Requirement]:
    return collect_readiness_requirements_many([appointment])[appointment.pk]

# Words another app adds to appointments on the calendar (insight: the no-show risk band). A handler gets the
# viewer, the location and the shown appointments' ids and returns {appointment id: words}; it decides itself
# whether the viewer may see them (an empty answer shows nothing). A failing handler shows nothing.
appointment_badges: list[Callable[[Any, Any, list[int]], dict[int, str]]] = []


def collect_appointment_badges(actor: Any, location: Any, appointment_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for handler in list(appointment_badges):
        try:
            answer = handler(actor, location, appointment_ids)
        except Exception:
            logger.exception("appointment_badges handler failed")
            continue
        for pk, words in answer.items():
            found.setdefault(pk, []).append(words)
    return found


def fire_slot_freed(slot: FreedSlot) -> None:
    for handler in list(slot_freed):
        try:
            handler(slot)
        except Exception:  # a handler's failure must not undo or hide a committed change
            logger.exception("slot_freed handler failed for appointment %s", slot.appointment_id)


def fire_appointment_changed(event: AppointmentEvent) -> None:
    for handler in list(appointment_changed):
        try:
            handler(event)
        except Exception:
            logger.exception("appointment_changed handler failed for appointment %s", event.appointment_id)


def run_checklist_marking(tick: ChecklistTick) -> None:
    """Inside the transaction: no catching, a handler that refuses undoes the tick."""
    for handler in list(checklist_marking):
        handler(tick)


def run_status_changed(change: StatusChange) -> None:
    """Inside the transaction: no catching, a handler that refuses undoes the move."""
    for handler in list(status_changed):
        handler(change)
