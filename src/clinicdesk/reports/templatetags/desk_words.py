"""`{% load desk_words %}`: words for the codes the desk's screens would otherwise show.

- `{{ code|appointment_status }}`: an appointment status code ("checked-in") → "Checked in" (blank for blank).
- `{{ code|history_action }}`: an appointment history action ("rescheduled") → "Rescheduled".
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from clinicdesk.scheduling.models import AppointmentStatus

register = template.Library()

HISTORY_ACTIONS = {
    "booked": _("Booked"),
    "rescheduled": _("Rescheduled"),
    "status": _("Status changed"),
    "cancel": _("Cancelled"),
    "noshow": _("Marked no-show"),
    "confirmed": _("Confirmed"),
    "checklist": _("Checklist updated"),
}


@register.filter
def appointment_status(code: str) -> str:
    if not code:
        return ""
    try:
        return str(AppointmentStatus(code).label)
    except ValueError:
        return str(_("Other"))


@register.filter
def history_action(code: str) -> str:
    return str(HISTORY_ACTIONS.get(code, _("Changed")))
