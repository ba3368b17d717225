"""Letters and messages written by staff (#24): versioned templates with merge fields, compose to one patient or
several, letters as PDF on the chart.

Merge fields are `{{ patient.first_name }}`-style names from a fixed list (`FIELDS`); anything else - an unknown
name, a template tag - is refused when a template is saved and again when a message is sent, with the field
named. SMS never carries a clinical field (minimum necessary). E-mail and SMS go through the existing outbox
(kind "manual"), so consent is checked again and quiet hours hold them at the last moment as for reminders.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.billing.services import balance_of
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_patient_in_reach
from clinicdesk.patients.services.documents import store_document
from clinicdesk.practice.selectors import practice_settings
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from . import content
from .consent import contact_refusal, refusal_words
from .letters import letter_pdf
from .models import (
    ComposeChannel,
    ComposeTemplate,
    ComposeTemplateVersion,
    Correspondence,
    Kind,
    Message,
    Purpose,
    Status,
)
from .quiet_hours import next_sendable


@dataclass(frozen=True)
class Field:
    label: Any
    clinical: bool = False


# The only names a template may use. Clinical ones never go into a text message.
FIELDS: dict[str, Field] = {
    "patient.first_name": Field(gettext_lazy("Patient's first name")),
    "patient.last_name": Field(gettext_lazy("Patient's last name")),
    "patient.full_name": Field(gettext_lazy("Patient's full name")),
    "appointment.date": Field(gettext_lazy("Next appointment: date")),
    "appointment.time": Field(gettext_lazy("Next appointment: time")),
    "appointment.provider": Field(gettext_lazy("Next appointment: provider")),
    "appointment.location": Field(gettext_lazy("Next appointment: location")),
    "appointment.reason": Field(gettext_lazy("Next appointment: reason for the visit"), clinical=True),
    "account.balance": Field(gettext_lazy("Balance owed")),
    "provider.name": Field(gettext_lazy("The patient's provider")),
    "practice.name": Field(gettext_lazy("Practice name")),
    "practice.phone": Field(gettext_lazy("Practice phone")),
}
_FIELD = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
SMS_LIMIT = 480


def fields_used(text: str) -> list[str]:
    return [name for name in _FIELD.findall(text)]


def merge_check(texts: list[str], channel: str) -> None:
    """Refuse an unknown merge field, a template tag, or a clinical field in a text message, naming it."""
    for text in texts:
        if tag := _TAG.search(text):
            raise ValidationFailed("template-tag", _("Only merge fields like {{ patient.first_name }} may be used, "
                                                     "not “%(tag)s”.") % {"tag": tag.group(0)[:40]})
        for name in fields_used(text):
            if name not in FIELDS:
                raise ValidationFailed("unknown-merge-field", _("“%(field)s” is not a merge field. Use one of the "
                                                                "listed fields.") % {"field": name[:40]},
                                       fields={"body_en": [_("Unknown merge field: %(field)s") % {"field": name[:40]}]})
            if channel == ComposeChannel.SMS and FIELDS[name].clinical:
                raise ValidationFailed("clinical-in-sms", _("A text message may not carry “%(field)s”: no clinical "
                                                            "details in text messages.") % {"field": name})


def merge(text: str, values: dict[str, str]) -> str:
    return _FIELD.sub(lambda match: values.get(match.group(1), ""), text)


def merge_compiled(text: str) -> Callable[[dict[str, str]], str]:
    """`merge` for many people: the wording is split once, and each call only fills in the merge fields (a
    campaign wave renders each language's wording once, not once per message). Same result as `merge`."""
    parts = _FIELD.split(text)
    literals, names = parts[0::2], parts[1::2]
    if not names:
        return lambda values: text
    pairs = list(zip(names, literals[1:], strict=True))
    head = literals[0]

    def fill(values: dict[str, str]) -> str:
        out = [head]
        for name, literal in pairs:
            out.append(values.get(name, ""))
            out.append(literal)
        return "".join(out)

    return fill


# --- templates ---------------------------------------------------------------------------------
def _wording_checked(channel: str, subject_en: str, body_en: str, subject_es: str, body_es: str) -> None:
    if not body_en.strip() or not body_es.strip():
        raise ValidationFailed("text-required", _("Write the text in English and in Spanish."),
                               fields={"body_en" if not body_en.strip() else "body_es": [_("Write the text.")]})
    merge_check([subject_en, body_en, subject_es, body_es], channel)


@atomic_service
def compose_template_create(*, actor: Actor, name: str, purpose: str, channel: str, subject_en: str = "",
                            body_en: str, subject_es: str = "", body_es: str) -> ComposeTemplate:
    require(actor, Perm.PRACTICE_ADMIN)
    if purpose not in Purpose.values or channel not in ComposeChannel.values:
        raise ValidationFailed("bad-choice", _("Choose a purpose and a channel."))
    if not name.strip():
        raise ValidationFailed("name-required", _("Give the template a name."), fields={"name": [_("Required.")]})
    _wording_checked(channel, subject_en, body_en, subject_es, body_es)
    if ComposeTemplate.objects.filter(name=name.strip(), channel=channel).exists():
        raise ValidationFailed("name-taken", _("A template of that name exists for this channel."),
                               fields={"name": [_("Choose another name.")]})
    template = ComposeTemplate.objects.create(name=name.strip()[:120], purpose=purpose, channel=channel,
                                              created_at=clock.now())
    _version(actor, template, subject_en, body_en, subject_es, body_es)
    record(actor, "compose_template.create", template, detail={"channel": channel, "purpose": purpose})
    return template


def _version(actor: Actor, template: ComposeTemplate, subject_en: str, body_en: str, subject_es: str,
             body_es: str) -> ComposeTemplateVersion:
    last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ComposeTemplateVersion.objects.create(
        template=template, number=last + 1, subject_en=subject_en.strip()[:200], body_en=body_en.strip(),
        subject_es=subject_es.strip()[:200], body_es=body_es.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None, created_at=clock.now())


@atomic_service
def compose_template_revise(*, actor: Actor, template_id: int, subject_en: str = "", body_en: str,
                            subject_es: str = "", body_es: str, active: bool = True) -> ComposeTemplateVersion:
    """A new version of the wording; the earlier versions stay (what was sent names its version)."""
    require(actor, Perm.PRACTICE_ADMIN)
    template = ComposeTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise NotFound()
    _wording_checked(template.channel, subject_en, body_en, subject_es, body_es)
    version = _version(actor, template, subject_en, body_en, subject_es, body_es)
    if template.active != active:
        template.active = active
        template.save(update_fields=["active"])
    record(actor, "compose_template.revise", template, detail={"version": version.number, "active": active})
    return version


# --- compose -----------------------------------------------------------------------------------
@dataclass
class ComposeResult:
    sent: list[Correspondence] = field(default_factory=list)
    skipped: list[tuple[Patient, str]] = field(default_factory=list)
    repeated: bool = False


def _money(amount: Decimal) -> str:
    number = formats.number_format(abs(amount), 2, use_l10n=True, force_grouping=True)
    text = _("$%(number)s") % {"number": number}
    return f"-{text}" if amount < 0 else text


def merge_values(patient: Patient, language: str) -> dict[str, str]:
    """The values of every merge field for one patient, worded in `language`."""
    nxt = (Appointment.objects.select_related("practitioner", "location", "appointment_type")
           .filter(patient=patient, status=AppointmentStatus.BOOKED, start__gt=clock.now()).order_by("start").first())
    location = patient.home_location
    values = {
        "patient.first_name": patient.preferred_name or patient.given_name,
        "patient.last_name": patient.family_name,
        "patient.full_name": f"{patient.given_name} {patient.family_name}",
        "provider.name": patient.primary_care_provider,
        "practice.name": practice_settings().short_name,
        "practice.phone": location.phone,
    }
    with translation.override(language):
        values["account.balance"] = _money(balance_of(patient.pk))
        if nxt is not None:
            date, time = content.local_date_time(nxt.start, nxt.location.tz, language)
            values.update({"appointment.date": date, "appointment.time": time,
                           "appointment.provider": str(nxt.practitioner), "appointment.location": nxt.location.name,
                           "appointment.reason": nxt.appointment_type.patient_name_in(language)})
            values["provider.name"] = str(nxt.practitioner)
    return values


def _wake_sender() -> None:
    from .tasks import send_due_messages

    transaction.on_commit(lambda: send_due_messages.enqueue())


@atomic_service
def compose_send(*, actor: Actor, patient_ids: list[int], channel: str, batch: str, template_id: int | None = None,
                 subject: str = "", body: str = "") -> ComposeResult:
    """Write to each patient: from a template (the patient's language picks the English or Spanish wording) or
    free text. A patient who may not be reached this way is skipped with the reason; when nobody can be
    reached, nothing is written and the reasons are the refusal. Repeating a batch (a double click) returns
    what the first did."""
    if channel not in ComposeChannel.values:
        raise ValidationFailed("bad-channel", _("Choose e-mail, text message or letter."))
    if not patient_ids:
        raise ValidationFailed("no-patients", _("Choose at least one patient."), fields={"patients": [_("Required.")]})
    if not batch or len(batch) > 64:
        raise ValidationFailed("no-batch", _("The form expired; open it again."))
    done = list(Correspondence.objects.filter(batch=batch).select_related("patient"))
    if done:
        return ComposeResult(sent=done, repeated=True)
    version = None
    if template_id:
        template = ComposeTemplate.objects.filter(pk=template_id, active=True).first()
        if template is None or template.channel != channel:
            raise ValidationFailed("bad-template", _("Choose a template for this channel."),
                                   fields={"template": [_("Choose a template for this channel.")]})
        version = template.current
        assert version is not None
        merge_check([version.subject_en, version.body_en, version.subject_es, version.body_es], channel)
    else:
        if not body.strip():
            raise ValidationFailed("text-required", _("Choose a template or write the text."),
                                   fields={"body": [_("Write the text.")]})
        merge_check([subject, body], channel)
    if channel == ComposeChannel.EMAIL and version is None and not subject.strip():
        raise ValidationFailed("subject-required", _("An e-mail needs a subject."),
                               fields={"subject": [_("Write a subject.")]})
    patients = list(Patient.objects.select_related("home_location").filter(pk__in=set(patient_ids)).order_by("pk"))
    if len(patients) != len(set(patient_ids)):
        raise NotFound()
    result = ComposeResult()
    now = clock.now()
    texts = [version.subject_en, version.body_en, version.subject_es, version.body_es] if version else [subject, body]
    needs_appointment = any(name.startswith("appointment.") for text in texts for name in fields_used(text))
    for patient in patients:
        require_patient_in_reach(actor, patient, perm=Perm.CORRESPONDENCE_WRITE)
        purpose = version.template.purpose if version else "general"
        refusal = contact_refusal(patient, channel, purpose=purpose)
        if refusal:
            result.skipped.append((patient, refusal_words(refusal, channel)))
            continue
        language = content.language_for(patient)
        values = merge_values(patient, language)
        if needs_appointment and "appointment.date" not in values:
            result.skipped.append((patient, _("There is no upcoming appointment to write about.")))
            continue
        subject_text, body_text = version.wording(language) if version else (subject, body)
        subject_out, body_out = merge(subject_text, values).strip(), merge(body_text, values).strip()
        if channel == ComposeChannel.SMS and len(body_out) > SMS_LIMIT:
            body_out = body_out[:SMS_LIMIT - 3] + "..."
        item = Correspondence(batch=batch, patient=patient, location=patient.home_location, channel=channel,
                              template_version=version, language=language, subject=subject_out[:200], body=body_out,
                              sent_by=actor if getattr(actor, "is_authenticated", False) else None, created_at=now)
        if channel == ComposeChannel.LETTER:
            pdf = letter_pdf(patient=patient, location=patient.home_location, language=language,
                             subject=subject_out, body=body_out, when=now)
            document = store_document(actor=actor, patient=patient, kind="other", data=pdf,
                                      content_type="application/pdf",
                                      document_date=now.astimezone(patient.home_location.tz).date(),
                                      description=(_("Letter: %(subject)s") % {"subject": subject_out or "-"}))
            item.document_id, item.outcome = document.pk, Correspondence.Outcome.LETTER
        else:
            due = next_sendable(now, patient.home_location.tz)
            item.message = Message.objects.create(
                patient=patient, kind=Kind.MANUAL, channel=channel, to_address=_address(patient, channel),
                language=language, subject=subject_out[:200], body=body_out, status=Status.QUEUED, send_after=due,
                dedupe_key=f"compose:{batch}:{patient.pk}", purpose=purpose)
            item.outcome = Correspondence.Outcome.HELD if due > now else Correspondence.Outcome.QUEUED
        item.save()
        record(actor, "correspondence.send", item, patient=patient,
               detail={"channel": channel, "template_version": version.pk if version else None,
                       "outcome": item.outcome})
        result.sent.append(item)
    if not result.sent:
        raise ValidationFailed("nobody-reachable", " ".join(
            _("%(name)s: %(reason)s") % {"name": p.display_name, "reason": r} for p, r in result.skipped))
    if result.skipped:
        record(actor, "correspondence.skip", resource_type="correspondence", resource_id=batch,
               detail={"skipped": [p.pk for p, _r in result.skipped]})
    if any(item.message_id for item in result.sent):
        _wake_sender()
    return result


def _address(patient: Patient, channel: str) -> str:
    from .consent import address_for

    return address_for(patient, channel)


def new_batch() -> str:
    return uuid.uuid4().hex


def compose_templates_seed() -> int:
    """The shipped wording (content.COMPOSE_DEFAULTS) as version 1 of each template not there yet (migration 0003
    does the same; this is for a database emptied since, as a demo rebuild or a browser test's flush)."""
    made = 0
    for key, (name, purpose, channel, (subject_en, body_en), (subject_es, body_es)) in \
            content.COMPOSE_DEFAULTS.items():
        if ComposeTemplate.objects.filter(seed_key=key).exists():
            continue
        template = ComposeTemplate.objects.create(name=name, purpose=purpose, channel=channel, seed_key=key,
                                                  created_at=clock.now())
        ComposeTemplateVersion.objects.create(template=template, number=1, subject_en=subject_en, body_en=body_en,
                                              subject_es=subject_es, body_es=body_es, created_at=clock.now())
        made += 1
    return made
