"""Patient search at 100,000 patients: p50/p95 of the real selector (`patient_search`, audit write
included) over a few hundred mixed queries, on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_patients_search.py                 # both databases, 100,000 patients
    .venv/bin/python bench/bench_patients_search.py --patients 20000 --databases sqlite

Each database is a scratch one of its own (a file under /tmp, or `clinicdesk_bench_patients` on
PostgreSQL), built once with the demo builder and reused while it holds the asked number of patients
(`--rebuild` starts over). Queries: name prefixes, "last, first", "first last", one-letter typos and
swaps, accents dropped, dates of birth in four formats, phones in four formats, MRNs and e-mails.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 user=postgres dbname=postgres connect_timeout=3"
DATABASES = {
    "sqlite": "sqlite:////tmp/clinicdesk_bench_patients.sqlite3",
    "postgres": "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_patients",
}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice("aeiourn") + word[i + 1:]  # one wrong letter


def queries_for(patients: list, rng: random.Random, count: int) -> list[tuple[str, str]]:
    from unidecode import unidecode

    out: list[tuple[str, str]] = []
    kinds = ["prefix", "last-first", "first-last", "typo", "typo-last-first", "accents", "dob", "phone", "mrn",
             "email"]
    while len(out) < count:
        p = rng.choice(patients)
        kind = kinds[len(out) % len(kinds)]
        family, given = p.family_name, p.given_name
        if kind == "prefix":
            q = family[: rng.randint(3, max(3, len(family)))]
        elif kind == "last-first":
            q = f"{family}, {given[:3]}"
        elif kind == "first-last":
            q = f"{given} {family}"
        elif kind == "typo":
            q = _typo(family.split()[0], rng)
        elif kind == "typo-last-first":
            q = f"{_typo(family.split()[0], rng)}, {given}"
        elif kind == "accents":
            q = unidecode(f"{family}, {given}").upper()
        elif kind == "dob":
            q = p.birth_date.strftime(rng.choice(["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%m/%d/%y"]))
        elif kind == "phone":
            d = "".join(ch for ch in p.phone if ch.isdigit())
            q = rng.choice([p.phone, d, f"{d[:3]}.{d[3:6]}.{d[6:]}", f"+1 {d[:3]} {d[3:6]} {d[6:]}"])
        elif kind == "mrn":
            q = p.mrn
        else:
            if not p.email:
                continue
            q = p.email.upper()
        out.append((kind, q))
    return out


def child(patients: int, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from scratch_db import build_demo_patients

    from clinicdesk.accounts.models import User
    from clinicdesk.core.permissions import Role
    from clinicdesk.patients.models import Patient
    from clinicdesk.patients.selectors import patient_search
    from clinicdesk.practice.models import Location, Organization

    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        print(f"  built {patients} patients in {build_demo_patients(patients):.0f} s", flush=True)
    elif Patient.objects.count() != patients:
        raise SystemExit(f"the scratch database holds {Patient.objects.count()} patients: use --rebuild")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    location = Location.objects.order_by("pk").first()
    clerk = User.objects.filter(role=Role.FRONT_DESK, locations=location).first()
    rng = random.Random(11)
    sample = list(Patient.objects.filter(home_location=location).order_by("?")[:2000])
    workload = queries_for(sample, rng, count)
    for _kind, q in workload[:20]:  # warm caches
        patient_search(actor=clerk, query=q)
    timings: dict[str, list[float]] = {}
    found = 0
    for kind, q in workload:
        start = time.perf_counter()
        result = patient_search(actor=clerk, query=q)
        timings.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        found += bool(result)
    every = sorted(t for ts in timings.values() for t in ts)

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]

    print(f"  {len(every)} queries: p50 {pct(every, 50):.1f} ms, p95 {pct(every, 95):.1f} ms, "
          f"max {every[-1]:.1f} ms; {found} found something")
    for kind, values in timings.items():
        print(f"    {kind:16} p50 {statistics.median(values):6.1f} ms  p95 {pct(sorted(values), 95):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.patients, args.queries)
        return
    for name in args.databases.split(","):
        if name == "postgres":
            import psycopg

            try:
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    if args.rebuild:
                        admin.execute("DROP DATABASE IF EXISTS clinicdesk_bench_patients")
                    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname='clinicdesk_bench_patients'")
                    if exists.fetchone() is None:
                        admin.execute("CREATE DATABASE clinicdesk_bench_patients")
            except psycopg.OperationalError as error:
                print(f"{name}: skipped, PostgreSQL not reachable ({error})")
                continue
        elif args.rebuild:
            Path(DATABASES[name].removeprefix("sqlite:///")).unlink(missing_ok=True)
        print(f"{name}: {args.patients} patients", flush=True)
        env = {**os.environ, "DATABASE_URL": DATABASES[name], "CLINICDESK_VAR": "/tmp/clinicdesk_bench_var"}
        command = [sys.executable, __file__, "--child", "--patients", str(args.patients), "--queries",
                   str(args.queries)]
        subprocess.run(command, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
