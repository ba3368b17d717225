"""Patient matching latency at 100,000 patients on PostgreSQL (issue #17): the scorer's cost per candidate
(in process) and FHIR `Patient/$match` p50/p95 for the whole request (bearer token check, blocking query,
scoring, visibility, versions, audit entry, JSON) through Django's test client, or with --http over HTTP on
loopback: gunicorn as `clinicdesk serve` starts it (sync workers, DEBUG off), a SMART client-credentials token
from /o/token/, requests sent one after another (each timed from send to the last byte of the answer).

    .venv/bin/python bench/bench_patients_match_latency.py                  # build once (reused), then measure
    .venv/bin/python bench/bench_patients_match_latency.py --rebuild --queries 300
    .venv/bin/python bench/bench_patients_match_latency.py --http --queries 300   # over HTTP (the issue's number)

Over HTTP the FHIR rate limit is off (RATELIMIT_FHIR=off: 300 requests in a few seconds exceed its 600/minute),
and the run also prints the CPU time the server spent per request (gunicorn workers and the PostgreSQL backends
serving them, read from /proc), which a busy machine does not inflate the way it inflates wall-clock times.

Scratch database: BENCH_MATCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/clinicdesk_bench_match).
Data: 100,000 patients with Faker names (en_US, es_MX), birth dates, phones, half with e-mail, addresses and
ZIP codes. Probes: existing patients spoilt the way bench/matching_generators.py spoils them (a typo, a
nickname, no phone, swapped day/month), plus unknown people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_http(queries: int, workers: int) -> None:
    """`Patient/$match` over HTTP: gunicorn on loopback against the scratch database, sequential requests."""
    import io
    import signal
    import subprocess

    import httpx
    from django.core.management import call_command
    from django.db import connection

    from clinicdesk.patients.models import Patient

    rng = random.Random(11)
    sample = list(Patient.objects.order_by("?")[:queries + 50])
    out = io.StringIO()
    call_command("fhir-client", "create", f"match-http-{time.time():.0f}", "--scopes", "system/Patient.rs",
                 stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    connection.close()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RATELIMIT_FHIR": "off", "RATELIMIT_OAUTH": "off",
           "DEBUG": "false", "LOG_LEVEL": "WARNING",
           "CONN_MAX_AGE": "600"}  # the same backend all run long, so its CPU is counted (the default is 60 s)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "clinicdesk.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--no-control-socket"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        ready = 0
        for _ in range(600):  # every worker answers (on a loaded machine they take a while to boot)
            try:
                ready = ready + 1 if httpx.get(f"{base}/healthz", timeout=30).status_code == 200 else 0
            except httpx.HTTPError:
                ready = 0
            if ready >= 3 * workers:
                break
            time.sleep(0.2)
        response = httpx.post(f"{base}/o/token/", data={"grant_type": "client_credentials"},
                              auth=(lines["client_id"], lines["client_secret"]), timeout=120)
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}",
                   "Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            def run(body: dict[str, object]) -> tuple[float, int]:
                payload = json.dumps(body)
                begun = time.perf_counter()
                answer = http.post("/fhir/r4/Patient/$match", content=payload)
                elapsed = (time.perf_counter() - begun) * 1000
                assert answer.status_code == 200, answer.content[:300]
                return elapsed, len(answer.json().get("entry", []))

            for patient in sample[queries:queries + 50]:  # warm-up: every worker, its caches, the model
                run(_probe(patient, rng))
            cpu_before = _server_cpu(server.pid)
            times, found = [], []
            for patient in sample[:queries]:
                elapsed, entries = run(_probe(patient, rng))
                times.append(elapsed)
                found.append(entries)
            cpu_after = _server_cpu(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("| Query | n | p50 | p95 | max | mean entries |\n|---|---|---|---|---|---|")
    print(f"| Patient/$match over HTTP | {len(times)} | {statistics.median(times):.1f} ms | "
          f"{pct(times, 0.95):.1f} ms | {max(times):.1f} ms | {statistics.mean(found):.1f} |")
    web, database = (sum(cpu_after[k].get(pid, 0.0) - cpu_before[k].get(pid, 0.0) for pid in cpu_after[k])
                     for k in ("web", "db"))
    print(f"CPU per request (whatever the load): gunicorn {web / len(times) * 1000:.1f} ms, PostgreSQL backends "
          f"{database / len(times) * 1000:.1f} ms; fastest request {min(times):.1f} ms")


def _server_cpu(server_pid: int) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) used so far by the gunicorn processes and by the PostgreSQL backends serving
    the scratch database (psutil reads /proc: PostgreSQL must run on this machine)."""
    import psutil
    import psycopg

    master = psutil.Process(server_pid)
    web = {p.pid: sum(p.cpu_times()[:2]) for p in [master, *master.children(recursive=True)]}
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'")]
    database = {}
    for pid in pids:
        try:
            database[pid] = sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:
            continue
    return {"web": web, "db": database}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--patients", type=int, default=PATIENTS, help="when building (a smaller set for a smoke run)")
    parser.add_argument("--http", action="store_true", help="over HTTP through gunicorn on loopback (the issue's "
                        "measure) instead of the test client and the scorer")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers with --http")
    args = parser.parse_args()
    setup_django(args.rebuild)
    build(args.patients)
    from clinicdesk.patients.models import Patient

    print(f"{Patient.objects.count()} patients", flush=True)
    if args.http:
        measure_http(args.queries, args.workers)
    else:
        measure(args.queries)


if __name__ == "__main__":
    main()
