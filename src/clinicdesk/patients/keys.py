"""Search keys kept on each patient row: folded names, phone digits and phonetic codes.

`name_key` ("family given": the family name folded without spaces, then the folded given name) and
`given_key` serve prefix search from B-tree indexes (folding: `core.text.fold_name`, the same at search time);
`family_sound`/`given_sound` (a Soundex-style code of the first word) serve the bounded typo pass.
"""

from __future__ import annotations

from clinicdesk.core.text import digits, family_key, fold_name

from .models import Patient

_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}
_PREFIXES = (("kn", "n"), ("wr", "r"), ("ph", "f"), ("ps", "s"), ("gn", "n"), ("x", "s"))


def sound(text: str) -> str:
    """Soundex-style code of the first word: 'Garcia' and 'Garsia' -> 'g620'; '' for no letters."""
    words = fold_name(text).split()
    word = "".join(ch for ch in (words[0] if words else "") if ch.isalpha())
    if not word:
        return ""
    for old, new in _PREFIXES:
        if word.startswith(old):
            word = new + word[len(old):]
            break
    word = word.replace("ph", "f")
    code = word[0]
    previous = _CODES.get(word[0], "")
    for ch in word[1:]:
        digit = _CODES.get(ch, "")
        if digit and digit != previous:
            code += digit
        if ch not in "hw":
            previous = digit
        if len(code) == 4:
            break
    return code.ljust(4, "0")


def phone_key(phone: str) -> str:
    number = digits(phone)
    if len(number) == 11 and number.startswith("1"):
        number = number[1:]
    return number[-10:] if len(number) >= 10 else number


def fill_search_keys(patient: Patient) -> Patient:
    patient.given_key = fold_name(patient.given_name)[:80]
    patient.name_key = f"{family_key(patient.family_name)} {patient.given_key}".strip()[:170]
    patient.phone_digits = phone_key(patient.phone)
    patient.alt_phone_digits = phone_key(patient.alt_phone) or None
    patient.family_sound = sound(patient.family_name)
    patient.given_sound = sound(patient.given_name)
    return patient


SEARCH_KEY_FIELDS = ["name_key", "given_key", "phone_digits", "alt_phone_digits", "family_sound", "given_sound"]
