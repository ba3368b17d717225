"""The no-show risk on the scheduling calendar (#22 item 3): a handler of scheduling.hooks.appointment_badges, so
that the schedule shows the band in words without importing insight."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .selectors import may_see_risk_at, noshow_risk_at


def calendar_risk(actor: Any, location: Any, appointment_ids: list[int]) -> dict[int, str]:
    """{appointment id: "No-show risk: High"} for the booked appointments shown, when the viewer may see it."""
    if not appointment_ids or not may_see_risk_at(actor, location):
        return {}
    return {risk.appointment_id: _("No-show risk: %(band)s") % {"band": risk.band_label}
            for risk in noshow_risk_at(actor=actor, location=location, appointment_ids=appointment_ids)}
