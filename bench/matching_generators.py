"""Three synthetic generators with different error models, for evaluating patient matching (issue #17).

    ours        bench/bench_patients_matching.py: English and Spanish (Faker) names, households and twins,
                duplicates spoilt by typos, nicknames, swapped day/month, a changed last name, new contacts.
    typos       another population and another error model: Hispanic (compound surnames), Vietnamese, Arabic
                and English names from fixed lists (not Faker), US addresses written with and without
                USPS abbreviations and unit numbers; duplicates spoilt by OCR confusions (rn/m, l/1, O/0, cl/d),
                keyboard slips (adjacent keys), first and last names swapped, missing fields (no phone, no
                e-mail ever, birth date missing or only the year), digit typos in dates and phones.
    households  families: 2 to 6 people sharing a surname, an address, a phone and often an e-mail; twins
                (same birth date, different first names), juniors named after a parent; duplicates of some
                members with light errors (a typo, a nickname, the phone left out, moved house).

Each `generate_<name>(people, duplicates, seed)` returns (records, truth): `matching.Person` records with
`ref` = their index, and the set of (lower ref, higher ref) pairs that are the same person (closed
transitively). `evaluate(records, truth, threshold, model)` runs the worklist's pair finder.

    .venv/bin/python bench/matching_generators.py [--people 3000] [--duplicates 400] [--seed 11]

trains a model (EM) on each generator's records and prints precision, recall and F1 at the worklist
(LIKELY) and registration (POSSIBLE) thresholds, with the learned model and with the shipped defaults.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")

HISPANIC_GIVEN = ["José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Alejandro", "Ricardo", "Fernando", "Javier",
                  "Sergio", "Raúl", "Andrés", "Héctor", "Ramón", "Ignacio", "Rodrigo", "Esteban", "Joaquín", "Mateo",
                  "María", "Guadalupe", "Sofía", "Valentina", "Camila", "Lucía", "Paola", "Ximena", "Daniela",
                  "Fernanda", "Gabriela", "Alejandra", "Mariana", "Verónica", "Rocío", "Beatriz", "Inés",
                  "Leticia", "Marisol", "Yolanda"]
HISPANIC_FAMILY = ["García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
                   "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez",
                   "Ortiz", "Chávez", "Ruiz", "Jiménez", "Mendoza", "Álvarez", "Castillo", "Romero", "Herrera",
                   "Medina", "Aguilar", "Vargas", "Castro", "Guzmán", "Fernández", "Muñoz", "Rojas", "Salazar",
                   "Delgado", "Peña", "Ibarra", "Navarro"]
VIETNAMESE_GIVEN = ["Anh", "Bảo", "Châu", "Dũng", "Duy", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hoàng",
                    "Hùng", "Huy", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Nhung",
                    "Phong", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thanh", "Thắng", "Thu",
                    "Trang", "Trung", "Tuấn", "Vân", "Việt", "Xuân", "Yến"]
VIETNAMESE_FAMILY = ["Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
                     "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm"]
ARABIC_GIVEN = ["Mohammed", "Ahmed", "Mahmoud", "Omar", "Youssef", "Khaled", "Hassan", "Hussein", "Ali", "Ibrahim",
                "Abdullah", "Samir", "Tariq", "Karim", "Nabil", "Walid", "Faisal", "Ziad", "Bilal", "Hamza",
                "Fatima", "Aisha", "Layla", "Mariam", "Noor", "Zainab", "Rania", "Yasmin", "Salma", "Huda",
                "Amira", "Dalia", "Hana", "Lina", "Mona", "Rana", "Samira", "Sara", "Widad", "Nadia"]
ARABIC_FAMILY = ["Al-Sayed", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Farouk", "Abdallah",
                 "Aziz", "Qureshi", "Rahman", "El-Amin", "Bakr", "Darwish", "Haddadin", "Jaber", "Karam",
                 "Mahfouz", "Najjar", "Obeid", "Sabbagh", "Shami", "Tahan", "Yassin", "Zaher", "Khoury",
                 "Halabi", "Masri", "Attar"]
ENGLISH_GIVEN = ["Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar", "William",
                 "James", "Henry", "Leo", "Alfie", "Joshua", "Freddie", "Archie", "Ethan", "Isaac", "Alexander",
                 "Olivia", "Amelia", "Isla", "Ava", "Emily", "Isabella", "Mia", "Poppy", "Ella", "Lily",
                 "Evie", "Grace", "Sophie", "Chloe", "Harper", "Ruby", "Daisy", "Florence", "Phoebe", "Margaret",
                 "Elizabeth", "Katherine", "Robert", "Richard", "Edward", "Patricia", "Susan", "Deborah"]
ENGLISH_FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
                  "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
                  "Clarke", "Patel", "Hughes", "Edwards", "Turner", "Hill", "Cooper", "Ward", "Morris", "Moore",
                  "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips",
                  "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly",
                  "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller",
                  "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
                  "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali",
                  "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
                  "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon",
                  "Harvey", "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard"]
NAME_SETS = {"hispanic": (HISPANIC_GIVEN, HISPANIC_FAMILY), "vietnamese": (VIETNAMESE_GIVEN, VIETNAMESE_FAMILY),
             "arabic": (ARABIC_GIVEN, ARABIC_FAMILY), "english": (ENGLISH_GIVEN, ENGLISH_FAMILY)}
FEMALE_ENDINGS = ("a", "ía", "e", "y", "Lan", "Linh", "Mai", "Hoa", "Noor", "Inés", "Beatriz", "Huda")
STREETS = ["Maple", "Oak", "Pine", "Cedar", "Elm", "Washington", "Lincoln", "Jefferson", "Madison", "Park",
           "Lake", "Hill", "Sunset", "Highland", "Riverside", "Church", "Mill", "Spring", "Center", "Franklin",
           "Jackson", "Chestnut", "Walnut", "Willow", "Meadow", "Forest", "Ridge", "Valley", "Cherry", "Dogwood"]
SUFFIX_VARIANTS = [("Street", "St", "St."), ("Avenue", "Ave", "Ave."), ("Road", "Rd", "Rd."),
                   ("Boulevard", "Blvd", "Blvd."), ("Drive", "Dr", "Dr."), ("Lane", "Ln"), ("Court", "Ct"),
                   ("Place", "Pl"), ("Terrace", "Ter"), ("Parkway", "Pkwy")]
UNIT_VARIANTS = ("Apartment {}", "Apt {}", "Apt. {}", "#{}", "Unit {}")
OCR = [("rn", "m"), ("m", "rn"), ("l", "1"), ("i", "l"), ("o", "0"), ("cl", "d"), ("d", "cl"), ("e", "c"),
       ("h", "b"), ("u", "v"), ("n", "h"), ("s", "5"), ("g", "q")]
KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _adjacent(ch: str, rng: random.Random) -> str:
    for row in KEYBOARD_ROWS:
        if ch in row:
            i = row.index(ch)
            return rng.choice([row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)])
    return ch


def ocr_typo(word: str, rng: random.Random) -> str:
    spots = [(old, new) for old, new in OCR if old in word.lower()]
    if not spots:
        return keyboard_typo(word, rng)
    old, new = rng.choice(spots)
    i = word.lower().index(old)
    return word[:i] + new + word[i + len(old):]


def keyboard_typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    roll = rng.random()
    if roll < 0.5:
        return word[:i] + _adjacent(word[i].lower(), rng) + word[i + 1:]
    if roll < 0.75:
        return word[:i] + word[i + 1:]  # a dropped key
    return word[:i] + _adjacent(word[i].lower(), rng) + word[i:]  # an extra key


def _date_typo(day: dt.date, rng: random.Random) -> dt.date:
    for _attempt in range(10):
        text = day.strftime("%Y%m%d")
        i = rng.choice([2, 3, 6, 7])
        new = text[:i] + str(rng.randrange(10)) + text[i + 1:]
        try:
            candidate = dt.datetime.strptime(new, "%Y%m%d").date()
        except ValueError:
            continue
        if candidate != day:
            return candidate
    return day + dt.timedelta(days=1)


def _close(truth: set[tuple[int, int]]) -> set[tuple[int, int]]:
    groups: dict[int, set[int]] = {}
    for a, b in truth:
        group = groups.get(a, {a}) | groups.get(b, {b})
        for member in group:
            groups[member] = group
    return {(a, b) for group in {frozenset(g) for g in groups.values()} for a in group for b in group if a < b}


def _address(rng: random.Random, abbreviate: bool | None = None) -> tuple[int, str, tuple[str, ...], str]:
    number = rng.randrange(1, 9999)
    street = rng.choice(STREETS)
    suffix = rng.choice(SUFFIX_VARIANTS)
    unit = str(rng.randrange(1, 40)) + rng.choice(["", "", "A", "B"]) if rng.random() < 0.3 else ""
    return number, street, suffix, unit


def _write_address(parts: tuple[int, str, tuple[str, ...], str], rng: random.Random) -> str:
    number, street, suffix, unit = parts
    text = f"{number} {street} {rng.choice(suffix)}"
    if unit:
        text += (", " if rng.random() < 0.5 else " ") + rng.choice(UNIT_VARIANTS).format(unit)
    return text


def _phone(rng: random.Random) -> str:
    return f"({rng.randrange(201, 990)}) {rng.randrange(200, 999)}-{rng.randrange(0, 10000):04d}"


def generate_ours(people: int, duplicates: int, seed: int) -> tuple[list[Any], set[tuple[int, int]]]:
    from bench_patients_matching import build

    records, truth = build(people, duplicates, seed)
    return records, truth


def generate_typos(people: int, duplicates: int, seed: int) -> tuple[list[Any], set[tuple[int, int]]]:
    from clinicdesk.patients.matching import Person

    rng = random.Random(seed)
    records: list[Person] = []
    raw: list[dict[str, Any]] = []
    weights = [("hispanic", 0.3), ("vietnamese", 0.2), ("arabic", 0.2), ("english", 0.3)]
    for ref in range(people):
        name_set = rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]
        given_pool, family_pool = NAME_SETS[name_set]
        given = rng.choice(given_pool)
        family = rng.choice(family_pool)
        if name_set == "hispanic" and rng.random() < 0.6:
            family = f"{family} {rng.choice(family_pool)}"
        middle = rng.choice(given_pool) if rng.random() < 0.3 else ""
        female = given.endswith(FEMALE_ENDINGS)
        row = {"family_name": family, "given_name": given, "middle_name": middle,
               "birth_date": dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 33000)),
               "sex": "female" if female else "male",
               "phone": _phone(rng) if rng.random() < 0.8 else "",
               "address": _address(rng), "postal_code": f"{rng.randrange(1000, 99999):05d}"}
        raw.append(row)
        records.append(_typos_person(row, ref, rng, Person))
    truth: set[tuple[int, int]] = set()
    for _dup in range(duplicates):
        source = rng.randrange(people)
        row = dict(raw[source])
        changes = rng.sample(["ocr-family", "ocr-given", "key-family", "key-given", "swap", "no-phone",
                              "no-dob", "year-only", "dob-typo", "phone-typo", "no-address", "second-surname",
                              "postcode-typo", "no-sex"], rng.choice([1, 2, 2, 3, 3]))
        for change in changes:
            if change == "ocr-family":
                row["family_name"] = ocr_typo(row["family_name"], rng)
            elif change == "ocr-given":
                row["given_name"] = ocr_typo(row["given_name"], rng)
            elif change == "key-family":
                row["family_name"] = keyboard_typo(row["family_name"], rng)
            elif change == "key-given":
                row["given_name"] = keyboard_typo(row["given_name"], rng)
            elif change == "swap":
                row["family_name"], row["given_name"] = row["given_name"], row["family_name"]
            elif change == "no-phone":
                row["phone"] = ""
            elif change == "no-dob":
                row["birth_date"] = None
            elif change == "year-only" and row["birth_date"]:
                row["birth_date"] = str(row["birth_date"].year)
            elif change == "dob-typo" and isinstance(row["birth_date"], dt.date):
                row["birth_date"] = _date_typo(row["birth_date"], rng)
            elif change == "phone-typo" and row["phone"]:
                i = rng.choice([i for i, ch in enumerate(row["phone"]) if ch.isdigit()][3:])
                row["phone"] = row["phone"][:i] + str(rng.randrange(10)) + row["phone"][i + 1:]
            elif change == "no-address":
                row["address"] = None
            elif change == "second-surname" and " " in row["family_name"]:
                row["family_name"] = row["family_name"].split()[0]
            elif change == "postcode-typo":
                code = row["postal_code"]
                row["postal_code"] = code[:4] + str((int(code[4]) + 1) % 10)
            elif change == "no-sex":
                row["sex"] = ""
        if rng.random() < 0.3:
            row["family_name"], row["given_name"] = row["family_name"].upper(), row["given_name"].upper()
        ref = len(records)
        records.append(_typos_person(row, ref, rng, Person))
        truth.add((source, ref))
    return records, _close(truth)


def _typos_person(row: dict[str, Any], ref: int, rng: random.Random, person: Any) -> Any:
    return person.of(family_name=row["family_name"], given_name=row["given_name"], middle_name=row["middle_name"],
                     birth_date=row["birth_date"], sex=row["sex"], phone=row["phone"],
                     address_line=_write_address(row["address"], rng) if row["address"] else "",
                     postal_code=row["postal_code"], ref=ref)


def generate_households(people: int, duplicates: int, seed: int) -> tuple[list[Any], set[tuple[int, int]]]:
    from faker import Faker

    from clinicdesk.patients.matching import Person

    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    nicknames = {"William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Peggy", "James": "Jim",
                 "Katherine": "Kate", "Richard": "Dick", "Thomas": "Tom", "Jennifer": "Jenny", "Michael": "Mike",
                 "Christopher": "Chris", "Patricia": "Patty", "Joseph": "Joe", "Susan": "Sue", "Daniel": "Dan"}
    records: list[Person] = []
    rows: list[dict[str, Any]] = []

    def add(row: dict[str, Any]) -> None:
        rows.append(row)
        records.append(Person.of(**row, ref=len(records)))

    while len(records) < people:
        family = fake.last_name()
        address = fake.street_address()
        postal = fake.postcode()
        phone = _phone(rng)
        email_base = f"{family.lower()}.family{rng.randrange(1000)}@example.net" if rng.random() < 0.4 else ""
        parent_birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 12000))
        size = rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6])
        taken: set[str] = set()
        for member in range(size):
            female = rng.random() < 0.5
            if member == 0:
                birth = parent_birth
            elif member == 1:
                birth = parent_birth + dt.timedelta(days=rng.randrange(-2000, 2000))
            else:
                birth = parent_birth + dt.timedelta(days=rng.randrange(7000, 14000))
            given = ""
            while not given or given in taken:  # parents do not give two children one first name
                given = (rng.choice(list(nicknames)) if rng.random() < 0.3 else
                         fake.first_name_female() if female else fake.first_name_male())
            taken.add(given)
            row = {"family_name": family, "given_name": given, "birth_date": birth,
                   "sex": "female" if female else "male", "phone": phone if rng.random() < 0.9 else "",
                   "email": email_base if rng.random() < 0.7 else "", "address_line": address,
                   "postal_code": postal, "middle_name": ""}
            add(row)
            if member >= 2 and rng.random() < 0.15 and len(records) < people:  # a twin
                female = rng.random() < 0.5
                other = fake.first_name_female() if female else fake.first_name_male()
                while other.lower()[:3] == given.lower()[:3]:
                    other = fake.first_name_female() if female else fake.first_name_male()
                add({**row, "given_name": other, "sex": "female" if female else "male"})
            if member == 0 and rng.random() < 0.1 and len(records) < people:  # a junior named after a parent
                add({**row, "birth_date": birth + dt.timedelta(days=rng.randrange(7000, 12000)),
                     "middle_name": "Jr"})
            if len(records) >= people:
                break
    truth: set[tuple[int, int]] = set()
    originals = len(records)
    for _dup in range(duplicates):
        source = rng.randrange(originals)
        row = dict(rows[source])
        for change in rng.sample(["typo-family", "typo-given", "nickname", "no-phone", "moved", "no-email",
                                  "transpose", "no-dob"], rng.choice([1, 1, 2, 2, 3])):
            if change == "typo-family":
                row["family_name"] = keyboard_typo(row["family_name"], rng)
            elif change == "typo-given":
                row["given_name"] = keyboard_typo(row["given_name"], rng)
            elif change == "nickname" and row["given_name"] in nicknames:
                row["given_name"] = nicknames[row["given_name"]]
            elif change == "no-phone":
                row["phone"] = ""
            elif change == "moved":
                row["address_line"], row["postal_code"] = fake.street_address(), fake.postcode()
                row["phone"] = _phone(rng) if rng.random() < 0.5 else row["phone"]
            elif change == "no-email":
                row["email"] = ""
            elif change == "transpose" and row["birth_date"] and row["birth_date"].day <= 12:
                row["birth_date"] = row["birth_date"].replace(month=row["birth_date"].day,
                                                              day=row["birth_date"].month)
            elif change == "no-dob":
                row["birth_date"] = None
        ref = len(records)
        add(row)
        truth.add((source, ref))
    return records, _close(truth)


GENERATORS = {"ours": generate_ours, "typos": generate_typos, "households": generate_households}


def evaluate(records: list[Any], truth: set[tuple[int, int]], thresholds: dict[str, float],
             model: Any = None) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 of the worklist's pair finder at each threshold (one pass over the pairs)."""
    from clinicdesk.patients.matching import find_duplicate_pairs

    scored = find_duplicate_pairs(records, threshold=min(thresholds.values()), model=model)
    out = {}
    for label, threshold in thresholds.items():
        found = {(a, b) for a, b, result in scored if result.score >= threshold}
        hits = len(found & truth)
        precision = hits / len(found) if found else 1.0
        recall = hits / len(truth) if truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "flagged": len(found), "right": hits,
                      "truth": len(truth), "threshold": threshold}
    return out


def run(people: int, duplicates: int, seed: int, names: list[str] | None = None, *, defaults: bool = True,
        random_pairs: int | None = None) -> dict[str, dict[str, Any]]:
    """Per generator: train on its records (EM), then evaluate at both thresholds with the learned weights
    (and, with `defaults`, the shipped ones)."""
    from clinicdesk.patients import matching_model
    from clinicdesk.patients.matching import LIKELY, POSSIBLE
    from clinicdesk.patients.matching_em import RANDOM_PAIRS, train

    thresholds = {"LIKELY": LIKELY, "POSSIBLE": POSSIBLE}
    results: dict[str, dict[str, Any]] = {}
    for name in names or list(GENERATORS):
        records, truth = GENERATORS[name](people, duplicates, seed)
        started = time.perf_counter()
        model = train(records, source=f"bench:{name}", random_pairs=random_pairs or RANDOM_PAIRS)
        trained = time.perf_counter() - started
        results[name] = {"records": len(records), "truth": len(truth), "train_seconds": trained, "model": model}
        for label, weights in (("learned", model), ("defaults", matching_model.DEFAULT))[: 2 if defaults else 1]:
            for level, value in evaluate(records, truth, thresholds, weights).items():
                results[name][f"{label}:{level}"] = value
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--duplicates", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", nargs="*", choices=list(GENERATORS))
    args = parser.parse_args()
    import django

    django.setup()
    results = run(args.people, args.duplicates, args.seed, args.only)
    for name, result in results.items():
        print(f"{name}: {result['records']} records, {result['truth']} true pairs, "
              f"EM {result['train_seconds']:.1f} s (seed {args.seed}); model: {result['model'].source}")
        for key, value in result.items():
            if ":" not in key:
                continue
            label, level = key.split(":")
            print(f"  {label:8} {level:8} >= {value['threshold']:4.1f}: precision {value['precision']:.3f} recall "
                  f"{value['recall']:.3f} F1 {value['f1']:.3f} ({value['flagged']} flagged, {value['right']} right)")


if __name__ == "__main__":
    main()
