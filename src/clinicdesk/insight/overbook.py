"""Overbook advice (#22 item 3): where a provider's booked slot is likely to stand empty, suggest one overbooking.

Off unless the practice allows it (OverbookPolicy, practice coordinators). For a day and provider, each booked
slot's expected attendance is the sum of (1 - no-show risk) over the appointments in it; a slot with a single
appointment whose expected attendance is below the practice's threshold is suggested for one overbooking (one
more patient makes about one expected arrival, not a crowded waiting room). A slot already overbooked is not
suggested again. Booking a suggestion is the schedule's own booking (appointment_book with its overbook flag and
reason, through the booking dialog): there is no second booking path here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.scheduling.selectors import appointments_for_day

from .reports.tables import OverbookPolicy
from .selectors import may_see_risk_at, noshow_risk_at


def overbook_policy() -> OverbookPolicy:
    """The practice's setting (unsaved default: off, threshold 0.70, when never set)."""
    return OverbookPolicy.objects.filter(pk=1).first() or OverbookPolicy(pk=1)


@atomic_service
def overbook_policy_set(*, actor: Actor, allow_suggested: bool, threshold: Decimal) -> OverbookPolicy:
    require(actor, Perm.PRACTICE_ADMIN)
    if not Decimal("0.05") <= threshold <= Decimal("1"):
        message = _("Choose a threshold between 0.05 and 1.")
        raise ValidationFailed("bad-threshold", message, fields={"threshold": [message]})
    policy = overbook_policy()
    policy.allow_suggested, policy.threshold = allow_suggested, threshold.quantize(Decimal("0.01"))
    policy.save()
    record(actor, "insight.overbook_policy.set", policy,
           detail={"allow_suggested": allow_suggested, "threshold": str(policy.threshold)})
    return policy


@dataclass(frozen=True)
class SlotAdvice:
    start: dt.datetime
    end: dt.datetime
    booked: int
    expected: float  # expected arrivals in the slot
    suggested: bool
    appointment_type_id: int

    @property
    def start_iso(self) -> str:
        return self.start.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def may_overbook_advice(actor: Actor, location: Any) -> bool:
    return may_see_risk_at(actor, location) and has_perm(actor, Perm.SCHEDULE_OVERBOOK, location=location)


def overbook_advice(*, actor: Actor, location: Any, day: dt.date, practitioner_id: int,
                    policy: OverbookPolicy | None = None) -> list[SlotAdvice]:
    """Each booked slot of the provider that day with its expected attendance, and which to overbook (nothing
    while the practice does not allow suggested overbooking, or before a no-show model exists)."""
    if not may_overbook_advice(actor, location):
        raise PermissionDenied(actor=actor, resource_type="location", resource_id=str(location.pk))
    policy = policy or overbook_policy()
    if not policy.allow_suggested:
        return []
    shown = [a for a in appointments_for_day(actor=actor, location=location, day=day)
             if a.practitioner_id == practitioner_id and a.status in ("booked", "pending")]
    risks = {r.appointment_id: r.probability
             for r in noshow_risk_at(actor=actor, location=location, appointment_ids=[a.pk for a in shown])}
    slots: dict[tuple[dt.datetime, dt.datetime], list[Any]] = {}
    for appointment in shown:
        slots.setdefault((appointment.start, appointment.end), []).append(appointment)
    threshold = float(policy.threshold)
    advice = []
    for (start, end), group in sorted(slots.items(), key=lambda item: item[0]):
        if not all(a.pk in risks for a in group):
            continue  # not scored (no model, or no history): no advice
        expected = sum(1 - risks[a.pk] for a in group)
        suggested = len(group) == 1 and not group[0].overbooked and expected < threshold
        advice.append(SlotAdvice(start, end, len(group), round(expected, 2), suggested,
                                 group[0].appointment_type_id))
    return advice
