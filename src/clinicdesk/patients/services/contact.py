"""Opting out of a message channel: takes effect at once, kept in the field history and the audit trail."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor

from ..models import Patient
from .registration import history_write

_CHANNEL_FIELDS = {"sms": "sms_opt_in", "email": "email_opt_in", "voicemail": "voicemail_opt_in"}


def _contact_set(actor: Actor, channel: str, source: str, patient_id: int | None, phone_digits: str,
                 on: bool) -> int:
    """Set one channel on or off for one patient (by id) or for every patient with that phone number: the field,
    its date and source, the field history and the audit trail. Returns how many patients changed."""
    field = _CHANNEL_FIELDS.get(channel)
    if field is None:
        raise ValidationFailed("bad-channel", _("Unknown channel '%(channel)s'.") % {"channel": channel})
    if patient_id is not None:
        patients = Patient.objects.filter(pk=patient_id)
    elif len(phone_digits) == 10:
        patients = Patient.objects.filter(phone_digits=phone_digits)
    else:
        return 0
    changed = 0
    for patient in patients.select_for_update().filter(**{field: not on}).order_by("pk"):
        setattr(patient, field, on)
        setattr(patient, f"{field}_date", clock.now().date())
        setattr(patient, f"{field}_source", source[:10])
        patient.save(update_fields=[field, f"{field}_date", f"{field}_source", "updated_at"])
        history_write(actor, patient, {field: not on}, {field: on})
        if on:
            record(actor, "patient.opt_in", patient, patient=patient, detail={"channel": channel, "source": source})
        else:
            record(actor, "patient.opt_out", patient, patient=patient, detail={"channel": channel, "source": source})
        changed += 1
    return changed


@atomic_service
def patient_contact_opt_out(*, actor: Actor, channel: str, source: str, patient_id: int | None = None,
                            phone_digits: str = "") -> int:
    """Turn a channel off for one patient (by id) or for every patient with that phone number (an SMS
    STOP reply does not say who is texting). The caller has proven the request: a signed link or the
    gateway's authenticated webhook. Returns how many patients were changed."""
    return _contact_set(actor, channel, source, patient_id, phone_digits, on=False)


@atomic_service
def patient_contact_opt_in(*, actor: Actor, channel: str, source: str, patient_id: int | None = None,
                           phone_digits: str = "") -> int:
    """Turn a channel back on for one patient (by id) or every patient with that phone number (an SMS START reply):
    the twin of `patient_contact_opt_out`, kept in the field history and the audit trail. Returns how many changed."""
    return _contact_set(actor, channel, source, patient_id, phone_digits, on=True)
