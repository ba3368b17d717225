"""Search keys kept on each patient row: folded names, phone digits and phonetic codes.

`name_key` ("family given": the family name folded without spaces, then the folded given name) and
`given_key` serve prefix search from B-tree indexes (folding: `core.text.fold_name`, the same at search time);
`family_sound`/`given_sound` (jellyfish's Soundex of the first word) serve the bounded typo pass.
"""

from __future__ import annotations

import jellyfish

from clinicdesk.core.text import digits, family_key, fold_name

from .models import Patient


def sound(text: str) -> str:
    """Soundex code (jellyfish) of the first word, lower case: 'Garcia' and 'Garsia' -> 'g620'; '' for no letters.

    Stored in `family_sound`/`given_sound`; migration 0008 recomputed the rows when this replaced the
    hand-written code, and any future change to it needs the same (batched) recompute.
    """
    words = fold_name(text).split()
    word = "".join(ch for ch in (words[0] if words else "") if "a" <= ch <= "z")
    return jellyfish.soundex(word).lower() if word else ""


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
