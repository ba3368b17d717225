"""Small checks the practice services share: required text, lengths, colours, unknown changes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.identifiers import npi_valid

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def refuse_unknown(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed("unknown-field", _("These cannot be changed here: %(names)s.")
                               % {"names": ", ".join(unknown)},
                               fields={name: [_("Cannot be changed here.")] for name in unknown})


def text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    """Trimmed text; a required one may not be blank; never longer than the column."""
    if not isinstance(value, str):
        raise ValidationFailed("bad-field", _("Enter text."), fields={field: [_("Enter text.")]})
    value = value.strip()
    if required and not value:
        raise ValidationFailed("required", _("This field is required: %(field)s.") % {"field": field},
                               fields={field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationFailed("too-long", _("At most %(count)s characters.") % {"count": max_length},
                               fields={field: [_("At most %(count)s characters.") % {"count": max_length}]})
    return value


def npi(value: str, field: str = "npi", *, required: bool = True) -> str:
    """A 10-digit NPI with a correct check digit (Luhn over 80840 + the NPI); blank only when not required."""
    value = (value or "").strip()
    if not value and not required:
        return ""
    if not npi_valid(value):
        raise ValidationFailed("bad-npi", _("'%(npi)s' is not a valid NPI: ten digits with a correct check digit.")
                               % {"npi": value},
                               fields={field: [_("Not a valid NPI (check digit).")]})
    return value


def color(value: str, field: str = "color") -> str:
    value = (value or "").strip()
    if not COLOR.match(value):
        raise ValidationFailed("bad-color", _("A colour is written #RRGGBB, e.g. #2f6f9f."),
                               fields={field: [_("Use the form #RRGGBB.")]})
    return value.lower()


def flag(value: Any, field: str = "active") -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed("bad-field", _("'%(name)s' must be true or false.") % {"name": field},
                               fields={field: [_("Must be true or false.")]})
    return value


_PHONE = re.compile(r"^[0-9 ()+.\-]+$")


def phone(value: Any, field: str = "phone", *, required: bool = True) -> str:
    """A telephone number as people write it ("(413) 555-0100"): 10 to 15 digits."""
    value = text(value, field, max_length=20, required=required)
    if value and (not _PHONE.match(value) or not 10 <= sum(c.isdigit() for c in value) <= 15):
        raise ValidationFailed("bad-phone", _("'%(phone)s' is not a telephone number.") % {"phone": value},
                               fields={field: [_("Enter a telephone number, e.g. (413) 555-0100.")]})
    return value
