"""Break the glass: opening a restricted record takes a reason, kept for the compliance officer."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import BreakGlassAccess
from ..visibility import patient_in_reach

BREAK_GLASS_MINUTES = 30


@atomic_service
def break_glass_open(*, actor: Actor, patient_id: int, reason: str) -> BreakGlassAccess:
    require(actor, Perm.PATIENT_READ, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    patient = patient_in_reach(actor, patient_id)  # breaking the glass is no way round the location rule
    reason = " ".join((reason or "").split())[:300]
    if len(reason) < 10:
        message = _("Give the reason you need this restricted record (at least 10 characters).")
        raise ValidationFailed("reason-required", message, fields={"reason": [message]})
    now = clock.now()
    access = BreakGlassAccess.objects.create(patient=patient, actor=staff_user(actor), reason=reason, at=now,
                                             expires_at=now + dt.timedelta(minutes=BREAK_GLASS_MINUTES))
    record(actor, "patient.break_glass", patient, patient=patient, detail={"reason": reason})
    return access
