"""What the insurance app does when the schedule announces a change (registered in apps.py), inside the
change's transaction: a refusal here rolls the change back with its reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinicdesk.scheduling.hooks import ChecklistTick, Requirement, StatusChange
    from clinicdesk.scheduling.models import Appointment

FULFILLED = "fulfilled"


def on_status_changed(change: StatusChange) -> None:
    """A visit done: one visit of its referral and one unit of its authorization are used."""
    if change.to_status != FULFILLED:
        return
    from .services import authorization_count_unit, referral_count_visit

    referral_count_visit(appointment=change.appointment, actor=change.actor)
    authorization_count_unit(appointment=change.appointment, actor=change.actor)


def on_checklist_marking(tick: ChecklistTick) -> None:
    """"Prior authorization" is ticked only with an approved authorization covering the visit's date."""
    from .services import authorization_checklist_guard

    authorization_checklist_guard(appointment=tick.appointment, item=tick.item, done=tick.done)


def readiness_requirements(appointments: Sequence[Appointment]) -> dict[int, list[Requirement]]:
    """A payer rule's prior authorization, unmet, keeps the visit not ready (scheduling.services.readiness)."""
    from .services import authorization_readiness_requirements

    return authorization_readiness_requirements(appointments)
