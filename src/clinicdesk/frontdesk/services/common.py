"""What every front-desk service shares: who may work the desk at a location, the location's today, and
the desk's settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import ChecklistItem

from ..models import (
    Priority,
)

PRIMARY_CARE = ("family medicine", "internal medicine", "pediatrics", "general practice", "primary care")
# Minutes an open triage slip may wait before it escalates to the practice coordinator (per priority).
DEFAULT_ESCALATION_MINUTES = {Priority.URGENT: 30, Priority.SAME_DAY: 240, Priority.ROUTINE: 24 * 60}
CHASE_ITEMS = {**dict(ChecklistItem.choices), "forms": gettext_lazy("Consent and intake forms"),
               "insurance": gettext_lazy("Insurance on file")}


def escalation_minutes() -> dict[str, int]:
    return {**DEFAULT_ESCALATION_MINUTES, **getattr(settings, "FRONTDESK_TRIAGE_ESCALATION_MINUTES", {})}


def may_work_the_desk(actor: Actor, location: Location | int) -> bool:
    """Desk staff and clinicians at this location: who moves patients along the flow board and creates tasks
    (other apps ask before they offer a task form, e.g. a transfer's follow-up)."""
    return has_perm(actor, Perm.FRONTDESK, location=location) or has_perm(actor, Perm.CLINICAL_TRIAGE,
                                                                          location=location)


def _require_flow(actor: Actor, location: Location | int, **hidden: Any) -> None:
    """Desk staff and clinicians move patients along the flow board at their own locations."""
    if may_work_the_desk(actor, location):
        return
    require(actor, Perm.FRONTDESK, location=location, **hidden)


def _require_staff_any(actor: Actor) -> None:
    if not (has_perm(actor, Perm.FRONTDESK) or has_perm(actor, Perm.CLINICAL_TRIAGE)):
        require(actor, Perm.FRONTDESK)


def local_today(location: Location) -> dt.date:
    return clock.today_in(location.tz)
