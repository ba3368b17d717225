from __future__ import annotations

from typing import Any

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.permissions import Perm, require

from .models import Message, Status


@atomic_service
def outbox_for_patient(*, actor: Any, patient_id: int) -> list[Message]:
    """Every message to one patient, with its delivery history; reading it is a PHI read (of a restricted
    record, only after breaking the glass, as for the chart)."""
    from clinicdesk.patients.selectors import patient_record_check

    patient_record_check(actor=actor, patient_id=patient_id, resource_type="outbox")
    messages = list(Message.objects.filter(patient_id=patient_id).prefetch_related("events")
                    .order_by("-send_after", "-pk"))
    record(actor, "message.list", resource_type="outbox", resource_id=patient_id, patient=patient_id)
    return messages


@atomic_service
def messages_needing_attention(*, actor: Any, limit: int = 200) -> list[Message]:
    """The worklist: failed and bounced messages at the actor's locations."""
    require(actor, Perm.FRONTDESK)
    failed = Message.objects.filter(status__in=[Status.FAILED, Status.BOUNCED]).select_related(
        "patient__home_location").order_by("-send_after")
    if not getattr(actor, "practice_wide", False):
        failed = failed.filter(patient__home_location_id__in=actor.location_ids())
    rows = list(failed[:limit])
    if rows:
        record(actor, "message.worklist", resource_type="outbox",
               detail={"patients": sorted({m.patient_id for m in rows})})
    return rows
