"""The code sets a coded visit uses.

ICD-10-CM diagnoses come from the `simple-icd-10-cm` package (the CMS code set it ships). It is imported lazily,
inside these functions: reading its tables takes about a second, which the URL conf and the commands that never
code a visit should not pay. The search index (every billable code with its words) is built once per process,
on the first search, under a lock.

Procedures: CPT codes are licensed and no maintained HCPCS Level II package exists on PyPI, so both are entered by
the practice in its fee schedule with its own descriptions; here only their shape is checked.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

from clinicdesk.core.text import fold

_CPT = re.compile(r"^\d{4}[0-9FTU]$")  # Category I (5 digits), II (nnnnF), III (nnnnT), PLA (nnnnU)
_HCPCS = re.compile(r"^[A-V]\d{4}$")  # HCPCS Level II: a letter and four digits
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
_lock = threading.Lock()


def procedure_code_kind(code: str) -> str:
    """'cpt', 'hcpcs' or '' (not a procedure code's shape)."""
    code = (code or "").strip().upper()
    if _CPT.match(code):
        return "cpt"
    if _HCPCS.match(code):
        return "hcpcs"
    return ""


def is_modifier(value: str) -> bool:
    return bool(_MODIFIER.match(value or ""))


def normalize_modifiers(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """'25, 59' / '25 59' / ['25', '59'] -> ['25', '59'] (upper case, order kept, blanks dropped)."""
    parts = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    return [p.strip().upper() for p in parts if p and p.strip()]


def icd_normalize(code: str) -> str:
    """'e11.9 ' -> 'E119': the form stored and written on claims (no dot)."""
    return re.sub(r"[\s.]", "", code or "").upper()


def icd_dotted(code: str) -> str:
    """'E119' -> 'E11.9': as people read it."""
    code = icd_normalize(code)
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


@functools.cache
def _cm() -> Any:
    import simple_icd_10_cm as cm

    return cm


def icd_is_valid(code: str) -> bool:
    code = icd_normalize(code)
    return bool(_ICD_SHAPE.match(code)) and bool(_cm().is_valid_item(code))


def icd_is_billable(code: str) -> bool:
    """Valid for billing: a leaf of the code set (a category with subcodes, e.g. E11, is refused)."""
    code = icd_normalize(code)
    return icd_is_valid(code) and bool(_cm().is_leaf(code))


def icd_describe(code: str) -> str:
    """The code set's words for a code; '' for an unknown one."""
    code = icd_normalize(code)
    if not icd_is_valid(code):
        return ""
    return str(_cm().get_description(code))


@dataclass(frozen=True)
class IcdCode:
    code: str  # without the dot
    description: str

    @property
    def dotted(self) -> str:
        return icd_dotted(self.code)


class _Index:
    """Every billable code, its folded words, and for each word the codes that hold it."""

    def __init__(self) -> None:
        cm = _cm()
        self.codes: list[IcdCode] = []
        self.words: dict[str, list[int]] = {}
        for code in cm.get_all_codes(False):
            if cm.is_chapter_or_block(code) or not cm.is_leaf(code):
                continue
            position = len(self.codes)
            description = str(cm.get_description(code))
            self.codes.append(IcdCode(code, description))
            for word in set(re.findall(r"[a-z0-9]+", fold(description))):
                self.words.setdefault(word, []).append(position)
        self.by_code = {c.code: i for i, c in enumerate(self.codes)}
        self.vocabulary = sorted(self.words)


_index: _Index | None = None


def _the_index() -> _Index:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = _Index()
    return _index


def icd_search(query: str, *, limit: int = 20) -> list[IcdCode]:
    """Billable codes matching a code prefix ('E11', 'e11.6') or by the words typed
    ('diab type 2 kid': each word as a prefix), in code order, at most `limit`."""
    text = (query or "").strip()
    if not text:
        return []
    index = _the_index()
    code = icd_normalize(text)
    if _ICD_SHAPE.match(code) or re.match(r"^[A-Z][0-9]", code):
        hits = [c for c in index.codes if c.code.startswith(code)]
        if hits:
            return hits[:limit]
    words = re.findall(r"[a-z0-9]+", fold(text))
    if not words:
        return []
    found: set[int] | None = None
    for word in sorted(set(words), key=len, reverse=True):  # the longest word first: the fewest codes
        positions = _prefixed(index, word)
        found = positions if found is None else found & positions
        if not found:
            return []
    return [index.codes[i] for i in sorted(found or ())[:limit]]


def _prefixed(index: _Index, prefix: str) -> set[int]:
    """The codes holding a word that starts with `prefix`."""
    start = bisect.bisect_left(index.vocabulary, prefix)
    positions: set[int] = set()
    for word in index.vocabulary[start:]:
        if not word.startswith(prefix):
            break
        positions.update(index.words[word])
    return positions
