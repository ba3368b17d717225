"""Writing and reading consent records (#24 item 5): the desk's record of a consent granted or withdrawn, the SMS
keywords (STOP and START, shared with reminders), the e-mail unsubscribe link; the contact-preferences view.

Every record is appended, never changed; `consent.contact_refusal` reads the latest. Granting a purpose on a
channel the chart has not agreed to turns the channel's opt-in on (the patient has now agreed to it); a STOP turns
it off for every chart with the number, as before, and revokes every purpose by text for them and for the number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.core.text import digits
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import patient_record_check, require_patient_in_reach
from clinicdesk.patients.services.contact import patient_contact_opt_in, patient_contact_opt_out

from .consent import (
    RECORDED_PURPOSES,
    address_for,
    contact_refusal,
    latest_consent,
    normalized_address,
    refusal_words,
)
from .models import ConsentChannel, ConsentPurpose, ConsentRecord, ConsentSource

# The chart's own words for how an opt-in was given, from the source of the record that turned it on.
_CHART_SOURCE = {ConsentSource.DESK: "verbal", ConsentSource.WRITTEN: "paper", ConsentSource.PORTAL: "portal",
                 ConsentSource.SMS_KEYWORD: "sms-start", ConsentSource.EMAIL_LINK: "email-link"}
_FLAGGED_CHANNELS = (ConsentChannel.SMS, ConsentChannel.EMAIL, ConsentChannel.VOICEMAIL)


def _append(actor: Actor, *, channel: str, purpose: str, granted: bool, source: str, note: str = "",
            patient_id: int | None = None, address: str = "") -> ConsentRecord:
    return ConsentRecord.objects.create(patient_id=patient_id, address=address, channel=channel, purpose=purpose,
                                        granted=granted, source=source, note=note.strip()[:300], at=clock.now(),
                                        recorded_by=staff_user(actor))


def _checked(channel: str, purpose: str, source: str, granted: Any) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in ConsentChannel.values:
        errors["channel"] = [_("Choose a channel.")]
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if source not in ConsentSource.values:
        errors["source"] = [_("Choose how the consent was given.")]
    if not isinstance(granted, bool):
        errors["granted"] = [_("Choose granted or withdrawn.")]
    if errors:
        raise ValidationFailed("invalid-consent", _("Check the highlighted fields."), fields=errors)


@atomic_service
def consent_record(*, actor: Actor, patient_id: int, channel: str, purpose: str, granted: bool, source: str,
                   note: str = "") -> ConsentRecord:
    """The desk (or the portal) records that the patient granted or withdrew consent for one purpose on one
    channel. Bad input writes nothing."""
    _checked(channel, purpose, source, granted)
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    require_patient_in_reach(actor, patient, perm=Perm.PATIENT_WRITE, resource_type="consent",
                             resource_id=patient_id)
    if granted and channel in _FLAGGED_CHANNELS and not getattr(patient, f"{channel}_opt_in"):
        if not address_for(patient, channel):
            raise ValidationFailed("no-address", refusal_words("no-email" if channel == "email" else "no-phone",
                                                               channel))
        patient_contact_opt_in(actor=actor, patient_id=patient.pk, channel=channel, source=_CHART_SOURCE[source])
    entry = _append(actor, patient_id=patient.pk, channel=channel, purpose=purpose, granted=granted, source=source,
                    note=note)
    record(actor, "consent.record", entry, patient=patient,
           detail={"channel": channel, "purpose": purpose, "granted": granted, "source": source})
    return entry


@atomic_service
def consent_address_record(*, actor: Actor, address: str, channel: str, purpose: str, granted: bool, source: str,
                           note: str = "") -> ConsentRecord:
    """The same for an address that is not a patient's (an outreach contact's phone or e-mail)."""
    require(actor, Perm.OUTREACH_USE)
    _checked(channel, purpose, source, granted)
    normalized = normalized_address(channel, address)
    if not normalized:
        raise ValidationFailed("bad-address", _("Give a phone number or an e-mail address for this channel."),
                               fields={"address": [_("Required.")]})
    entry = _append(actor, address=normalized, channel=channel, purpose=purpose, granted=granted, source=source,
                    note=note)
    record(actor, "consent.record_address", entry, detail={"channel": channel, "purpose": purpose,
                                                           "granted": granted})
    return entry


def consent_sms_keyword(*, actor: Actor, phone: str, stop: bool) -> int:
    """STOP (stop=True): every purpose by text revoked for every chart with the number and for the number itself,
    and the charts' text opt-in turned off. START: appointment messages granted again and the opt-in turned back on.
    The caller (the gateway's authenticated webhook) has proven the reply; returns how many charts have the
    number. Call inside a transaction."""
    tail = digits(phone)[-10:]
    if len(tail) < 10:
        return 0
    if stop:
        patient_contact_opt_out(actor=actor, phone_digits=tail, channel=ConsentChannel.SMS, source="sms-stop")
    else:
        patient_contact_opt_in(actor=actor, phone_digits=tail, channel=ConsentChannel.SMS, source="sms-start")
    purposes = RECORDED_PURPOSES if stop else (ConsentPurpose.APPOINTMENT,)
    note = "STOP" if stop else "START"
    patient_ids = list(Patient.objects.filter(phone_digits=tail).order_by("pk").values_list("pk", flat=True))
    for purpose in purposes:
        _append(actor, address=tail, channel=ConsentChannel.SMS, purpose=purpose, granted=not stop,
                source=ConsentSource.SMS_KEYWORD, note=note)
        for patient_id in patient_ids:
            _append(actor, patient_id=patient_id, channel=ConsentChannel.SMS, purpose=purpose, granted=not stop,
                    source=ConsentSource.SMS_KEYWORD, note=note)
    for patient_id in patient_ids:
        record(actor, "consent.sms_keyword", resource_type="patient", resource_id=patient_id, patient=patient_id,
               detail={"stop": stop})
    return len(patient_ids)


def consent_email_unsubscribe(*, actor: Actor, patient_id: int, purpose: str | None) -> int:
    """An unsubscribe link followed: that purpose by e-mail revoked for the patient and their address; a link that
    names no purpose (older ones) turns e-mail off altogether, as it always did. Call inside a transaction."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        return 0
    purposes: tuple[str, ...] = (purpose,) if purpose in RECORDED_PURPOSES else RECORDED_PURPOSES
    if purpose not in RECORDED_PURPOSES:
        patient_contact_opt_out(actor=actor, patient_id=patient.pk, channel=ConsentChannel.EMAIL,
                                source="email-link")
    address = normalized_address(ConsentChannel.EMAIL, patient.email)
    for each in purposes:
        _append(actor, patient_id=patient.pk, channel=ConsentChannel.EMAIL, purpose=each, granted=False,
                source=ConsentSource.EMAIL_LINK)
        if address:
            _append(actor, address=address, channel=ConsentChannel.EMAIL, purpose=each, granted=False,
                    source=ConsentSource.EMAIL_LINK)
    record(actor, "consent.unsubscribe", resource_type="patient", resource_id=patient.pk, patient=patient.pk,
           detail={"purposes": list(purposes)})
    return 1


# --- reading: the contact-preferences panel and the API --------------------------------------------------------
@dataclass(frozen=True)
class ConsentCell:
    channel: str
    channel_label: str
    allowed: bool
    words: str
    recorded: bool | None  # the latest record's answer; None: nothing recorded


@dataclass(frozen=True)
class ConsentRow:
    purpose: str
    purpose_label: str
    cells: list[ConsentCell]


@dataclass
class ConsentOverview:
    patient: Patient
    rows: list[ConsentRow] = field(default_factory=list)
    history: list[ConsentRecord] = field(default_factory=list)


def _cell(patient: Patient, channel: str, purpose: str) -> ConsentCell:
    refusal = contact_refusal(patient, channel, purpose=purpose)
    address = "" if channel == ConsentChannel.LETTER else normalized_address(channel, address_for(patient, channel))
    recorded = latest_consent(channel=channel, purpose=purpose, patient_id=patient.pk, address=address)
    words = refusal_words(refusal, channel) if refusal else _("May be contacted.")
    return ConsentCell(channel=channel, channel_label=str(ConsentChannel(channel).label), allowed=not refusal,
                       words=words, recorded=recorded)


@atomic_service
def consent_overview(*, actor: Actor, patient_id: int, history_limit: int = 200) -> ConsentOverview:
    """Who may be contacted for what by which channel, in words, and the history of consent records: a read of
    the patient's record (audited; a restricted one only after breaking the glass)."""
    patient_record_check(actor=actor, patient_id=patient_id, resource_type="consent")
    patient = Patient.objects.select_related("home_location").get(pk=patient_id)
    overview = ConsentOverview(patient=patient)
    for purpose in ConsentPurpose:
        overview.rows.append(ConsentRow(purpose=purpose.value, purpose_label=str(purpose.label),
                                        cells=[_cell(patient, channel, purpose.value) for channel in ConsentChannel]))
    addresses = [a for a in (normalized_address(ConsentChannel.SMS, patient.phone),
                             normalized_address(ConsentChannel.EMAIL, patient.email)) if a]
    overview.history = list(ConsentRecord.objects.filter(patient_id=patient.pk).select_related("recorded_by")
                            .order_by("-at", "-pk")[:history_limit])
    if addresses:
        by_address = ConsentRecord.objects.filter(address__in=addresses, patient__isnull=True).select_related(
            "recorded_by").order_by("-at", "-pk")[:history_limit]
        overview.history = sorted([*overview.history, *by_address], key=lambda r: (r.at, r.pk), reverse=True)
    record(actor, "consent.read", resource_type="consent", resource_id=patient_id, patient=patient_id)
    return overview
