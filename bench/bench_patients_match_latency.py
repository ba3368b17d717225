"""Patient matching latency at 100,000 patients on PostgreSQL (issue #17): the scorer's cost per candidate
(in process) and FHIR `Patient/$match` p50/p95 for the whole request (bearer token check, blocking query,
scoring, visibility, versions, audit entry, JSON) through Django's test client.

    .venv/bin/python bench/bench_patients_match_latency.py                  # build once (reused), then measure
    .venv/bin/python bench/bench_patients_match_latency.py --rebuild --queries 300

Scratch database: BENCH_MATCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/clinicdesk_bench_match).
Data: 100,000 patients with Faker names (en_US, es_MX), birth dates, phones, half with e-mail, addresses and
ZIP codes. Probes: existing patients spoilt the way bench/matching_generators.py spoils them (a typo, a
nickname, no phone, swapped day/month), plus unknown people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

from scratch_db import ensure_scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_match"
PATIENTS = 100_000


def setup_django(rebuild: bool) -> None:
    url = os.environ.get("BENCH_MATCH_DATABASE_URL", DEFAULT_URL)
    ensure_scratch_database(url, rebuild=rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()


def build(wanted: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from faker import Faker

    from clinicdesk.core.identifiers import mrn_from_sequence
    from clinicdesk.patients.keys import fill_search_keys
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Organization

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the rate limiter's counters
    if Organization.objects.filter(name="Match Bench Group").exists():
        return
    started = time.perf_counter()
    rng = random.Random(7)
    fakes = [Faker("en_US"), Faker("es_MX")]
    for index, fake in enumerate(fakes):
        fake.seed_instance(7 + index)
    with transaction.atomic():
        org = Organization.objects.create(name="Match Bench Group")
        location = Location.objects.create(organization=org, code="mb0", name="Match Bench", address_line="1 Main",
                                           city="Springfield", state="MA", postal_code="01103", phone="1",
                                           time_zone="America/New_York")
        batch = []
        for n in range(wanted):
            fake = fakes[0] if rng.random() < 0.75 else fakes[1]
            female = rng.random() < 0.5
            batch.append(fill_search_keys(Patient(
                mrn=mrn_from_sequence(800000 + n), family_name=fake.last_name(),
                given_name=fake.first_name_female() if female else fake.first_name_male(),
                birth_date=dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(33000)),
                sex="female" if female else "male",
                phone=f"({rng.randrange(201, 990)}) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}",
                email=f"p{n}@mail.example" if rng.random() < 0.5 else "",
                address_line=f"{rng.randrange(1, 9999)} {fakes[0].street_name()}",
                postal_code=f"{rng.randrange(1000, 99999):05d}", home_location=location)))
            if len(batch) == 5000:
                Patient.objects.bulk_create(batch)
                batch.clear()
        Patient.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{wanted} patients in {time.perf_counter() - started:.0f} s", flush=True)


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _probe(patient: object, rng: random.Random) -> dict[str, object]:
    from matching_generators import keyboard_typo

    family, given = patient.family_name, patient.given_name  # type: ignore[attr-defined]
    birth: dt.date = patient.birth_date  # type: ignore[attr-defined]
    phone = patient.phone  # type: ignore[attr-defined]
    spoil = rng.choice(["none", "typo", "no-phone", "transpose", "unknown"])
    if spoil == "typo":
        family = keyboard_typo(family, rng)
    elif spoil == "no-phone":
        phone = ""
    elif spoil == "transpose" and birth.day <= 12:
        birth = birth.replace(month=birth.day, day=birth.month)
    elif spoil == "unknown":
        given, birth, phone = given + "ette", birth - dt.timedelta(days=1100), "(999) 555-0000"
    resource: dict[str, object] = {"resourceType": "Patient", "name": [{"family": family, "given": [given]}],
                                   "gender": patient.sex, "birthDate": birth.isoformat()}  # type: ignore[attr-defined]
    if phone:
        resource["telecom"] = [{"system": "phone", "value": phone}]
    return {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": resource},
                                                        {"name": "count", "valueInteger": 10}]}


def measure(queries: int) -> None:
    import io
    import json

    from django.core.management import call_command
    from django.test import Client
    from oauth2_provider.models import AccessToken, get_application_model

    from clinicdesk.patients.matching import Person, person_from, score
    from clinicdesk.patients.models import Patient

    rng = random.Random(11)
    sample = list(Patient.objects.order_by("?")[:max(queries, 2000)])
    persons = [person_from(p) for p in sample]
    pairs = [(rng.choice(persons), rng.choice(persons)) for _ in range(20000)]
    started = time.perf_counter()
    for a, b in pairs:
        score(a, b)
    per_pair = (time.perf_counter() - started) / len(pairs) * 1e6
    same = [(p, Person(**{**p.__dict__, "phone": ""})) for p in persons[:5000]]
    started = time.perf_counter()
    for a, b in same:
        score(a, b)
    per_match = (time.perf_counter() - started) / len(same) * 1e6
    print(f"scorer: {per_pair:.1f} us per random pair, {per_match:.1f} us per near-identical pair", flush=True)

    out = io.StringIO()
    call_command("fhir-client", "create", f"match-bench-{time.time():.0f}", "--scopes", "system/Patient.rs",
                 stdout=out)
    client_id = out.getvalue().split("client_id: ")[1].split()[0]
    application = get_application_model().objects.get(client_id=client_id)
    token = AccessToken.objects.create(application=application, token=f"bench-{client_id}",
                                       scope="system/Patient.rs",
                                       expires=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.token}")

    def run(body: dict[str, object]) -> tuple[float, int]:
        begun = time.perf_counter()
        response = client.post("/fhir/r4/Patient/$match", json.dumps(body), content_type="application/fhir+json")
        elapsed = (time.perf_counter() - begun) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed, len(response.json().get("entry", []))

    for patient in sample[:20]:  # warm-up
        run(_probe(patient, rng))
    times, found = [], []
    for patient in sample[:queries]:
        elapsed, entries = run(_probe(patient, rng))
        times.append(elapsed)
        found.append(entries)
    print("| Query | n | p50 | p95 | max | mean entries |\n|---|---|---|---|---|---|")
    print(f"| Patient/$match | {len(times)} | {statistics.median(times):.1f} ms | {pct(times, 0.95):.1f} ms | "
          f"{max(times):.1f} ms | {statistics.mean(found):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--patients", type=int, default=PATIENTS, help="when building (a smaller set for a smoke run)")
    args = parser.parse_args()
    setup_django(args.rebuild)
    build(args.patients)
    from clinicdesk.patients.models import Patient

    print(f"{Patient.objects.count()} patients", flush=True)
    measure(args.queries)


if __name__ == "__main__":
    main()
