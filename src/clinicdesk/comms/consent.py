"""The one place that decides whether a person may be contacted, for what, by which channel (#24 item 5).

Purposes (ConsentPurpose): appointment messages, billing, outreach and marketing; "general" (a letter or message
staff write with no other purpose) and "requested" (a sign-in code the patient just asked for) are not recorded.
The decision, `contact_refusal` for a patient and `address_refusal` for an address that is not a patient's:
- a patient who has died or whose chart is inactive is never contacted (a requested code: never for the dead);
- text, e-mail and voice calls need the channel's opt-in on the chart (TCPA: the patient agreed to the channel) and
  an address; letters need a postal address only;
- appointment and billing messages: also no revocation as the latest consent record for that purpose and channel;
- outreach and marketing: an explicit granted record for that channel (prior express consent), not revoked since.
Records are an append-only history (ConsentRecord); the latest for (patient or address, channel, purpose) is the
state. A patient's records and those of their current phone number or e-mail address count together, so a STOP
texted from a number reaches every chart with that number, and anyone it is given to later.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from clinicdesk.core.text import digits

from .models import Channel, ConsentChannel, ConsentPurpose, ConsentRecord

RECORDED_PURPOSES = tuple(ConsentPurpose.values)
REFUSALS = ("inactive", "deceased", "opted-out", "no-email", "no-phone", "no-address", "revoked", "no-consent")
_FLAGGED = {ConsentChannel.SMS: "sms_opt_in", ConsentChannel.EMAIL: "email_opt_in",
            ConsentChannel.VOICEMAIL: "voicemail_opt_in"}


def address_for(patient: Any, channel: str) -> str:
    if channel == Channel.EMAIL:
        return patient.email or ""
    return patient.phone or ""


def normalized_address(channel: str, address: str) -> str:
    """How an address is kept on a consent record: a phone's last ten digits, an e-mail lower-cased."""
    if channel == ConsentChannel.EMAIL:
        return address.strip().lower()
    if channel in (ConsentChannel.SMS, ConsentChannel.VOICEMAIL):
        tail = digits(address)[-10:]
        return tail if len(tail) == 10 else ""
    return ""


def has_postal_address(patient: Any) -> bool:
    return bool(patient.address_line and patient.city and patient.postal_code)


@dataclass
class _Prefetched:
    patient_ids: set[int]
    addresses: set[str]
    latest: dict[tuple[str, Any, str, str], tuple[Any, int, bool]]

    def answer(self, patient_id: int | None, address: str, channel: str, purpose: str) -> bool | None:
        found = [self.latest.get(("p", patient_id, channel, purpose)),
                 self.latest.get(("a", address, channel, purpose))]
        best = max((f for f in found if f is not None), default=None, key=lambda f: (f[0], f[1]))
        return None if best is None else best[2]


_PREFETCHED: ContextVar[_Prefetched | None] = ContextVar("consent_prefetched", default=None)


@contextmanager
def consent_prefetch(patients: Iterable[Any]) -> Iterator[None]:
    """Read the consent records of many patients (and their phone numbers and e-mail addresses) in one query, for
    `contact_refusal` calls inside the block: bulk reminder planning and the sender ask once per batch, not once per
    message. The decision is the same as without it."""
    patients = list(patients)
    ids = {p.pk for p in patients}
    addresses = {a for p in patients for a in (normalized_address(ConsentChannel.SMS, p.phone or ""),
                                               normalized_address(ConsentChannel.EMAIL, p.email or "")) if a}
    latest: dict[tuple[str, Any, str, str], tuple[Any, int, bool]] = {}
    rows = (ConsentRecord.objects.filter(Q(patient_id__in=ids) | Q(address__in=addresses)).order_by("at", "pk")
            .values_list("patient_id", "address", "channel", "purpose", "granted", "at", "pk")) if ids else []
    for patient_id, address, channel, purpose, granted, at, pk in rows:
        key = ("p", patient_id, channel, purpose) if patient_id is not None else ("a", address, channel, purpose)
        latest[key] = (at, pk, granted)
    token = _PREFETCHED.set(_Prefetched(ids, addresses, latest))
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def latest_consent(*, channel: str, purpose: str, patient_id: int | None = None, address: str = "") -> bool | None:
    """The latest record's answer for this purpose and channel (True granted, False revoked), None: no record.
    Voice calls share the phone number's records with text messages only when recorded for the number."""
    prefetched = _PREFETCHED.get()
    if prefetched is not None and (patient_id is None or patient_id in prefetched.patient_ids) \
            and (not address or address in prefetched.addresses):
        return prefetched.answer(patient_id, address, channel, purpose)
    who = Q(patient_id=patient_id) if patient_id is not None else Q(pk__in=[])
    if address:
        who |= Q(address=address)
    return (ConsentRecord.objects.filter(who, channel=channel, purpose=purpose).order_by("-at", "-pk")
            .values_list("granted", flat=True).first())


def _record_refusal(answer: bool | None, purpose: str) -> str:
    if answer is False:
        return "revoked"
    if purpose == ConsentPurpose.OUTREACH and answer is None:
        return "no-consent"
    return ""


def contact_refusal(patient: Any, channel: str, *, purpose: str = "general") -> str:
    """'' when `patient` may be contacted on `channel` for `purpose`, else the reason (one of REFUSALS)."""
    if getattr(patient, "deceased_date", None):
        return "deceased"
    if not patient.active:
        return "inactive"
    if channel == ConsentChannel.LETTER:
        if not has_postal_address(patient):
            return "no-address"
        address = ""
    else:
        address = address_for(patient, channel)
        if purpose != "requested" and not getattr(patient, _FLAGGED.get(channel, f"{channel}_opt_in"), False):
            return "opted-out"
        if not address:
            return "no-email" if channel == Channel.EMAIL else "no-phone"
    if purpose not in RECORDED_PURPOSES:
        return ""
    answer = latest_consent(channel=channel, purpose=purpose, patient_id=patient.pk,
                            address=normalized_address(channel, address))
    return _record_refusal(answer, purpose)


def address_refusal(address: str, channel: str, *, purpose: str) -> str:
    """The same decision for someone who is not a patient (an outreach contact): reached at `address` (a phone
    number or an e-mail) unless a STOP, an unsubscribe or the desk revoked it; outreach and marketing only with a
    granted record for the address."""
    normalized = normalized_address(channel, address)
    if not normalized:
        return "no-email" if channel == Channel.EMAIL else "no-phone"
    if purpose not in RECORDED_PURPOSES:
        return ""
    return _record_refusal(latest_consent(channel=channel, purpose=purpose, address=normalized), purpose)


def channel_allowed(patient: Any, channel: str, *, purpose: str = "general") -> bool:
    return not contact_refusal(patient, channel, purpose=purpose)


def refusal_words(reason: str, channel: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "deceased": _("The patient has died."),
        "inactive": _("The chart is inactive."),
        "no-address": _("There is no postal address on the chart: add one before writing a letter."),
        "opted-out": _("The patient has not agreed to this channel or has opted out."),
        "no-email": _("There is no e-mail address on the chart."),
        "no-phone": _("There is no phone number on the chart."),
        "revoked": _("Consent for this purpose on this channel was withdrawn."),
        "no-consent": _("There is no recorded consent to outreach and marketing on this channel."),
    }.get(reason, reason)
