"""The patient CSV layout, shared by the import command and the export screen (an export can be
read back by the import).

The columns of IMPORT_COLUMNS/EXPORT_COLUMNS are a machine contract (docs/imports.md, the import command): their
headers and values (codes such as `female`, `2106-3`, `dtn`, ISO dates, yes/no) never change with the reader.
The export adds WORD_COLUMNS after them: the same facts in words and dates in the reader's language
(`sex_words` "Mujer", `birth_date_words` "17/05/1980"), for people reading the file."""

from __future__ import annotations

from typing import Any

from clinicdesk.core.l10n import day_text, language_words, yes_no

from .models import Ethnicity, GenderIdentity, Patient, PhoneType, Race, RelatedPerson, Sex

IMPORT_COLUMNS = (
    "family_name", "given_name", "middle_name", "suffix", "preferred_name", "previous_family_name", "birth_date",
    "sex", "gender_identity", "pronouns", "race", "ethnicity", "phone", "phone_type", "alt_phone", "alt_phone_type",
    "email", "preferred_language", "interpreter_needed", "address_line", "address_line2", "city", "state",
    "postal_code", "employer", "primary_care_provider", "referring_provider", "location", "emergency_name",
    "emergency_relationship", "emergency_phone",
)
REQUIRED_COLUMNS = ("family_name", "given_name", "birth_date", "sex")
EXPORT_COLUMNS = ("mrn", *IMPORT_COLUMNS, "active", "deceased_date")
# Words for the coded and dated columns above, in the reader's language (the export only; the import skips them).
WORD_COLUMNS = tuple(f"{name}_words" for name in (
    "birth_date", "sex", "gender_identity", "race", "ethnicity", "phone_type", "alt_phone_type", "preferred_language",
    "interpreter_needed", "location", "active", "deceased_date"))

_SEX = {"f": "female", "m": "male", "female": "female", "male": "male", "o": "other", "other": "other",
        "u": "unknown", "unknown": "unknown", "x": "other"}
_TRUE = {"1", "y", "yes", "true", "t", "x"}
_RACE_BY_NAME = {str(label).lower(): code for code, label in Race.choices} | {"declined": Race.DECLINED}


def _race(text: str) -> list[str]:
    codes = []
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if part:
            codes.append(_RACE_BY_NAME.get(part.lower(), part))
    return codes


def row_to_fields(raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A CSV row -> (patient_register keyword arguments, contacts). Only parses; the service checks."""
    row = {k: (v or "").strip() for k, v in raw.items() if k}
    fields: dict[str, Any] = {}
    for name in IMPORT_COLUMNS:
        if name in row and not name.startswith("emergency_"):
            fields[name] = row[name]
    if "sex" in fields:
        fields["sex"] = _SEX.get(fields["sex"].lower(), fields["sex"])
    if "race" in fields:
        fields["race"] = _race(fields["race"])
    if "interpreter_needed" in fields:
        fields["interpreter_needed"] = fields["interpreter_needed"].lower() in _TRUE
    for name in ("phone_type", "alt_phone_type", "gender_identity", "ethnicity"):
        if name in fields and not fields[name]:
            fields.pop(name)
    contacts = []
    if row.get("emergency_name") or row.get("emergency_phone"):
        contacts.append({"kind": RelatedPerson.Kind.EMERGENCY, "name": row.get("emergency_name", ""),
                         "relationship": row.get("emergency_relationship", ""),
                         "phone": row.get("emergency_phone", "")})
    return fields, contacts


def _cell(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
    # Neutralise spreadsheet formulas in exported cells (OWASP's list: a tab or carriage return first can
    # still start one).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def patient_to_row(patient: Patient, emergency: RelatedPerson | None) -> list[str]:
    values: dict[str, Any] = {name: getattr(patient, name, "") for name in EXPORT_COLUMNS
                              if hasattr(patient, name)}
    values["race"] = ";".join(patient.race or [])
    values["interpreter_needed"] = "yes" if patient.interpreter_needed else "no"
    values["active"] = "yes" if patient.active else "no"
    values["location"] = patient.home_location.code
    if emergency is not None:
        values.update(emergency_name=emergency.name, emergency_relationship=emergency.relationship,
                      emergency_phone=emergency.phone)
    return [_cell(values.get(name, "")) for name in EXPORT_COLUMNS]


def _label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code)) if code else ""


def patient_words(patient: Patient) -> list[str]:
    """The WORD_COLUMNS cells of one patient, in the active language."""
    words = {
        "birth_date": day_text(patient.birth_date), "sex": _label(Sex, patient.sex),
        "gender_identity": _label(GenderIdentity, patient.gender_identity),
        "race": "; ".join(_label(Race, code) for code in patient.race or []),
        "ethnicity": _label(Ethnicity, patient.ethnicity), "phone_type": _label(PhoneType, patient.phone_type),
        "alt_phone_type": _label(PhoneType, patient.alt_phone_type),
        "preferred_language": language_words(patient.preferred_language),
        "interpreter_needed": yes_no(patient.interpreter_needed), "location": patient.home_location.name,
        "active": yes_no(patient.active), "deceased_date": day_text(patient.deceased_date),
    }
    return [_cell(words[name.removesuffix("_words")]) for name in WORD_COLUMNS]
