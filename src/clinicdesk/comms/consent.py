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
