"""Break the glass: opening a restricted record takes a reason, kept for the compliance officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Perm, require

from ..models import BreakGlassAccess, Patient

BREAK_GLASS_MINUTES = 30


@atomic_service
def break_glass_open(*, actor: Any, patient_id: Any, reason: str) -> BreakGlassAccess:
    require(actor, Perm.PATIENT_READ, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    require(actor, Perm.PATIENT_READ, location=patient.home_location_id, resource_type="patient",
            resource_id=patient_id, patient_id=patient_id, hide=True)
    reason = " ".join((reason or "").split())[:300]
    if len(reason) < 10:
        message = _("Give the reason you need this restricted record (at least 10 characters).")
        raise ValidationFailed("reason-required", message, fields={"reason": [message]})
    now = clock.now()
    access = BreakGlassAccess.objects.create(patient=patient, actor=actor, reason=reason, at=now,
                                             expires_at=now + dt.timedelta(minutes=BREAK_GLASS_MINUTES))
    record(actor, "patient.break_glass", patient, patient=patient, detail={"reason": reason})
    return access
