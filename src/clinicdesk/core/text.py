"""Normalising what people type, for search keys and matching."""

from __future__ import annotations

import re

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation dropped, spaces collapsed: 'Núñez-Díaz' -> 'nunez diaz'."""
    folded = _NON_ALNUM.sub(" ", unidecode(text or "").lower())
    return _SPACES.sub(" ", folded).strip()


_APOSTROPHES = re.compile(r"['`\u00b4\u2018\u2019\u02bc]")


def fold_name(text: str) -> str:
    """fold() for a person's name, the same at write and at search time: apostrophes vanish and hyphens
    become spaces, so "O'Brien" (any apostrophe) -> 'obrien' and 'Núñez-Díaz' -> 'nunez diaz'."""
    return fold(_APOSTROPHES.sub("", unidecode(text or "")))


def family_key(text: str) -> str:
    """A family name folded with its spaces removed, so that 'o brien', "O'Brien" and 'OBrien' and
    'Nunez Diaz' and 'Núñez-Díaz' each read as one key."""
    return fold_name(text).replace(" ", "")


def digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())
