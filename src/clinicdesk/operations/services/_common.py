"""Input checks shared by the supplies services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import ValidationFailed


class Errors:
    """Field errors gathered before anything is written; raised together as one ValidationFailed."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, code: str) -> None:
        if self.fields:
            detail = " ".join(" ".join(msgs) for msgs in self.fields.values())
            raise ValidationFailed(code, detail, fields=self.fields)


def clean_text(errors: Errors, name: str, value: Any, *, label: str, max_length: int,
               required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        errors.add(name, _("This contains a NUL character, which cannot be stored."))
    elif required and not text:
        errors.add(name, _("%(label)s is required.") % {"label": label})
    elif len(text) > max_length:
        errors.add(name, _("%(label)s may hold at most %(n)s characters.") % {"label": label, "n": max_length})
    return text


def whole(errors: Errors, name: str, value: Any, *, label: str, minimum: int = 0,
          maximum: int = 1_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.add(name, _("%(label)s must be a whole number from %(low)s to %(high)s.")
                   % {"label": label, "low": minimum, "high": maximum})
        return 0
    return value
