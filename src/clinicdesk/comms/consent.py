"""Only through channels the patient consented to, to an address we have."""

from __future__ import annotations

from typing import Any

from .models import Channel


def address_for(patient: Any, channel: str) -> str:
    if channel == Channel.EMAIL:
        return patient.email or ""
    return patient.phone or ""


def channel_allowed(patient: Any, channel: str) -> bool:
    if not patient.active or getattr(patient, "deceased_date", None):
        return False
    opted_in = getattr(patient, f"{channel}_opt_in", False)
    return bool(opted_in and address_for(patient, channel))


# --- one place that says whether a patient may be contacted, for what, by which channel (#24 item 5) ------------
# Purposes: "appointment" and "billing" messages go to a patient who agreed to the channel; "general" the same.
# Letters need no opt-in (a practice may always write), only a living, active patient with a postal address.
# Outreach/marketing consent is not recorded yet: callers pass their purpose so that it can be added here.
REFUSALS = ("inactive", "deceased", "opted-out", "no-email", "no-phone", "no-address")


def has_postal_address(patient: Any) -> bool:
    return bool(patient.address_line and patient.city and patient.postal_code)


def contact_refusal(patient: Any, channel: str, *, purpose: str = "general") -> str:
    """'' when `patient` may be contacted on `channel` for `purpose`, else the reason (one of REFUSALS)."""
    if getattr(patient, "deceased_date", None):
        return "deceased"
    if not patient.active:
        return "inactive"
    if channel == "letter":
        return "" if has_postal_address(patient) else "no-address"
    if not getattr(patient, f"{channel}_opt_in", False):
        return "opted-out"
    if not address_for(patient, channel):
        return "no-email" if channel == Channel.EMAIL else "no-phone"
    return ""


def refusal_words(reason: str, channel: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "deceased": _("The patient has died."),
        "inactive": _("The chart is inactive."),
        "no-address": _("There is no postal address on the chart: add one before writing a letter."),
        "opted-out": _("The patient has not agreed to this channel or has opted out."),
        "no-email": _("There is no e-mail address on the chart."),
        "no-phone": _("There is no phone number on the chart."),
    }.get(reason, reason)
