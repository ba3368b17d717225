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


def digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())
