"""Writes of the practice's settings (one row): practice_settings_update."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require

from .models import PracticeSettings
from .settings_selectors import practice_settings_defaults, practice_settings_forget

SETTINGS_FIELDS = ("short_name", "late_cancel_hours", "records_retention_years", "receipt_footer",
                   "default_language")
LATE_CANCEL_MAX_HOURS = 336  # two weeks
RETENTION_MIN_YEARS, RETENTION_MAX_YEARS = 1, 100


def _check(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    name = values.get("short_name")
    if name is not None and not str(name).strip():
        errors["short_name"] = [_("Give the practice a short name.")]
    elif name is not None and len(str(name).strip()) > 60:
        errors["short_name"] = [_("At most 60 characters.")]
    hours = values.get("late_cancel_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int)
                              or not 0 <= hours <= LATE_CANCEL_MAX_HOURS):
        errors["late_cancel_hours"] = [_("A whole number of hours from 0 to %(max)d.") % {"max": LATE_CANCEL_MAX_HOURS}]
    years = values.get("records_retention_years")
    if years is not None and (isinstance(years, bool) or not isinstance(years, int)
                              or not RETENTION_MIN_YEARS <= years <= RETENTION_MAX_YEARS):
        errors["records_retention_years"] = [_("A whole number of years from %(low)d to %(high)d.")
                                             % {"low": RETENTION_MIN_YEARS, "high": RETENTION_MAX_YEARS}]
    footer = values.get("receipt_footer")
    if footer is not None and len(str(footer)) > 300:
        errors["receipt_footer"] = [_("At most 300 characters.")]
    language = values.get("default_language")
    if language is not None and language not in ("en", "es"):
        errors["default_language"] = [_("Choose English or Spanish.")]
    if errors:
        raise ValidationFailed("bad-settings", _("Some settings need correcting."), fields=errors)


@atomic_service
def practice_settings_update(*, actor: Actor, **changes: Any) -> PracticeSettings:
    """Change the practice's settings (only the fields given); the first change saves the row, starting from the
    environment's values. Practice coordinators and system administrators."""
    require(actor, Perm.PRACTICE_ADMIN)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationFailed("bad-field", _("Unknown settings: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    changes = {k: v for k, v in changes.items() if v is not None}
    _check(changes)
    current = PracticeSettings.objects.select_for_update().filter(pk=1).first()
    creating = current is None
    row = current or practice_settings_defaults()
    before = snapshot(row, SETTINGS_FIELDS)
    for name, value in changes.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.save(force_insert=creating)
    practice_settings_forget()
    record(actor, "practice_settings.update", row, detail={"changes": diff(before, snapshot(row, SETTINGS_FIELDS))})
    return row
