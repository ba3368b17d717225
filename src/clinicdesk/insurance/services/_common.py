"""Small checks shared by the referral and authorization services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import ValidationFailed

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")


def shown(day: dt.date) -> str:
    """A date as the user's language writes it (messages; never in audit details)."""
    return str(formats.date_format(day, "SHORT_DATE_FORMAT"))


class Fields:
    """Collects field errors; `raise_if_any` refuses with the first one as the message (nothing written)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self, code: str) -> None:
        if self.errors:
            raise ValidationFailed(code, next(iter(self.errors.values()))[0], fields=self.errors)


def _split_codes(value: Any) -> list[str]:
    """'E11.9, i10' or ['E11.9', 'I10'] -> ['E11.9', 'I10'] (upper case, no blanks, no repeats, in order)."""
    items = value if isinstance(value, list | tuple) else re.split(r"[\s,;]+", str(value or ""))
    seen: list[str] = []
    for item in items:
        code = str(item).strip().upper()
        if code and code not in seen:
            seen.append(code)
    return seen


def diagnosis_codes(fields: Fields, value: Any, *, name: str = "diagnosis_codes", required: bool = False) -> list[str]:
    codes = _split_codes(value)
    bad = [c for c in codes if not ICD10.match(c)]
    if bad:
        fields.add(name, _("Not an ICD-10 diagnosis code: %(codes)s (e.g. E11.9).") % {"codes": ", ".join(bad)})
    elif required and not codes:
        fields.add(name, _("Enter at least one diagnosis code."))
    return codes


def procedure_codes(fields: Fields, value: Any, *, name: str = "procedure_codes") -> list[str]:
    codes = _split_codes(value)
    bad = [c for c in codes if not PROCEDURE.match(c)]
    if bad:
        fields.add(name, _("Not a procedure code: %(codes)s (five letters or digits, e.g. 73721).")
                   % {"codes": ", ".join(bad)})
    elif not codes:
        fields.add(name, _("Enter at least one procedure code."))
    return codes


def a_date(fields: Fields, value: Any, name: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if required:
            fields.add(name, _("Enter a date."))
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        fields.add(name, _("Not a date (YYYY-MM-DD)."))
        return None


def a_count(fields: Fields, value: Any, name: str, *, required: bool = True, minimum: int = 1) -> int | None:
    if value in (None, ""):
        if required:
            fields.add(name, _("Enter a number."))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        fields.add(name, _("Enter a whole number."))
        return None
    if not minimum <= number <= 999:
        fields.add(name, _("Enter a number from %(min)s to 999.") % {"min": minimum})
        return None
    return number


def dates_in_order(fields: Fields, start: dt.date | None, end: dt.date | None, name: str) -> None:
    if start and end and end < start:
        fields.add(name, _("The end date (%(end)s) is before the start date (%(start)s).")
                   % {"end": shown(end), "start": shown(start)})
