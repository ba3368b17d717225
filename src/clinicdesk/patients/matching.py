"""Probabilistic record matching (Fellegi-Sunter): is this the same person?

Each field comparison falls into a level (exact, close, fuzzy, ..., different) or is missing. Each level has
a weight log2(m/u): m is how often true matches show that level, u how often non-matches do. The score is
the sum of the weights; a missing value (on either side) weighs nothing: neither agreement nor disagreement.
Pairs at or above `LIKELY` go to the duplicate worklist, at or above `POSSIBLE` warn at registration.

The m and u come from `matching_model.current()`: learned by EM on the practice's own charts
(`matching_em`, `clinicdesk matching train`) or the shipped defaults. Exact names carry a term-frequency
adjustment (a shared 'Smith' says less than a shared 'Okonkwo').

Comparisons are built from maintained libraries: Jaro-Winkler and Damerau-Levenshtein (rapidfuzz) on
accent- and case-folded names, Metaphone and NYSIIS (jellyfish), the `nicknames` dataset, USPS street
suffix and unit abbreviations for addresses, transposed day/month, partial dates (year or year-month),
postcode prefixes and first/last names swapped.

Pure functions over `Person` records: no database here. Blocking (which pairs are compared at all) lives
in the selectors, which ask the database for candidates by DOB, phone, e-mail and phonetic name codes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jellyfish
from django.utils.translation import gettext as _
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from clinicdesk.core.text import digits, fold, fold_name

from . import matching_model
from .keys import phone_key, sound

# Thresholds on the score (log2 of the likelihood ratio), tuned on bench/matching_generators.py (RESULTS.md).
LIKELY = 12.0  # the duplicate worklist; FHIR $match 'probable' and above
POSSIBLE = 7.0  # the warning at registration; FHIR $match 'possible'
CERTAIN = 24.0  # FHIR $match 'certain': every strong field agrees, nobody needs to look


# --- names ----------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


@lru_cache(maxsize=20000)
def _nick_sets(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the name's nicknames and the formal names it is a nickname of, the formal names alone)."""
    namer = _nicknamer()
    canonicals = frozenset(namer.canonicals_of(name))
    return frozenset(namer.nicknames_of(name)) | canonicals, canonicals


def are_nicknames(a: str, b: str) -> bool:
    """One is a nickname of the other, or both are nicknames of one formal name (the `nicknames` dataset)."""
    if a == b:
        return True
    related_a, formal_a = _nick_sets(a)
    related_b, formal_b = _nick_sets(b)
    return b in related_a or a in related_b or bool(formal_a & formal_b)


@lru_cache(maxsize=20000)
def _nick_list(name: str) -> tuple[str, ...]:
    return tuple(n for n in _nick_sets(name)[0] if len(n) >= 3)


def nickname_with_typo(a: str, b: str) -> bool:
    """A nickname with one slip in it: 'Michael' and 'Moke' (Mike)."""
    return any(process.extractOne(y, _nick_list(x), scorer=DamerauLevenshtein.distance, score_cutoff=1) is not None
               for x, y in ((a, b), (b, a)) if _nick_list(x))


@lru_cache(maxsize=50000)
def _phonetic(word: str) -> tuple[str, str]:
    return (jellyfish.metaphone(word), jellyfish.nysiis(word)) if word.isalpha() else ("", "")


def name_level(a: str, b: str) -> str:
    """exact, close (one edit, Jaro-Winkler >= 0.92, same Metaphone or NYSIIS, a shared surname word), fuzzy
    (two edits, Jaro-Winkler >= 0.85) or different, on folded names."""
    if a == b:
        return "exact"
    if a.replace(" ", "") == b.replace(" ", ""):
        return "exact"
    jw = JaroWinkler.similarity(a, b)
    edits = DamerauLevenshtein.distance(a, b)
    shortest = min(len(a), len(b))
    if edits <= 1 or (jw >= 0.92 and shortest >= 4):
        return "close"
    wa, wb = a.split(), b.split()
    if len(a) >= 3 and len(b) >= 3 and len(wa) == 1 and len(wb) == 1:
        pa, pb = _phonetic(a), _phonetic(b)
        if (pa[0] and pa[0] == pb[0]) or (pa[1] and pa[1] == pb[1] and shortest >= 5):
            return "close"
    if (len(wa) > 1 or len(wb) > 1) and {w for w in wa if len(w) > 2} & {w for w in wb if len(w) > 2}:
        return "close"  # 'Garcia Lopez' and 'Garcia': a shared word of a compound surname
    if (edits <= 2 and shortest >= 5) or (jw >= 0.85 and shortest >= 4):
        return "fuzzy"
    return "different"


# --- addresses ------------------------------------------------------------------------------------------------

# USPS Publication 28: street suffixes (C1), secondary unit designators (C2) and directionals.
_SUFFIXES = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "aven": "ave", "avenu": "ave", "road": "rd",
    "boulevard": "blvd", "boul": "blvd", "drive": "dr", "drv": "dr", "lane": "ln", "court": "ct",
    "place": "pl", "terrace": "ter", "circle": "cir", "highway": "hwy", "parkway": "pkwy", "pky": "pkwy",
    "square": "sq", "trail": "trl", "way": "way", "alley": "aly", "crossing": "xing", "expressway": "expy",
    "freeway": "fwy", "heights": "hts", "junction": "jct", "mount": "mt", "mountain": "mtn", "point": "pt",
    "ridge": "rdg", "route": "rte", "turnpike": "tpke", "center": "ctr", "centre": "ctr", "creek": "crk",
    "estates": "ests", "grove": "grv", "harbor": "hbr", "hill": "hl", "hollow": "holw", "island": "is",
    "lake": "lk", "loop": "loop", "manor": "mnr", "meadows": "mdws", "park": "park", "plaza": "plz",
    "valley": "vly", "view": "vw", "village": "vlg", "cove": "cv", "crescent": "cres", "path": "path",
    "pike": "pike", "run": "run", "walk": "walk", "commons": "cmns", "station": "sta", "spring": "spg",
    "springs": "spgs", "fort": "ft", "garden": "gdn", "gardens": "gdns", "landing": "lndg", "oval": "oval",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw",
}
_UNITS = {"apartment", "apt", "suite", "ste", "unit", "building", "bldg", "floor", "fl", "room", "rm",
          "department", "dept", "lot", "space", "spc", "trailer", "trlr", "number", "no"}
_HASH = re.compile(r"#\s*")


def normalize_address(text: str) -> str:
    """'14 Oak Street, Apartment 4B' -> '14 oak st # 4b'; 'Apt 4B', 'Unit 4B', '#4B' all read '# 4b'."""
    text = _HASH.sub(" unit ", (text or "").lower())
    words = fold(text).split()
    out: list[str] = []
    for word in words:
        if word in _UNITS:
            if out and out[-1] == "#":
                continue
            out.append("#")
        else:
            out.append(_SUFFIXES.get(word, word))
    return " ".join(out)


def _split_address(address: str) -> tuple[str, str, str]:
    """(house number, street, unit) of a normalized address."""
    street, _sep, unit = address.partition(" # ")
    if street.endswith(" #"):
        street, unit = street[:-2], ""
    words = street.split()
    number = words[0] if words and any(ch.isdigit() for ch in words[0]) else ""
    return number, " ".join(words[1:] if number else words), unit.strip()


# --- the record -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """What the matcher compares. Build one from a patient with `person_from` or from form data."""

    family: str
    given: str
    birth_date: dt.date | None
    sex: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = ""
    previous_family: str = ""
    middle: str = ""
    ref: Any = None  # the patient id, when there is one
    birth_year: int | None = None  # a partial date ('1980' or '1980-04') when the full one is unknown
    birth_month: int | None = None

    @classmethod
    def of(cls, *, family_name: str, given_name: str, birth_date: dt.date | str | None, sex: str = "",
           phone: str = "", email: str = "", address_line: str = "", postal_code: str = "",
           previous_family_name: str = "", middle_name: str = "", ref: Any = None,
           alt_phone: str = "") -> Person:
        year = month = None
        if isinstance(birth_date, str):
            parts = [int(p) for p in re.findall(r"\d+", birth_date)[:3]]
            try:
                birth_date = dt.date(*parts) if len(parts) == 3 else None  # type: ignore[arg-type]
            except ValueError:
                birth_date = None
            if birth_date is None and parts and 1800 <= parts[0] <= 2200:
                year = parts[0]
                month = parts[1] if len(parts) > 1 and 1 <= parts[1] <= 12 else None
        return cls(
            family=fold_name(family_name), given=fold_name(given_name), birth_date=birth_date,
            sex=sex if sex not in ("", "unknown", "other") else "",
            phone=phone_key(phone) or phone_key(alt_phone), email=(email or "").strip().lower(),
            address=normalize_address(address_line), postal_code=digits(postal_code)[:5],
            previous_family=fold_name(previous_family_name), middle=fold_name(middle_name), ref=ref,
            birth_year=year, birth_month=month,
        )


def person_from(patient: Any) -> Person:
    return Person.of(family_name=patient.family_name, given_name=patient.given_name,
                     birth_date=patient.birth_date, sex=patient.sex, phone=patient.phone,
                     alt_phone=getattr(patient, "alt_phone", ""), email=patient.email,
                     address_line=patient.address_line, postal_code=patient.postal_code,
                     previous_family_name=getattr(patient, "previous_family_name", ""),
                     middle_name=patient.middle_name, ref=patient.pk)


# --- comparisons ----------------------------------------------------------------------------------------------

def compare_family(a: Person, b: Person) -> str:
    if not a.family or not b.family:
        return "missing"
    level = name_level(a.family, b.family)
    if level in ("fuzzy", "different") and (
        (a.previous_family and name_level(a.previous_family, b.family) in ("exact", "close"))
        or (b.previous_family and name_level(b.previous_family, a.family) in ("exact", "close"))
    ):
        return "previous"
    return level


def _given_level(given_a: str, given_b: str, middle_a: str = "", middle_b: str = "") -> str:
    if not given_a or not given_b:
        return "missing"
    first_a, first_b = given_a.split()[0], given_b.split()[0]
    if given_a == given_b or first_a == first_b:
        return "exact"
    if len(first_a) == 1 or len(first_b) == 1:
        return "initial" if first_a[0] == first_b[0] else "different"
    if are_nicknames(first_a, first_b):
        return "nickname"
    if (middle_a and middle_a.split()[0] == first_b) or (middle_b and middle_b.split()[0] == first_a):
        return "close"  # goes by the middle name
    level = name_level(first_a, first_b)
    if level == "different" and (" " in given_a or " " in given_b):
        level = "close" if set(given_a.split()) & set(given_b.split()) else name_level(given_a, given_b)
    if level == "different" and nickname_with_typo(first_a, first_b):
        level = "nickname"
    return level


def compare_given(a: Person, b: Person) -> str:
    return _given_level(a.given, b.given, a.middle, b.middle)


def compare_dob(a: Person, b: Person) -> str:
    x, y = a.birth_date, b.birth_date
    if x is None or y is None:
        year_a, month_a = (x.year, x.month) if x else (a.birth_year, a.birth_month)
        year_b, month_b = (y.year, y.month) if y else (b.birth_year, b.birth_month)
        if year_a is None or year_b is None:
            return "missing"
        if year_a != year_b or (month_a and month_b and month_a != month_b):
            return "different"
        return "partial"
    if x == y:
        return "exact"
    if x.year == y.year and x.month == y.day and x.day == y.month:
        return "transposed"
    same = (x.year == y.year) + (x.month == y.month) + (x.day == y.day)
    if same == 2 or abs((x - y).days) <= 31:
        return "one-part"
    # A one-digit typo or swapped digits in the year (1985 / 1958, 1985 / 1995).
    if x.month == y.month and x.day == y.day and DamerauLevenshtein.distance(str(x.year), str(y.year)) == 1:
        return "one-part"
    return "different"


def compare_phone(a: Person, b: Person) -> str:
    if not a.phone or not b.phone:
        return "missing"
    if a.phone == b.phone:
        return "exact"
    if len(a.phone) == len(b.phone) >= 7 and DamerauLevenshtein.distance(a.phone, b.phone) <= 1:
        return "close"
    return "different"


def compare_email(a: Person, b: Person) -> str:
    if not a.email or not b.email:
        return "missing"
    if a.email == b.email:
        return "exact"
    local_a, _at, domain_a = a.email.partition("@")
    local_b, _at, domain_b = b.email.partition("@")
    if local_a == local_b or (domain_a == domain_b and DamerauLevenshtein.distance(local_a, local_b) <= 1):
        return "close"
    return "different"


def compare_address(a: Person, b: Person) -> str:
    if not a.address or not b.address:
        return "missing"
    if a.address == b.address:
        return "exact"
    number_a, street_a, unit_a = _split_address(a.address)
    number_b, street_b, unit_b = _split_address(b.address)
    if number_a and number_b and number_a != number_b:
        return "different"
    if unit_a and unit_b and unit_a != unit_b:
        return "different"  # the same building, another flat
    if street_a == street_b:
        return "exact" if (number_a == number_b and unit_a == unit_b) else "close"
    if JaroWinkler.similarity(street_a, street_b) >= 0.88 or DamerauLevenshtein.distance(street_a, street_b) <= 2:
        return "close"
    return "different"


def compare_postal_code(a: Person, b: Person) -> str:
    if len(a.postal_code) < 3 or len(b.postal_code) < 3:
        return "missing"
    if a.postal_code == b.postal_code:
        return "exact"
    if a.postal_code[:3] == b.postal_code[:3]:
        return "near"
    return "different"


def compare_sex(a: Person, b: Person) -> str:
    if not a.sex or not b.sex:
        return "missing"
    return "exact" if a.sex == b.sex else "different"


_GENERATIONS = {"jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "ii": "ii", "iii": "iii", "iv": "iv",
                "2nd": "ii", "3rd": "iii"}


def _generation(p: Person) -> str:
    """'jr', 'sr', 'ii'... when a name carries a generational suffix, else ''."""
    for word in f"{p.given} {p.middle} {p.family}".split():
        if word in _GENERATIONS:
            return _GENERATIONS[word]
    return ""


_NAME_RANK = {"exact": 0, "nickname": 1, "close": 1, "previous": 2, "fuzzy": 2, "initial": 3, "different": 4,
              "missing": 5}


def comparison_vector(a: Person, b: Person) -> tuple[dict[str, str], bool]:
    """The level of every field, and whether first and last names agree only when swapped."""
    family, given = compare_family(a, b), compare_given(a, b)
    swapped = False
    if _NAME_RANK[family] + _NAME_RANK[given] >= 4 and a.family and a.given and b.family and b.given:
        family_x = name_level(a.family, b.given)
        if _NAME_RANK[family_x] <= 1:
            given_x = _given_level(a.given, b.family)
            if _NAME_RANK[family_x] + _NAME_RANK[given_x] <= 2 and (_NAME_RANK[family_x] + _NAME_RANK[given_x]
                                                                    < _NAME_RANK[family] + _NAME_RANK[given]):
                family, given, swapped = family_x, given_x, True
    levels = {
        "family": family,
        "given": given,
        "birth_date": compare_dob(a, b),
        "sex": compare_sex(a, b),
        "phone": compare_phone(a, b),
        "email": compare_email(a, b),
        "address": compare_address(a, b),
        "postal_code": compare_postal_code(a, b),
    }
    return levels, swapped


# --- scoring --------------------------------------------------------------------------------------------------

_LABELS = {"family": "last name", "given": "first name", "birth_date": "date of birth", "sex": "sex",
           "phone": "phone", "email": "e-mail", "address": "address", "postal_code": "postcode"}


def _reason(name: str, level: str) -> str:
    """The agreement in words, translated: 'same date of birth', 'first name is a nickname'."""
    phrases = {
        ("family", "exact"): _("same last name"), ("family", "close"): _("similar last name"),
        ("family", "fuzzy"): _("last name alike"), ("family", "previous"): _("last name matches a previous name"),
        ("given", "exact"): _("same first name"), ("given", "nickname"): _("first name is a nickname"),
        ("given", "close"): _("similar first name"), ("given", "fuzzy"): _("first name alike"),
        ("given", "initial"): _("same first initial"),
        ("birth_date", "exact"): _("same date of birth"),
        ("birth_date", "transposed"): _("date of birth with day and month swapped"),
        ("birth_date", "one-part"): _("date of birth differs in one part"),
        ("birth_date", "partial"): _("same birth year"),
        ("sex", "exact"): _("same sex"),
        ("phone", "exact"): _("same phone"), ("phone", "close"): _("phone differs by one digit"),
        ("email", "exact"): _("same e-mail"), ("email", "close"): _("similar e-mail"),
        ("address", "exact"): _("same address"), ("address", "close"): _("similar address"),
        ("postal_code", "exact"): _("same postcode"), ("postal_code", "near"): _("nearby postcode"),
    }
    return phrases.get((name, level), f"{_LABELS[name]} ({level})")


@dataclass
class MatchResult:
    score: float
    agreeing: list[str] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    swapped: bool = False
    capped: bool = False

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY

    @property
    def possible(self) -> bool:
        return self.score >= POSSIBLE

    @property
    def certain(self) -> bool:
        """No human needs to look: a very high score, and first name, last name and full date of birth agree
        (exactly or by a one-letter typo), with at least one contact detail agreeing and none disagreeing."""
        levels = self.levels
        contacts = [levels.get(name, "missing") for name in ("phone", "email", "address")]
        return (self.score >= CERTAIN and not self.swapped
                and levels.get("family") in ("exact", "close") and levels.get("given") in ("exact", "close")
                and levels.get("birth_date") == "exact" and levels.get("sex") != "different"
                and "exact" in contacts and "different" not in contacts)

    @property
    def probability(self) -> float:
        """Posterior probability of a match, with a prior of 1 in 1,000 compared pairs."""
        if self.score > 60:
            return 1.0
        odds = 2.0 ** self.score / 1000
        return odds / (1 + odds)

    @property
    def reasons(self) -> list[str]:
        """What agrees, in words (translated), strongest first."""
        shown = sorted(((weight, name) for name, weight in self.parts.items() if weight > 0), reverse=True)
        words = [_reason(name, self.levels.get(name, "exact")) for _weight, name in shown]
        if self.swapped:
            words.append(_("first and last names swapped"))
        return words


def score(a: Person, b: Person, model: matching_model.MatchModel | None = None) -> MatchResult:
    model = model or matching_model.current()
    levels, swapped = comparison_vector(a, b)
    result = MatchResult(0.0, levels=levels, swapped=swapped)
    total = 0.0
    for name, level in levels.items():
        if level == "missing":
            continue
        value = ""
        if level == "exact" and not swapped:
            value = a.family if name == "family" else a.given.split()[0] if name == "given" else ""
        weight = model.weight(name, level, value)
        result.parts[name] = round(weight, 2)
        total += weight
        if weight > 0:
            label = _LABELS[name]
            result.agreeing.append(label if level == "exact" else f"{label} ({level})")
    if swapped:
        result.agreeing.append("names swapped")
    if levels["given"] == "different" and levels["family"] in ("exact", "close", "fuzzy"):
        # Same surname (and birth date, household) but another first name: a twin or a relative, not a duplicate.
        total = min(total, POSSIBLE - 1)
        result.capped = True
    elif total >= LIKELY and levels["birth_date"] not in ("exact", "transposed") and _generation(a) != _generation(b):
        # 'Jr' on one chart and not the other, and no birth date to tell them apart: parent and son.
        total = min(total, LIKELY - 1)
        result.capped = True
    elif levels["birth_date"] == "different":
        # Two full birth dates years apart: a parent and a junior in one household share every contact detail
        # (the fields are not independent there). Worth a look at registration, never an automatic link.
        total = min(total, LIKELY - 1)
        result.capped = True
    result.score = round(total, 2)
    return result


def transposed(day: dt.date) -> dt.date | None:
    """The date with day and month swapped, when that is another real date."""
    if day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    return None


def blocking_keys(p: Person) -> list[tuple[str, Any]]:
    """Keys that put two records in the same block: a pair is compared when any key is shared.

    The same keys drive the database candidate query (`candidates.candidate_query`): birth date (and the
    date with day and month swapped), phone, e-mail, the phonetic codes of last and first name (either way
    round, for swapped names) and the postcode with the phonetic code of either name.
    """
    keys: list[tuple[str, Any]] = []
    if p.birth_date is not None:
        keys.append(("dob", p.birth_date))
        if (swapped := transposed(p.birth_date)) is not None:
            keys.append(("dob", swapped))
    if p.phone:
        keys.append(("phone", p.phone))
    if p.email:
        keys.append(("email", p.email))
    given = sound(p.given)
    for family in {p.family, p.previous_family} - {""}:
        keys.append(("sound", (sound(family), given)))
        keys.append(("sound", (given, sound(family))))
    if len(p.postal_code) == 5:
        # One name right (either way round) and the same postcode: a typo in the other name with no
        # birth date, phone or e-mail to meet on.
        for name in {p.family, p.given, p.previous_family} - {""}:
            keys.append(("zip-name", (p.postal_code, sound(name))))
    return keys


MAX_BLOCK = 400


def blocked_pairs(persons: list[Person]) -> list[tuple[int, int]]:
    """Index pairs sharing at least one blocking key (blocks larger than MAX_BLOCK skipped)."""
    blocks: dict[tuple[str, Any], list[int]] = {}
    for index, person in enumerate(persons):
        for key in set(blocking_keys(person)):
            blocks.setdefault(key, []).append(index)
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                seen.add((a, b) if a < b else (b, a))
    return sorted(seen)


def find_duplicate_pairs(persons: list[Person], *, threshold: float = LIKELY,
                         model: matching_model.MatchModel | None = None) -> list[tuple[Any, Any, MatchResult]]:
    """Every pair of persons sharing a block and scoring at or above `threshold`: (lower ref, higher ref, result).

    Blocks larger than MAX_BLOCK (a very common name) are skipped; their pairs still meet in the
    DOB, phone and e-mail blocks.
    """
    model = model or matching_model.current()
    found = []
    for i, j in blocked_pairs(persons):
        result = score(persons[i], persons[j], model)
        if result.score >= threshold:
            ref_a, ref_b = persons[i].ref, persons[j].ref
            low, high = (ref_a, ref_b) if ref_a < ref_b else (ref_b, ref_a)
            found.append((low, high, result))
    found.sort(key=lambda item: -item[2].score)
    return found
