from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.selectors import location_filter, patient_record_check
from clinicdesk.scheduling.selectors import appointment_detail

from . import content
from .models import Message, Status
from .services import PATIENT_LINK, answer_token_read


@dataclass(frozen=True)
class AnswerPage:
    """What a patient's answer link shows: their appointment, in their own language."""

    language: str
    appointment_name: str
    date: str
    time: str
    location: str
    address: str
    phone: str


@atomic_service
def answer_page(*, token: str) -> AnswerPage:
    """The appointment an answer link speaks of, worded for its patient. A bad or expired link raises NotFound."""
    payload = answer_token_read(token)
    if payload.get("p") != "appointment":
        raise NotFound("link-invalid", _("This link is not valid."))
    appointment = appointment_detail(actor=PATIENT_LINK, appointment_id=int(payload["a"]))
    language = content.language_for(appointment.patient)
    location = appointment.location
    date, time = content.local_date_time(appointment.start, location.tz, language)
    return AnswerPage(language=language, appointment_name=appointment.appointment_type.patient_name_in(language),
                      date=date, time=time, location=location.name,
                      address=f"{location.address_line}, {location.city}", phone=location.phone)


@atomic_service
def outbox_for_patient(*, actor: Actor, patient_id: int) -> list[Message]:
    """Every message to one patient, with its delivery history; reading it is a PHI read (of a restricted
    record, only after breaking the glass, as for the chart)."""
    patient_record_check(actor=actor, patient_id=patient_id, resource_type="outbox")
    messages = list(Message.objects.filter(patient_id=patient_id).prefetch_related("events")
                    .order_by("-send_after", "-pk"))
    record(actor, "message.list", resource_type="outbox", resource_id=patient_id, patient=patient_id)
    return messages


@atomic_service
def messages_needing_attention(*, actor: Actor, limit: int = 200) -> list[Message]:
    """The worklist: failed and bounced messages at the actor's locations."""
    require(actor, Perm.FRONTDESK)
    failed = Message.objects.filter(status__in=[Status.FAILED, Status.BOUNCED]).select_related(
        "patient__home_location").order_by("-send_after")
    failed = failed.filter(location_filter(actor, prefix="patient__"))
    rows = list(failed[:limit])
    if rows:
        record(actor, "message.worklist", resource_type="outbox",
               detail={"patients": sorted({m.patient_id for m in rows})})
    return rows
