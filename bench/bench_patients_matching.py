"""Duplicate detection quality: precision, recall and F1 of `patients.matching` on a generated set with
known duplicates.

    .venv/bin/python bench/bench_patients_matching.py [--people 5000] [--duplicates 600] [--seed 7]

The set: `people` distinct persons (English and Spanish names, households sharing a surname, phone and
address, twins), plus `duplicates` second charts of some of them, each spoilt in one to three ways:
typos in either name, a nickname, day and month swapped, one part of the date wrong, a changed last
name (recorded as the previous name only half the time), a new phone, e-mail or address (accents and
case are folded away before matching; tests/patients/test_matching.py covers them). Pairs are found
the way the worklist finds them (`find_duplicate_pairs`: blocking, then Fellegi-Sunter scores), at
the LIKELY threshold (the worklist) and the POSSIBLE one (the registration warning).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")


# The nicknames this generator uses (the matcher itself uses the `nicknames` dataset, not this list).
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


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + rng.choice("aeiou")
    i = rng.randrange(1, len(word) - 1)
    roll = rng.random()
    if roll < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:] if i + 1 < len(word) else word[:-1]
    if roll < 0.7:
        return word[:i] + rng.choice("aeiourlnst") + word[i + 1:]
    if roll < 0.85:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def build(people: int, duplicates: int, seed: int):  # type: ignore[no-untyped-def]
    from faker import Faker

    from clinicdesk.patients.matching import Person

    rng = random.Random(seed)
    fakes = {"en": Faker("en_US"), "es": Faker("es_MX")}
    for index, fake in enumerate(fakes.values()):
        fake.seed_instance(seed + index)
    records: list[Person] = []
    truth: set[tuple[int, int]] = set()
    nick_names = sorted(n for n in NICKNAMES if len(n) > 3)  # sorted: the same set whatever the hash seed

    def person(ref: int, lang: str, family: str | None = None, household: Person | None = None) -> Person:
        fake = fakes[lang]
        female = rng.random() < 0.5
        given = rng.choice(nick_names) if rng.random() < 0.15 else (
            fake.first_name_female() if female else fake.first_name_male())
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 33000))
        if household is not None:
            return Person.of(family_name=family or household.family, given_name=given, birth_date=birth,
                             sex="female" if female else "male", phone=household.phone,
                             address_line=household.address, postal_code=household.postal_code, ref=ref)
        return Person.of(
            family_name=family or fake.last_name(), given_name=given, birth_date=birth,
            sex="female" if female else "male",
            phone="" if rng.random() < 0.1 else f"{rng.randrange(201, 990)}{rng.randrange(200, 999)}"
                                                f"{rng.randrange(0, 10000):04d}",
            email="" if rng.random() < 0.4 else f"{given}.{rng.randrange(10**6)}@mail.example",
            address_line=f"{rng.randrange(1, 9999)} {fake.street_name()}",
            postal_code=f"{rng.randrange(1000, 99999):05d}",
            ref=ref)

    while len(records) < people:
        lang = "es" if rng.random() < 0.25 else "en"
        base = person(len(records), lang)
        records.append(base)
        roll = rng.random()
        if roll < 0.08 and len(records) < people:  # a household member: same surname, phone, address
            records.append(person(len(records), lang, household=base))
        elif roll < 0.10 and len(records) < people:  # a twin: same surname, birth date, phone, address
            twin = person(len(records), lang, household=base)
            records.append(replace(twin, birth_date=base.birth_date))
    originals = list(records)
    for _ in range(duplicates):
        source = rng.choice(originals)
        dupe = replace(source, ref=len(records))
        changes = rng.sample(["family", "given", "nickname", "transpose", "dob", "married", "phone", "email",
                              "address"], rng.choice([1, 1, 2, 2, 3]))
        for change in changes:
            if change == "family":
                dupe = replace(dupe, family=_typo(dupe.family, rng))
            elif change == "given":
                dupe = replace(dupe, given=_typo(dupe.given, rng))
            elif change == "nickname" and dupe.given in NICKNAMES:
                dupe = replace(dupe, given=rng.choice(sorted(NICKNAMES[dupe.given])))
            elif change == "transpose" and dupe.birth_date and dupe.birth_date.day <= 12:
                dupe = replace(dupe, birth_date=dupe.birth_date.replace(month=dupe.birth_date.day,
                                                                        day=dupe.birth_date.month))
            elif change == "dob" and dupe.birth_date:
                dupe = replace(dupe, birth_date=dupe.birth_date + dt.timedelta(days=rng.choice([-1, 1, 10, -10])))
            elif change == "married":
                new_family = fakes["en"].last_name().lower()
                dupe = replace(dupe, family=new_family,
                               previous_family=source.family if rng.random() < 0.5 else "")
            elif change == "phone":
                dupe = replace(dupe, phone="" if rng.random() < 0.5 else f"{rng.randrange(2000000000, 9999999999)}")
            elif change == "email":
                dupe = replace(dupe, email="")
            elif change == "address":
                dupe = replace(dupe, address=f"{rng.randrange(1, 9999)} new street", postal_code="99999")
        records.append(dupe)
        truth.add((min(source.ref, dupe.ref), max(source.ref, dupe.ref)))
    # Charts of the same person found twice are one truth: close the pairs transitively.
    groups: dict[int, set[int]] = {}
    for a, b in truth:
        group = groups.get(a, {a}) | groups.get(b, {b})
        for member in group:
            groups[member] = group
    truth = {(a, b) for group in {frozenset(g) for g in groups.values()} for a in group for b in group if a < b}
    return records, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--duplicates", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    import django

    django.setup()
    from clinicdesk.patients.matching import LIKELY, POSSIBLE, find_duplicate_pairs

    records, truth = build(args.people, args.duplicates, args.seed)
    print(f"{len(records)} records, {len(truth)} true duplicate pairs (seed {args.seed})")
    for label, threshold in (("LIKELY (worklist)", LIKELY), ("POSSIBLE (registration warning)", POSSIBLE)):
        started = time.perf_counter()
        found = {(a, b) for a, b, _ in find_duplicate_pairs(records, threshold=threshold)}
        elapsed = time.perf_counter() - started
        hits = len(found & truth)
        precision = hits / len(found) if found else 1.0
        recall = hits / len(truth) if truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {label:32} threshold {threshold:5.1f}: precision {precision:.3f}, recall {recall:.3f}, "
              f"F1 {f1:.3f} ({len(found)} pairs flagged, {hits} right; {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
