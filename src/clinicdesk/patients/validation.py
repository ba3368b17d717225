"""Rules for what a patient record may hold. Each check names the field it refuses.

Used by every path that writes a patient (the registration screen, the edit screen, the CSV
import), through the services. `Errors` collects all problems of one record so that a person
sees every mistake at once; `raise_if_any` turns them into one `ValidationFailed`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import ValidationFailed

from .models import ConsentSource, Ethnicity, GenderIdentity, PhoneType, Race, Sex

US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU",
    "AS", "MP",
})
ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")
NAME_RE = re.compile(r"^[^\d<>{}\[\]@#$%^*=+|\\/~`\"]+$")
OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)
LANGUAGES = {"en", "es", "zh", "vi", "ko", "tl", "ar", "ru", "fr", "ht", "pt", "pl", "de", "it", "ja", "other"}


class Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, code: str = "invalid-patient") -> None:
        if self.fields:
            detail = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.fields.items())
            raise ValidationFailed(code, detail, fields=self.fields)


def check_storable(errors: Errors, values: dict[str, Any], prefix: str = "") -> None:
    """Text with a NUL character cannot be stored (PostgreSQL refuses it): name each field that has one."""
    for key, value in values.items():
        texts = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            errors.add(prefix + key, _("This contains a NUL character, which cannot be stored."))


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def check_date(errors: Errors, name: str, value: Any, label: str) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        errors.add(name, _("%(label)s is not a real date (use MM/DD/YYYY).") % {"label": label})
        return None


def check_birth_date(errors: Errors, value: Any, name: str = "birth_date") -> dt.date | None:
    day = check_date(errors, name, value, _("Date of birth"))
    if day is None:
        if value in (None, ""):
            errors.add(name, _("Date of birth is required."))
        return None
    if day > clock.now().date():
        errors.add(name, _("Date of birth cannot be in the future."))
    elif day < OLDEST_BIRTH_DATE:
        errors.add(name, _("Date of birth is before 1900; check the year."))
    return day


def normalize_phone(errors: Errors, name: str, value: str) -> str:
    """A US phone in any format -> '(413) 555-0199'; '' stays ''."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        errors.add(name, _("Enter a valid phone number, e.g. (413) 555-0199."))
        return text
    if not phonenumbers.is_valid_number(number):
        errors.add(name, _("Enter a valid phone number, e.g. (413) 555-0199."))
        return text
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(errors: Errors, name: str, value: str) -> str:
    text = (value or "").strip().lower()
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        errors.add(name, _("Enter a valid e-mail address."))
    return text


NAME_MAX = 80  # every name and name part the chart holds (models' max_length); longer is refused, never cut
SUFFIX_MAX = 10


def check_name(errors: Errors, name: str, value: str, label: str, *, required: bool) -> str:
    text = " ".join((value or "").split())
    if not text:
        if required:
            errors.add(name, _("%(label)s is required.") % {"label": label})
        return ""
    if len(text) > NAME_MAX:
        errors.add(name, _("%(label)s is too long (80 characters at most).") % {"label": label})
    elif not NAME_RE.match(text):
        errors.add(name, _("%(label)s contains characters a name cannot have.") % {"label": label})
    return text


def check_member_id(errors: Errors, value: str, name: str = "member_id") -> str:
    text = (value or "").strip().upper()
    if not text:
        errors.add(name, _("Member id is required."))
    elif not MEMBER_ID_RE.match(text):
        errors.add(name, _("Member id may hold only letters, digits and hyphens (30 at most)."))
    return text


def check_money(errors: Errors, name: str, value: Any, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace("$", "").strip())
    except InvalidOperation:
        errors.add(name, _("%(label)s is not an amount.") % {"label": label})
        return None
    if amount < 0 or amount > Decimal("99999.99") or amount != amount.quantize(Decimal("0.01")):
        errors.add(name, _("%(label)s must be between 0 and 99,999.99, in cents.") % {"label": label})
        return None
    return amount


def _choice(errors: Errors, name: str, value: Any, choices: Any, label: str, default: str = "") -> str:
    text = (value or default or "").strip() if isinstance(value, str) or value is None else str(value)
    if text and text not in {c[0] for c in choices}:
        errors.add(name, _("%(label)s: '%(value)s' is not one of the choices.") % {"label": label, "value": text})
    return text


INTAKE_LISTS = ("allergies", "medications", "problems", "surgeries")


def clean_intake(value: Any) -> dict[str, Any]:
    """Structured lists with free text: each list holds short strings; 'notes' is free text."""
    data = value if isinstance(value, dict) else {}
    intake: dict[str, Any] = {}
    for key in INTAKE_LISTS:
        items = data.get(key) or []
        if isinstance(items, str):
            items = items.splitlines()
        intake[key] = [" ".join(str(item).split())[:200] for item in items if str(item).strip()][:100]
    intake["notes"] = str(data.get("notes") or "")[:4000]
    return intake


def clean_demographics(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check and normalise patient fields; raise ValidationFailed naming every bad field.

    With `partial`, only the keys present are checked (an edit of some fields).
    """
    errors = Errors()
    out: dict[str, Any] = {}
    check_storable(errors, values)

    def has(key: str) -> bool:
        return not partial or key in values

    if has("family_name"):
        out["family_name"] = check_name(errors, "family_name", values.get("family_name", ""), _("Last name"),
                                        required=True)
    if has("given_name"):
        out["given_name"] = check_name(errors, "given_name", values.get("given_name", ""), _("First name"),
                                       required=True)
    for key, label in (("middle_name", _("Middle name")), ("preferred_name", _("Preferred name")),
                       ("previous_family_name", _("Previous last name"))):
        if key in values:
            out[key] = check_name(errors, key, values.get(key, ""), label, required=False)
    if "suffix" in values:
        out["suffix"] = " ".join((values.get("suffix") or "").split())
        if len(out["suffix"]) > SUFFIX_MAX:
            errors.add("suffix", _("%(label)s is too long (10 characters at most).") % {"label": _("Suffix")})
    if has("birth_date"):
        out["birth_date"] = check_birth_date(errors, values.get("birth_date"))
    if has("sex"):
        out["sex"] = _choice(errors, "sex", values.get("sex"), Sex.choices, _("Sex"))
        if not out["sex"]:
            errors.add("sex", _("Sex is required."))
    if "gender_identity" in values:
        out["gender_identity"] = _choice(errors, "gender_identity", values.get("gender_identity"),
                                         GenderIdentity.choices, _("Gender identity"))
    if "pronouns" in values:
        out["pronouns"] = (values.get("pronouns") or "").strip()[:30]
    if "race" in values:
        race = values.get("race") or []
        race = [race] if isinstance(race, str) else list(race)
        race = [r for r in (str(x).strip() for x in race) if r]
        valid = {c[0] for c in Race.choices}
        if any(r not in valid for r in race):
            errors.add("race", _("Race must be one or more OMB categories, or 'declined'."))
        elif Race.DECLINED in race and len(race) > 1:
            errors.add("race", _("'Declined to answer' cannot be combined with a race category."))
        out["race"] = race
    if "ethnicity" in values:
        out["ethnicity"] = _choice(errors, "ethnicity", values.get("ethnicity"), Ethnicity.choices, _("Ethnicity"))
    for key, type_key in (("phone", "phone_type"), ("alt_phone", "alt_phone_type")):
        if key in values:
            out[key] = normalize_phone(errors, key, values.get(key, ""))
        if type_key in values:
            out[type_key] = _choice(errors, type_key, values.get(type_key), PhoneType.choices, _("Phone type"),
                                    default=PhoneType.MOBILE)
    if "email" in values:
        out["email"] = normalize_email(errors, "email", values.get("email", ""))
    if "preferred_language" in values:
        language = (values.get("preferred_language") or "en").strip().lower()
        if language not in LANGUAGES:
            errors.add("preferred_language", _("Preferred language is not one we know."))
        out["preferred_language"] = language
    if "interpreter_needed" in values:
        out["interpreter_needed"] = bool(values.get("interpreter_needed"))
    for key in ("address_line", "address_line2", "city", "employer", "primary_care_provider", "referring_provider"):
        if key in values:
            out[key] = " ".join((values.get(key) or "").split())[:200 if key.startswith("address") else 120]
    if "state" in values:
        state = (values.get("state") or "").strip().upper()
        if state and state not in US_STATES:
            errors.add("state", _("'%(state)s' is not a US state or territory code.") % {"state": state})
        out["state"] = state
    if "postal_code" in values:
        zip_code = (values.get("postal_code") or "").strip()
        if zip_code and not ZIP_RE.match(zip_code):
            errors.add("postal_code", _("ZIP code must be 5 digits, or ZIP+4 (12345-6789)."))
        out["postal_code"] = zip_code
    for channel in ("sms", "email", "voicemail"):
        flag = f"{channel}_opt_in"
        if flag not in values:
            continue
        out[flag] = bool(values.get(flag))
        when = check_date(errors, f"{flag}_date", values.get(f"{flag}_date"), _("Opt-in date"))
        source = _choice(errors, f"{flag}_source", values.get(f"{flag}_source"), ConsentSource.choices,
                         _("Opt-in source"))
        if out[flag]:
            when = when or clock.now().date()
            if when > clock.now().date():
                errors.add(f"{flag}_date", _("Opt-in date cannot be in the future."))
            if not source:
                errors.add(f"{flag}_source", _("Say how the patient opted in."))
        else:
            when, source = None, ""
        out[f"{flag}_date"], out[f"{flag}_source"] = when, source
    if "intake" in values:
        out["intake"] = clean_intake(values.get("intake"))
    for key in ("restricted", "guarantor_is_self"):
        if key in values:
            out[key] = bool(values.get(key))
    unknown = set(values) - set(out) - {"home_location"}
    for key in sorted(unknown):
        errors.add(key, _("This field cannot be set here."))
    errors.raise_if_any()
    return out
