"""Probabilistic record matching (Fellegi-Sunter): is this the same person?

Each field comparison falls into a level (exact, close, different, missing). Each level has an
agreement weight log2(m/u): m is how often true matches show that level, u how often non-matches
do. The score is the sum of the weights; pairs at or above `LIKELY` are shown as likely matches,
at or above `POSSIBLE` as possible ones. Weights were set from the generated test set in
`bench/bench_patients_matching.py` and rounded; they are deliberately simple to read.

Pure functions over `Person` records: no database here. Blocking (which pairs are compared at
all) lives in the selectors, which ask the database for candidates by DOB, phone, e-mail and
phonetic name codes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import JaroWinkler, Levenshtein

from clinicdesk.core.text import digits, fold

from .keys import phone_key, sound

LIKELY = 12.0
POSSIBLE = 7.0

# Common English and Spanish nicknames; each group is one given name.
_NICKNAME_GROUPS = [
    "william bill billy will willy liam", "robert bob bobby rob robbie bert", "richard rick ricky dick rich",
    "james jim jimmy jamie", "john jack johnny jon", "joseph joe joey jose pepe", "thomas tom tommy",
    "charles charlie chuck chas", "michael mike mikey mick", "christopher chris kit topher",
    "daniel dan danny", "david dave davey", "matthew matt matty", "anthony tony", "andrew andy drew",
    "edward ed eddie ted teddy ned", "benjamin ben benny", "samuel sam sammy", "alexander alex al xander sasha",
    "nicholas nick nicky", "jonathan jon jonny", "stephen steve stevie steven", "timothy tim timmy",
    "patrick pat paddy", "peter pete", "gregory greg", "kenneth ken kenny", "lawrence larry",
    "raymond ray", "ronald ron ronnie", "donald don donnie", "gerald jerry gerry", "henry hank harry",
    "francis frank frankie", "frederick fred freddie", "lewis lou louis", "leonard leo len lenny",
    "elizabeth liz lizzie beth betty betsy eliza libby", "margaret maggie meg peggy marge margie greta",
    "katherine kathy kate katie kathryn catherine cathy kat", "jennifer jen jenny", "jessica jess jessie",
    "patricia pat patty trish tricia", "susan sue susie suzanne", "deborah debbie deb debra",
    "rebecca becky becca", "barbara barb barbie", "dorothy dot dottie", "victoria vicky tori",
    "christine chris chrissy christina tina", "alexandra alex sandra sandy lexi", "abigail abby",
    "kimberly kim kimmy", "samantha sam sammy", "amanda mandy", "pamela pam", "cynthia cindy",
    "theresa terry tess tessa teresa", "jacqueline jackie", "judith judy", "virginia ginny ginger",
    "francisco paco pancho frank", "guadalupe lupe lupita", "jesus chuy chucho", "ignacio nacho",
    "enrique kike quique", "alejandro alex ale jandro", "roberto beto tito", "alberto beto",
    "guillermo memo willy", "eduardo lalo eddie", "manuel manolo manny", "rafael rafa",
    "maria mari mary", "dolores lola", "concepcion concha conchita", "rosario charo", "mercedes meche",
    "josefina pepa fina", "graciela chela", "ana anita ann anna annie", "luis lucho",
]
NICKNAMES: dict[str, frozenset[str]] = {}
for _group in _NICKNAME_GROUPS:
    _names = frozenset(_group.split())
    for _name in _names:
        NICKNAMES[_name] = NICKNAMES.get(_name, frozenset()) | _names


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

    @classmethod
    def of(cls, *, family_name: str, given_name: str, birth_date: dt.date | None, sex: str = "",
           phone: str = "", email: str = "", address_line: str = "", postal_code: str = "",
           previous_family_name: str = "", middle_name: str = "", ref: Any = None,
           alt_phone: str = "") -> Person:
        return cls(
            family=fold(family_name), given=fold(given_name), birth_date=birth_date, sex=sex or "",
            phone=phone_key(phone) or phone_key(alt_phone), email=(email or "").strip().lower(),
            address=fold(address_line), postal_code=digits(postal_code)[:5],
            previous_family=fold(previous_family_name), middle=fold(middle_name), ref=ref,
        )


def person_from(patient: Any) -> Person:
    return Person.of(family_name=patient.family_name, given_name=patient.given_name,
                     birth_date=patient.birth_date, sex=patient.sex, phone=patient.phone,
                     alt_phone=getattr(patient, "alt_phone", ""), email=patient.email,
                     address_line=patient.address_line, postal_code=patient.postal_code,
                     previous_family_name=getattr(patient, "previous_family_name", ""),
                     middle_name=patient.middle_name, ref=patient.pk)


@dataclass
class MatchResult:
    score: float
    agreeing: list[str] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY

    @property
    def possible(self) -> bool:
        return self.score >= POSSIBLE

    @property
    def probability(self) -> float:
        """Posterior probability of a match, with a prior of 1 in 1,000 compared pairs."""
        odds = 2 ** self.score / 1000
        return odds / (1 + odds)


def _w(m: float, u: float) -> float:
    return math.log2(m / u)


# (m, u) per comparison level.
W_FAMILY = {"exact": _w(0.90, 0.003), "close": _w(0.06, 0.002), "previous": _w(0.03, 0.0005),
            "different": _w(0.01, 0.995)}
W_GIVEN = {"exact": _w(0.88, 0.004), "nickname": _w(0.04, 0.001), "close": _w(0.05, 0.002),
           "initial": _w(0.01, 0.02), "different": _w(0.02, 0.973)}
W_DOB = {"exact": _w(0.93, 0.0001), "transposed": _w(0.02, 0.00001), "one-part": _w(0.04, 0.003),
         "different": _w(0.01, 0.997)}
W_SEX = {"exact": _w(0.98, 0.5), "different": _w(0.02, 0.5)}
W_PHONE = {"exact": _w(0.70, 0.0005), "different": _w(0.30, 0.9995)}
W_EMAIL = {"exact": _w(0.60, 0.0001), "different": _w(0.40, 0.9999)}
W_ADDRESS = {"exact": _w(0.70, 0.001), "zip": _w(0.15, 0.05), "different": _w(0.15, 0.949)}


def _name_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    if JaroWinkler.similarity(a, b) >= 0.9 or Levenshtein.distance(a, b) <= (1 if min(len(a), len(b)) < 5 else 2):
        return "close"
    # "Garcia Lopez" and "Garcia": the first word agrees.
    wa, wb = a.split(), b.split()
    if wa and wb and (wa[0] == wb[0] or set(wa) & set(wb)):
        return "close"
    return "different"


def compare_family(a: Person, b: Person) -> str:
    if not a.family or not b.family:
        return "missing"
    level = _name_level(a.family, b.family)
    if level == "different" and (
        (a.previous_family and _name_level(a.previous_family, b.family) != "different")
        or (b.previous_family and _name_level(b.previous_family, a.family) != "different")
    ):
        return "previous"
    return level


def compare_given(a: Person, b: Person) -> str:
    if not a.given or not b.given:
        return "missing"
    first_a, first_b = a.given.split()[0], b.given.split()[0]
    if a.given == b.given or first_a == first_b:
        return "exact"
    if first_b in NICKNAMES.get(first_a, ()):
        return "nickname"
    if (a.middle and a.middle.split()[0] == first_b) or (b.middle and b.middle.split()[0] == first_a):
        return "close"  # goes by the middle name
    level = _name_level(first_a, first_b)
    if level == "close":
        return "close"
    if len(first_a) == 1 or len(first_b) == 1:
        return "initial" if first_a[0] == first_b[0] else "different"
    return "different"


def compare_dob(a: Person, b: Person) -> str:
    x, y = a.birth_date, b.birth_date
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    if x.year == y.year and x.month == y.day and x.day == y.month:
        return "transposed"
    same = (x.year == y.year) + (x.month == y.month) + (x.day == y.day)
    if same == 2:
        return "one-part"
    # A one-digit typo in the year (1985 / 1958, 1985 / 1995).
    if x.month == y.month and x.day == y.day and Levenshtein.distance(str(x.year), str(y.year)) == 1:
        return "one-part"
    return "different"


def _equal_or_missing(x: str, y: str) -> str:
    if not x or not y:
        return "missing"
    return "exact" if x == y else "different"


def compare_address(a: Person, b: Person) -> str:
    if not a.address or not b.address:
        if a.postal_code and b.postal_code:
            return "zip" if a.postal_code == b.postal_code else "missing"
        return "missing"
    if a.address == b.address or JaroWinkler.similarity(a.address, b.address) >= 0.93:
        return "exact"
    if a.postal_code and a.postal_code == b.postal_code:
        return "zip"
    return "different"


_LABELS = {"family": "last name", "given": "first name", "birth_date": "date of birth", "sex": "sex",
           "phone": "phone", "email": "e-mail", "address": "address"}


def score(a: Person, b: Person) -> MatchResult:
    levels = {
        "family": (compare_family(a, b), W_FAMILY),
        "given": (compare_given(a, b), W_GIVEN),
        "birth_date": (compare_dob(a, b), W_DOB),
        "sex": (_equal_or_missing(a.sex if a.sex not in ("", "unknown") else "",
                                  b.sex if b.sex not in ("", "unknown") else ""), W_SEX),
        "phone": (_equal_or_missing(a.phone, b.phone), W_PHONE),
        "email": (_equal_or_missing(a.email, b.email), W_EMAIL),
        "address": (compare_address(a, b), W_ADDRESS),
    }
    result = MatchResult(0.0)
    for name, (level, weights) in levels.items():
        weight = weights.get(level, 0.0)
        result.parts[name] = round(weight, 2)
        result.score += weight
        if level != "missing" and weight > 0:
            label = _LABELS[name]
            if level == "exact":
                result.agreeing.append(label)
            else:
                result.agreeing.append(f"{label} ({level})")
    if levels["given"][0] == "different":
        # Same surname, birth date and household but another first name: a twin or a relative, not a duplicate.
        result.score = min(result.score, POSSIBLE - 1)
    result.score = round(result.score, 2)
    return result


def transposed(day: dt.date) -> dt.date | None:
    """The date with day and month swapped, when that is another real date."""
    if day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    return None


def blocking_keys(p: Person) -> list[tuple[str, Any]]:
    """Keys that put two records in the same block: a pair is compared when any key is shared.

    The same keys drive the database candidate query (`candidates.candidate_query`).
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
    return keys


MAX_BLOCK = 400


def find_duplicate_pairs(persons: list[Person], *, threshold: float = LIKELY) -> list[tuple[Any, Any, MatchResult]]:
    """Every pair of persons sharing a block and scoring at or above `threshold`: (lower ref, higher ref, result).

    Blocks larger than MAX_BLOCK (a very common name) are skipped; their pairs still meet in the
    DOB, phone and e-mail blocks.
    """
    blocks: dict[tuple[str, Any], list[int]] = {}
    for index, person in enumerate(persons):
        for key in blocking_keys(person):
            blocks.setdefault(key, []).append(index)
    seen: set[tuple[int, int]] = set()
    found = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pair = (a, b) if a < b else (b, a)
                if pair in seen:
                    continue
                seen.add(pair)
                result = score(persons[pair[0]], persons[pair[1]])
                if result.score >= threshold:
                    ref_a, ref_b = persons[pair[0]].ref, persons[pair[1]].ref
                    low, high = (ref_a, ref_b) if ref_a < ref_b else (ref_b, ref_a)
                    found.append((low, high, result))
    found.sort(key=lambda item: -item[2].score)
    return found
