"""Surgery and procedure readiness (#18 item 8). Each appointment type may have a readiness packet template (the
practice edits its list: clearance, labs, imaging, consent, anaesthesia questionnaire, pre-operative instructions
in English and Spanish, ride home); a visit of that type gets a packet copied from it; each item is confirmed by
a staff member (who and when, with the patient's document that proves it); the packet goes to the patient by
e-mail or SMS through the comms outbox with an acknowledgement link: a signed, expiring token that names only
the packet (no patient data in the URL)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms.services import message_queue_text
from clinicdesk.core import clock
from clinicdesk.core.exceptions import InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require, staff_user
from clinicdesk.patients.models import Document
from clinicdesk.patients.visibility import patient_in_reach
from clinicdesk.practice.selectors import practice_settings
from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType

from ..models import (
    READINESS_TRANSITIONS,
    ReadinessItem,
    ReadinessItemStatus,
    ReadinessKind,
    ReadinessPacket,
    ReadinessTemplateItem,
)
from .rules import _require_rules_editor

LINK_SALT = "clinicdesk.insurance.readiness"
LINK_MAX_AGE_DAYS = 30
# The patient's own acknowledgement link may do this and nothing more.
PATIENT_ACK = SystemActor("readiness-link", frozenset({Perm.INSURANCE_READ}))

# The shipped list, used for a type the practice has not edited (kind, English, Spanish instructions).
DEFAULT_ITEMS: tuple[tuple[str, str, str], ...] = (
    (ReadinessKind.CLEARANCE, "", ""),
    (ReadinessKind.LABS, "", ""),
    (ReadinessKind.IMAGING, "", ""),
    (ReadinessKind.CONSENT, "", ""),
    (ReadinessKind.ANAESTHESIA, "Please fill in the anaesthesia questionnaire we gave you and bring it.",
     "Llene el cuestionario de anestesia que le dimos y tráigalo."),
    (ReadinessKind.INSTRUCTIONS,
     "Do not eat after midnight before your procedure. You may drink clear fluids (water, apple juice) until two "
     "hours before. Take your usual medicines with a sip of water, except blood thinners and diabetes medicines: "
     "ask us about those.",
     "No coma nada después de la medianoche antes de su procedimiento. Puede tomar líquidos claros (agua, jugo de "
     "manzana) hasta dos horas antes. Tome sus medicinas de siempre con un sorbo de agua, excepto los "
     "anticoagulantes y las medicinas para la diabetes: pregúntenos por ellas."),
    (ReadinessKind.RIDE, "An adult must drive you home after the procedure.",
     "Un adulto debe llevarle a casa después del procedimiento."),
)


@dataclass
class TemplateItemInput:
    kind: str
    label: str = ""
    instructions_en: str = ""
    instructions_es: str = ""


def _type(appointment_type_id: Any) -> AppointmentType:
    kind = AppointmentType.objects.filter(pk=appointment_type_id).first() \
        if str(appointment_type_id).isdigit() else None
    if kind is None:
        raise NotFound()
    return kind


@atomic_service
def readiness_template_save(*, actor: Actor, appointment_type_id: int, items: list[TemplateItemInput]
                            ) -> list[ReadinessTemplateItem]:
    """Replace an appointment type's readiness list (the practice coordinator or billing, as payer rules). An
    empty list removes the template (the type needs no packet)."""
    _require_rules_editor(actor)
    kind = _type(appointment_type_id)
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        if item.kind not in ReadinessKind.values:
            errors.setdefault(f"items[{index}].kind", []).append(_("Choose what the item is."))
        elif item.kind == ReadinessKind.OTHER and not item.label.strip():
            errors.setdefault(f"items[{index}].label", []).append(_("Say what the item is."))
    if len(items) > 30:
        errors.setdefault("items", []).append(_("A packet holds at most 30 items."))
    if errors:
        raise ValidationFailed("invalid-readiness-template", next(iter(errors.values()))[0], fields=errors)
    ReadinessTemplateItem.objects.filter(appointment_type=kind).delete()
    now, user = clock.now(), staff_user(actor)
    saved = ReadinessTemplateItem.objects.bulk_create([ReadinessTemplateItem(
        appointment_type=kind, position=index, kind=item.kind, label=item.label.strip()[:120],
        instructions_en=item.instructions_en.strip()[:2000], instructions_es=item.instructions_es.strip()[:2000],
        updated_at=now, updated_by=user) for index, item in enumerate(items)])
    record(actor, "readiness.template", None, resource_type="appointment-type", resource_id=kind.pk,
           detail={"items": [i.kind for i in items]})
    return saved


def default_template() -> list[TemplateItemInput]:
    return [TemplateItemInput(kind=k, instructions_en=en, instructions_es=es) for k, en, es in DEFAULT_ITEMS]


def _template_for(kind: AppointmentType) -> list[TemplateItemInput]:
    rows = list(ReadinessTemplateItem.objects.filter(appointment_type=kind).order_by("position", "pk"))
    if not rows:
        return default_template()
    return [TemplateItemInput(kind=r.kind, label=r.label, instructions_en=r.instructions_en,
                              instructions_es=r.instructions_es) for r in rows]


def _appointment(actor: Actor, appointment_id: Any) -> Appointment:
    appointment = (Appointment.objects.select_related("location", "patient", "appointment_type")
                   .filter(pk=appointment_id).first()) if str(appointment_id).isdigit() else None
    if appointment is None or not actor.works_at(appointment.location_id):
        raise NotFound()
    return appointment


@atomic_service
def readiness_packet_open(*, actor: Actor, appointment_id: int) -> ReadinessPacket:
    """The appointment's readiness packet, made from its type's template the first time (one per appointment)."""
    require(actor, Perm.INSURANCE_WRITE)
    appointment = _appointment(actor, appointment_id)
    require(actor, Perm.INSURANCE_WRITE, location=appointment.location_id, patient_id=appointment.patient_id)
    patient_in_reach(actor, appointment.patient_id, perm=Perm.INSURANCE_WRITE)
    if prior := ReadinessPacket.objects.filter(appointment=appointment).first():
        return prior
    if appointment.status not in ACTIVE_STATUSES:
        raise InvalidTransition("readiness-visit-not-live",
                                _("This visit is no longer booked; it needs no readiness packet."))
    packet = ReadinessPacket.objects.create(
        appointment=appointment, patient_id=appointment.patient_id, location_id=appointment.location_id,
        link_nonce=secrets.token_hex(8), created_at=clock.now(), created_by=staff_user(actor))
    template = _template_for(appointment.appointment_type)
    ReadinessItem.objects.bulk_create([ReadinessItem(
        packet=packet, position=index, kind=item.kind, label=item.label, instructions_en=item.instructions_en,
        instructions_es=item.instructions_es) for index, item in enumerate(template)])
    record(actor, "readiness.create", packet, patient=appointment.patient_id,
           detail={"appointment": appointment.pk})
    return packet


def _locked_item(actor: Actor, item_id: Any) -> ReadinessItem:
    item = (ReadinessItem.objects.select_for_update(of=("self",)).select_related("packet")
            .filter(pk=item_id).first()) if str(item_id).isdigit() else None
    if item is None or not actor.works_at(item.packet.location_id):
        raise NotFound()
    require(actor, Perm.INSURANCE_WRITE, location=item.packet.location_id, patient_id=item.packet.patient_id)
    patient_in_reach(actor, item.packet.patient_id, perm=Perm.INSURANCE_WRITE)
    return item


@atomic_service
def readiness_item_set(*, actor: Actor, item_id: int, status: str, document_id: int | None = None,
                       note: str = "") -> ReadinessItem:
    """Confirm an item (done, with the patient's document that shows it if any), mark it not needed, or reopen
    it: the transitions table. Who confirmed it and when are kept."""
    require(actor, Perm.INSURANCE_WRITE)
    item = _locked_item(actor, item_id)
    if status not in READINESS_TRANSITIONS.get(item.status, frozenset()):
        raise InvalidTransition("readiness-item-transition", _("An item that is “%(now)s” cannot become “%(next)s”.")
                                % {"now": item.get_status_display(),
                                   "next": ReadinessItemStatus(status).label
                                   if status in ReadinessItemStatus.values else status})
    document = None
    if document_id not in (None, ""):
        document = Document.objects.filter(pk=document_id, patient_id=item.packet.patient_id).first() \
            if str(document_id).isdigit() else None
        if document is None:
            raise ValidationFailed("invalid-readiness-item", _("Choose one of the patient's documents."),
                                   fields={"document": [_("Choose one of the patient's documents.")]})
    before = item.status
    item.status, item.note = status, note.strip()[:200]
    if status == ReadinessItemStatus.PENDING:
        item.confirmed_at, item.confirmed_by, item.document = None, None, None
    else:
        item.confirmed_at, item.confirmed_by = clock.now(), staff_user(actor)
        item.document = document
    item.save(update_fields=["status", "note", "confirmed_at", "confirmed_by", "document"])
    record(actor, "readiness.item", item.packet, patient=item.packet.patient_id,
           detail={"item": item.kind, "from": before, "to": status, "document": item.document_id})
    return item


# --- the patient's copy and acknowledgement ------------------------------------------------------------------

def link_token(packet: ReadinessPacket) -> str:
    issued = int(clock.now().timestamp())  # the practice clock (signing's own max_age reads the system time)
    return signing.dumps({"k": packet.pk, "n": packet.link_nonce, "t": issued}, salt=LINK_SALT, compress=True)


def link_url(packet: ReadinessPacket) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('insurance:readiness-ack', args=[link_token(packet)])}"


def packet_for_token(token: str) -> ReadinessPacket:
    """The packet a patient's link names; a bad, altered, expired or replaced link: NotFound with plain words."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature as exc:
        raise NotFound("link-invalid", _("This link is not valid.")) from exc
    issued = payload.get("t") if isinstance(payload, dict) else None
    if not isinstance(issued, int) or clock.now().timestamp() - issued > LINK_MAX_AGE_DAYS * 86400:
        raise NotFound("link-expired", _("This link has expired. Please call the practice."))
    packet = (ReadinessPacket.objects.select_related("appointment__appointment_type", "appointment__location",
                                                     "patient").prefetch_related("items")
              .filter(pk=int(payload["k"]), link_nonce=str(payload.get("n"))).first()) \
        if isinstance(payload.get("k"), int) else None
    if packet is None:
        raise NotFound("link-invalid", _("This link is not valid."))
    return packet


def patient_language(packet: ReadinessPacket) -> str:
    language = (packet.patient.preferred_language or "en")[:2]
    return language if language in ("en", "es") else "en"


def _message(packet: ReadinessPacket, channel: str) -> tuple[str, str]:
    language = patient_language(packet)
    appointment = packet.appointment
    with translation.override(language):
        day = formats.date_format(appointment.start.astimezone(appointment.location.tz), "DATE_FORMAT")
        subject = _("Getting ready for your visit on %(day)s") % {"day": day}
        url = link_url(packet)
        if channel == "sms":
            body = _("%(practice)s: please read how to get ready for your visit on %(day)s and tell us you did: "
                     "%(url)s") % {"practice": practice_settings().short_name, "day": day, "url": url}
            return subject, body
        lines = [_("Hello %(name)s,") % {"name": packet.patient.preferred_name or packet.patient.given_name}, "",
                 _("To get ready for your visit on %(day)s:") % {"day": day}, ""]
        for item in packet.items.all():
            text = item.instructions_es if language == "es" and item.instructions_es else item.instructions_en
            lines.append(f"- {item.title}" + (f": {text}" if text else ""))
        lines += ["", _("Please tell us you have read this: %(url)s") % {"url": url}]
    return subject, "\n".join(lines)


@atomic_service
def readiness_packet_send(*, actor: Actor, packet_id: int, channel: str) -> ReadinessPacket:
    """Send the packet to the patient (e-mail or SMS, through the outbox, the patient's consent checked), with
    the acknowledgement link. A new send replaces the earlier link."""
    require(actor, Perm.INSURANCE_WRITE)
    packet = (ReadinessPacket.objects.select_for_update(of=("self",))
              .select_related("appointment__location", "patient__home_location").filter(pk=packet_id).first()) \
        if str(packet_id).isdigit() else None
    if packet is None or not actor.works_at(packet.location_id):
        raise NotFound()
    require(actor, Perm.INSURANCE_WRITE, location=packet.location_id, patient_id=packet.patient_id)
    patient_in_reach(actor, packet.patient_id, perm=Perm.INSURANCE_WRITE)
    if channel not in ("email", "sms"):
        raise ValidationFailed("invalid-channel", _("Choose e-mail or text message."),
                               fields={"channel": [_("Choose e-mail or text message.")]})
    packet.link_nonce = secrets.token_hex(8)
    subject, body = _message(packet, channel)
    sent = message_queue_text(patient=packet.patient, channel=channel, subject=subject, body=body,
                              dedupe_key=f"readiness:{packet.pk}:{packet.link_nonce}", appointment=packet.appointment)
    if sent is None:
        raise ValidationFailed("channel-not-allowed", _(
            "The patient has no address for this channel or did not agree to it; choose another or call them."),
            fields={"channel": [_("Not allowed for this patient.")]})
    packet.sent_at, packet.sent_channel = clock.now(), channel
    packet.save(update_fields=["link_nonce", "sent_at", "sent_channel"])
    record(actor, "readiness.send", packet, patient=packet.patient_id, detail={"channel": channel})
    return packet


@atomic_service
def readiness_acknowledge(*, token: str) -> ReadinessPacket:
    """The patient says they read the packet (from the link; the signed token is the proof). Twice: once."""
    packet = packet_for_token(token)
    packet = ReadinessPacket.objects.select_for_update(of=("self",)).get(pk=packet.pk)
    if packet.acknowledged_at is None:
        packet.acknowledged_at = clock.now()
        packet.save(update_fields=["acknowledged_at"])
        record(PATIENT_ACK, "readiness.acknowledge", packet, patient=packet.patient_id)
    return packet


def is_complete(items: list[ReadinessItem]) -> bool:
    return all(i.status != ReadinessItemStatus.PENDING for i in items)


def overdue_on(day: dt.date, visit_day: dt.date, items: list[ReadinessItem]) -> bool:
    """Incomplete with two days or less before the visit."""
    return not is_complete(items) and (visit_day - day).days <= 2
