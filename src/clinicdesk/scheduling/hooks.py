"""Where other apps plug into the schedule without the schedule importing them.

Handlers run after the transaction commits (`transaction.on_commit`), once per event, with ids only.
The reminders issue registers here, e.g. in its AppConfig.ready():

    from clinicdesk.scheduling import hooks
    hooks.slot_freed.append(lambda slot: waitlist_offer_task.enqueue(slot.appointment_id))
    hooks.appointment_booked.append(lambda event: reminders_plan_task.enqueue(event.appointment_id))
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

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


slot_freed: list[Callable[[FreedSlot], None]] = []
appointment_changed: list[Callable[[AppointmentEvent], None]] = []


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
