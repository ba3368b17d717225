"""The practice's settings as the code reads them: the one row, or the environment's values when there is none.

`practice_settings()` is read on many paths (a cancellation, a receipt, every message); within one web request
it asks the database once (the answer is kept for the request, keyed by the request's context), elsewhere
(commands, tasks, tests) every call reads the row afresh."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings

from clinicdesk.core import request_context

from .models import PracticeSettings

DEFAULT_LATE_CANCEL_HOURS = 24
DEFAULT_RETENTION_YEARS = 7

_cached: ContextVar[tuple[Any, PracticeSettings] | None] = ContextVar("clinicdesk_practice_settings", default=None)


def practice_settings_defaults() -> PracticeSettings:
    """The values that apply while the practice has saved none (not saved)."""
    return PracticeSettings(
        pk=1,
        short_name=getattr(settings, "PRACTICE_SHORT_NAME", "") or "Clinicdesk",
        late_cancel_hours=getattr(settings, "LATE_CANCEL_HOURS", DEFAULT_LATE_CANCEL_HOURS),
        records_retention_years=getattr(settings, "RECORDS_RETENTION_YEARS", DEFAULT_RETENTION_YEARS),
        receipt_footer=getattr(settings, "RECEIPT_FOOTER", ""),
        default_language=settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in ("en", "es") else "en",
    )


def practice_settings() -> PracticeSettings:
    """The practice's settings (fields short_name, late_cancel_hours, records_retention_years, receipt_footer,
    default_language). Not saved rows are the defaults; never None. No permission: every user's work reads them."""
    info = request_context.current()
    in_request = info is not request_context._DEFAULT
    cached = _cached.get()
    if in_request and cached is not None and cached[0] is info:
        return cached[1]
    row = PracticeSettings.objects.filter(pk=1).first() or practice_settings_defaults()
    if in_request:
        _cached.set((info, row))
    return row


def practice_settings_forget() -> None:
    """Drop the value kept for this request (after a change)."""
    _cached.set(None)
