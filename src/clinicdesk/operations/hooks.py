"""What the supplies app does when another app announces a change (registered in apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinicdesk.scheduling.hooks import StatusChange

FULFILLED = "fulfilled"


def on_status_changed(change: StatusChange) -> None:
    """A visit done (appointment fulfilled): post what its appointment type consumes, inside the same
    transaction (a failure rolls the status move back; a shortage never refuses it)."""
    if change.to_status != FULFILLED:
        return
    from .services import visit_supplies_post

    appointment = change.appointment
    visit_supplies_post(appointment_id=appointment.pk, appointment_type_id=appointment.appointment_type_id,
                        location_id=appointment.location_id, actor=change.actor)
