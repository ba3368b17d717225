"""Secure messages: a patient writes to the practice; staff answer; the patient is told (without content)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms import services as comms
from clinicdesk.comms.models import Kind
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require, staff_user
from clinicdesk.frontdesk import services as frontdesk
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_patient_in_reach

from ..actor import PatientActor
from ..models import MessageTopic, PortalMessage
from .common import subject_patient as _subject

# The front desk's inbox takes the portal's messages as its own log entries and triage slips.
MESSAGE_INTAKE = SystemActor("portal-messages", frozenset({Perm.FRONTDESK}))
_REASONS = {MessageTopic.APPOINTMENT: "appointment", MessageTopic.BILLING: "billing", MessageTopic.REFILL: "refill",
            MessageTopic.CLINICAL: "clinical", MessageTopic.RECORDS: "records", MessageTopic.OTHER: "other"}


@atomic_service
def portal_message_send(*, actor: PatientActor, topic: str, body: str, idempotency_key: str = "") -> PortalMessage:
    """A patient writes to the practice. It lands in the front desk's log as a message; a health question
    becomes a triage slip for the nurses."""
    patient = _subject(actor)
    key = f"{actor.patient_id}:{idempotency_key.strip()[:60]}" if idempotency_key.strip() else None
    if key and (prior := PortalMessage.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    errors: dict[str, list[str]] = {}
    if topic not in MessageTopic.values:
        errors["topic"] = [_("Choose what your message is about.")]
    if not body.strip():
        errors["body"] = [_("Write your message.")]
    elif len(body) > 4000:
        errors["body"] = [_("Keep your message under 4,000 characters.")]
    if errors:
        raise ValidationFailed("bad-message", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    clinical = topic == MessageTopic.CLINICAL
    call = frontdesk.call_record(
        actor=MESSAGE_INTAKE, location_id=patient.home_location_id, caller_name=patient.display_name,
        reason=_REASONS[MessageTopic(topic)], disposition="triage" if clinical else "message", patient_id=patient.pk,
        kind="message", note="Patient portal message: read and answer it on the portal messages screen.",
        question=body.strip() if clinical else "", pool="nurse" if clinical else "")
    message = PortalMessage.objects.create(
        patient=patient, written_by_patient_id=actor.patient_id, topic=topic, body=body.strip(),
        created_at=clock.now(), call_log_id=call.pk, idempotency_key=key)
    record(actor, "portal.message_send", message, patient=patient, detail=actor.audit_detail(topic=topic))
    return message


def _notify(patient: Patient, message: PortalMessage) -> None:
    channel = "email" if patient.email else "sms"
    comms.message_queue(patient=patient, kind=Kind.PORTAL_NOTICE, channel=channel,
                        values={"link": f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('portal:start')}"},
                        dedupe_key=f"portal-notice:{message.pk}", requested=True)


@atomic_service
def portal_message_answer(*, actor: Actor, message_id: int, body: str) -> PortalMessage:
    """Staff answer a patient's message; the patient is told by e-mail or text that a message waits (no content)."""
    require(actor, Perm.FRONTDESK)
    original = (PortalMessage.objects.select_for_update(of=("self",)).select_related("patient")
                .filter(pk=message_id, written_by_staff__isnull=True).first())
    if original is None:
        raise NotFound()
    require_patient_in_reach(actor, original.patient, perm=Perm.FRONTDESK, resource_type="portalmessage",
                             resource_id=message_id)
    if not body.strip():
        raise ValidationFailed("bad-answer", _("Write your answer."), fields={"body": [_("Write your answer.")]})
    now = clock.now()
    answer = PortalMessage.objects.create(patient=original.patient, written_by_staff=staff_user(actor),
                                          reply_to=original, topic=original.topic, body=body.strip()[:4000],
                                          created_at=now)
    original.answered_at = now
    original.save(update_fields=["answered_at"])
    record(actor, "portal.message_answer", answer, patient=original.patient)
    _notify(original.patient, answer)
    return answer


@atomic_service
def portal_messages_mark_read(*, actor: PatientActor) -> int:
    return PortalMessage.objects.filter(patient_id=actor.reach(actor.subject_id), written_by_patient__isnull=True,
                                        read_at__isnull=True).update(read_at=clock.now())
