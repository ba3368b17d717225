"""Ready for visit (#18 item 7): the one home of the decision. An appointment is ready when every item its
type's pre-visit checklist asks for is ticked AND no other app reports an unmet requirement through the
`readiness_requirements` hook (insurance: a payer rule needs a prior authorization and none approved covers the
visit's date). Computed, never stored: the model's `ready_for_visit` / `checklist_missing`, the calendar panel,
the front desk's check-in page and worklist, and the portal's intake all ask here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import hooks

if TYPE_CHECKING:
    from ..models import Appointment


@dataclass(frozen=True)
class Readiness:
    required: list[str]  # the type's checklist, then items other apps require, each once
    missing: list[str]  # required and not done, in the same order
    reasons: dict[str, list[str]]  # item -> the rules (in words) that require it and are unmet
    codes: dict[str, str]  # item -> the refusal code of its first unmet requirement

    @property
    def ready(self) -> bool:
        return not self.missing


def requirements(appointment: Appointment) -> list[hooks.Requirement]:
    """Unmet requirements of other apps, asked once per appointment object (cached on it)."""
    cached = getattr(appointment, "_readiness_requirements", None)
    if cached is None:
        cached = hooks.collect_readiness_requirements(appointment)
        appointment._readiness_requirements = cached  # type: ignore[attr-defined]
    return list(cached)


def readiness_prime(appointments: Sequence[Appointment]) -> None:
    """Ask the other apps once for a whole list (a worklist, a day's print), so each row's `readiness` reads the
    answer instead of asking again: a list page's queries do not grow with its rows."""
    found = hooks.collect_readiness_requirements_many(appointments)
    for appointment in appointments:
        appointment._readiness_requirements = found.get(appointment.pk, [])  # type: ignore[attr-defined]


def forget(appointment: Appointment) -> None:
    """After a write that may change another app's answer (an authorization linked, a tick)."""
    if hasattr(appointment, "_readiness_requirements"):
        del appointment._readiness_requirements


def readiness(appointment: Appointment) -> Readiness:
    """The one function: what the visit needs before it is ready, what is missing, and why."""
    extra = requirements(appointment)
    reasons: dict[str, list[str]] = {}
    codes: dict[str, str] = {}
    for need in extra:
        reasons.setdefault(need.item, []).append(need.reason)
        codes.setdefault(need.item, need.code)
    required = list(dict.fromkeys([*(appointment.appointment_type.checklist or []), *reasons]))
    done = set(appointment.checklist_done or [])
    # An unmet requirement stays missing even when the item was ticked (e.g. the authorization was denied since).
    missing = [item for item in required if item in reasons or item not in done]
    return Readiness(required=required, missing=missing, reasons=reasons, codes=codes)


def ready_for_visit(appointment: Appointment) -> bool:
    return readiness(appointment).ready
