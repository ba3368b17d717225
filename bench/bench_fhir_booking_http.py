"""FHIR booking over HTTP on PostgreSQL: POST Appointment through gunicorn (as `clinicdesk serve` starts it), with
1 and with 16 concurrent clients, for one or several code trees in ONE run, rounds alternating between them.

    git worktree add /tmp/perf-before HEAD     # the previous code, read-only
    .venv/bin/python bench/bench_fhir_booking_http.py --tree before=/tmp/perf-before --tree after=.
    git worktree remove /tmp/perf-before

Each tree gets its own scratch database (clinicdesk_bench_fbook_<name>, rebuilt every run) migrated and filled by
that tree's own code (a subprocess with PYTHONPATH=<tree>/src): one location, 20 providers working 08:00-17:00
every day, 1,000 patients, a follow-up type, a FHIR system client. Each request books a distinct free slot
(provider, start) for a patient who is free then, so every request should answer 201; the run then checks that
the database holds exactly one appointment per 201 and no provider is booked twice at once.

While the 16 clients run, a sampler reads pg_stat_activity every 10 ms: the share of the tree's busy backends that
wait on a lock (wait_event_type 'Lock'), and on what (transactionid, tuple, relation...).
Gunicorn: --workers 3 (serve's default WEB_CONCURRENCY), sync workers, no access log (http_trees.Gunicorn);
RATELIMIT_FHIR=off.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_trees import PG, PYTHON, ROOT, Gunicorn

PROVIDERS, PATIENTS = 20, 1000
DAY_START, DAY_END, SLOT = 8, 17, 20  # 27 slots a day
TZ = "America/New_York"


# --- Inside a tree (a subprocess with that tree's code) ---------------------------------------------------------

def build() -> None:
    """Migrate and fill the scratch database; print the ids the load needs as JSON."""
    import io

    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.core.identifiers import mrn_from_sequence, npi_complete
    from clinicdesk.patients.keys import fill_search_keys
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Organization, Practitioner
    from clinicdesk.scheduling.models import AppointmentType, AvailabilityTemplate

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    org = Organization.objects.create(name="Booking Bench")
    location = Location.objects.create(organization=org, code="bb", name="Bench", address_line="1 Main",
                                       city="Springfield", state="MA", postal_code="01103", phone="1", time_zone=TZ)
    kind = AppointmentType.objects.create(code="follow-up", name="Follow-up", patient_facing_name="Follow-up",
                                          duration_minutes=SLOT)
    providers = Practitioner.objects.bulk_create([
        Practitioner(first_name=f"P{i}", last_name="Bench", npi=npi_complete(f"3{i:08d}")) for i in range(PROVIDERS)])
    for provider in providers:
        provider.locations.add(location)
    today = dt.date.today()
    AvailabilityTemplate.objects.bulk_create([
        AvailabilityTemplate(practitioner=p, location=location, weekday=day, start_time=dt.time(DAY_START),
                             end_time=dt.time(DAY_END), effective_from=today - dt.timedelta(days=30))
        for p in providers for day in range(7)])
    patients = Patient.objects.bulk_create([fill_search_keys(Patient(
        mrn=mrn_from_sequence(800000 + n), family_name=f"Family{n % 97}", given_name=f"Given{n}",
        birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=n * 13), sex="female" if n % 2 else "male",
        home_location=location)) for n in range(PATIENTS)])
    out = io.StringIO()
    call_command("fhir-client", "create", "Bench", "--scopes", "system/Appointment.cruds system/Patient.rs "
                 "system/Slot.rs", stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    print(json.dumps({"location": location.pk, "kind": kind.code, "providers": [p.pk for p in providers],
                      "patients": [p.pk for p in patients], "client_id": lines["client_id"],
                      "secret": lines["client_secret"]}))


# --- The driver ---------------------------------------------------------------------------------------------------

class Tree:
    def __init__(self, name: str, path: Path, workers: int) -> None:
        self.name, self.path, self.workers = name, path.resolve(), workers
        self.db = f"clinicdesk_bench_fbook_{name}"
        self.var = Path(tempfile.mkdtemp(prefix=f"fbook-{name}-"))
        self.env = {**os.environ, "DATABASE_URL": f"{PG}/{self.db}", "PYTHONPATH": str(self.path / "src"),
                    "DJANGO_SETTINGS_MODULE": "clinicdesk.settings", "CLINICDESK_VAR": str(self.var),
                    "RATELIMIT_FHIR": "off", "RATELIMIT_OAUTH": "off", "DEBUG": "false", "LOG_LEVEL": "WARNING",
                    "TASK_BACKEND": "database"}
        self.env.pop("REDIS_URL", None)
        self.slot = 0  # the next free (provider, start) to hand out
        self.server: Gunicorn | None = None

    def prepare(self) -> None:
        sys.path.insert(0, str(ROOT / "bench"))
        from scratch_db import ensure_scratch_database

        ensure_scratch_database(f"{PG}/{self.db}", rebuild=True)
        result = subprocess.run([PYTHON, __file__, "--build"], env=self.env, cwd=self.path, capture_output=True,
                                text=True, check=False)
        if result.returncode:
            raise SystemExit(f"{self.name}: build failed\n{result.stderr[-3000:]}")
        self.data = json.loads(result.stdout.strip().splitlines()[-1])
        self.server = Gunicorn(self.path, self.env, self.workers, static=False)
        self.server.start()
        import httpx

        response = httpx.post(f"{self.base}/o/token/", data={"grant_type": "client_credentials"},
                              auth=(self.data["client_id"], self.data["secret"]), timeout=120)
        response.raise_for_status()
        self.token = response.json()["access_token"]

    @property
    def base(self) -> str:
        assert self.server is not None
        return self.server.base

    def next_bookings(self, count: int) -> list[dict]:
        """`count` distinct free slots, each with a patient free then (slot n: provider n % 20, patient n % 1000)."""
        from zoneinfo import ZoneInfo

        tz, first = ZoneInfo(TZ), dt.date.today() + dt.timedelta(days=1)
        per_day = (DAY_END - DAY_START) * 60 // SLOT
        bodies = []
        for n in range(self.slot, self.slot + count):
            provider = self.data["providers"][n % PROVIDERS]
            index = n // PROVIDERS
            day, slot = first + dt.timedelta(days=index // per_day), index % per_day
            start = dt.datetime.combine(day, dt.time(DAY_START), tz) + dt.timedelta(minutes=SLOT * slot)
            patient = self.data["patients"][n % PATIENTS]
            bodies.append({"resourceType": "Appointment", "status": "booked", "start": start.isoformat(),
                           "serviceType": [{"coding": [{"system": "urn:clinicdesk:appointment-type",
                                                        "code": self.data["kind"]}]}],
                           "participant": [{"actor": {"reference": f"Patient/{patient}"}, "status": "accepted"},
                                           {"actor": {"reference": f"Practitioner/{provider}"}, "status": "accepted"},
                                           {"actor": {"reference": f"Location/{self.data['location']}"},
                                            "status": "accepted"}]})
        self.slot += count
        return bodies

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def sample_locks(db: str, stop: threading.Event, counts: collections.Counter) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=db, autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute("SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '') FROM "
                                "pg_stat_activity WHERE datname = %s AND state = 'active' AND pid <> "
                                "pg_backend_pid()", (db,)).fetchall()
            counts["samples"] += 1
            for kind, event in rows:
                counts[f"{kind}:{event}" if kind != "CPU" else "CPU"] += 1
            time.sleep(0.01)


def run_load(tree: Tree, clients: int, per_client: int) -> dict:
    import httpx

    bodies = tree.next_bookings(clients * per_client)
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Bearer {tree.token}", "Content-Type": "application/fhir+json",
               "Accept": "application/fhir+json"}

    def client(number: int) -> None:
        mine = bodies[number::clients]
        with httpx.Client(base_url=tree.base, headers=headers, timeout=60) as http:
            barrier.wait()
            for body in mine:
                started = time.perf_counter()
                response = http.post("/fhir/r4/Appointment", content=json.dumps(body))
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] += 1

    waits: collections.Counter = collections.Counter()
    stop = threading.Event()
    sampler = threading.Thread(target=sample_locks, args=(tree.db, stop, waits))
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    sampler.start()
    cpu_before = os.times()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = os.times()
    stop.set()
    sampler.join()
    latencies.sort()
    busy = sum(v for k, v in waits.items() if k != "samples")
    locked = sum(v for k, v in waits.items() if k.startswith("Lock:"))
    return {"tree": tree.name, "clients": clients, "requests": len(latencies), "wall": wall,
            "throughput": len(latencies) / wall, "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))], "max": latencies[-1], "statuses": dict(statuses),
            "lock_share": locked / busy if busy else 0.0,
            "lock_events": {k: v for k, v in waits.most_common() if k.startswith("Lock:")},
            "busy_backends": busy / max(waits["samples"], 1),
            "driver_cpu": (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)}


def check(tree: Tree, created: int) -> str:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=tree.db) as conn:
        appointments = conn.execute("SELECT count(*) FROM scheduling_appointment").fetchone()[0]
        doubled = conn.execute("SELECT count(*) FROM (SELECT practitioner_id, start FROM scheduling_appointment "
                               "GROUP BY 1, 2 HAVING count(*) > 1) AS d").fetchone()[0]
        audit = conn.execute("SELECT count(*), count(position) FROM audit_auditentry").fetchone()
    assert appointments == created and doubled == 0, (tree.name, appointments, created, doubled)
    return f"{appointments} appointments, none doubled; audit entries {audit[0]} ({audit[1]} sealed)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", action="append", default=[], help="name=path (repeat); default after=.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--single", type=int, default=60, help="requests of the 1-client phase")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if args.build:
        build()
        return
    trees = [Tree(*spec.split("=", 1)[:1], Path(spec.split("=", 1)[1]), args.workers)
             for spec in (args.tree or [f"after={ROOT}"])]
    results: list[dict] = []
    try:
        for tree in trees:
            tree.prepare()
        for round_ in range(args.rounds):
            order = trees if round_ % 2 == 0 else list(reversed(trees))
            for tree in order:
                for clients, per in ((1, args.single), (args.clients, args.per_client)):
                    result = run_load(tree, clients, per)
                    results.append(result)
                    print(f"round {round_ + 1} {tree.name:>8} clients={clients:>2} {result['throughput']:6.1f}/s "
                          f"p50={result['p50']:6.1f} ms p95={result['p95']:7.1f} ms statuses={result['statuses']} "
                          f"busy backends={result['busy_backends']:.1f} waiting on a lock={result['lock_share']:.0%} "
                          f"{result['lock_events']} driver CPU={result['driver_cpu']:.1f} s", flush=True)
        print("\nmedians over rounds:")
        for tree in trees:
            for clients in (1, args.clients):
                mine = [r for r in results if r["tree"] == tree.name and r["clients"] == clients]
                print(f"  {tree.name:>8} clients={clients:>2}: "
                      f"{statistics.median(r['throughput'] for r in mine):6.1f} bookings/s, "
                      f"p50 {statistics.median(r['p50'] for r in mine):6.1f} ms, "
                      f"p95 {statistics.median(r['p95'] for r in mine):7.1f} ms, "
                      f"lock waits {statistics.median(r['lock_share'] for r in mine):.0%} of busy backends")
            created = sum(r["statuses"].get(201, 0) for r in results if r["tree"] == tree.name)
            print(f"  {tree.name:>8} check: {check(tree, created)}")
    finally:
        for tree in trees:
            tree.stop()


if __name__ == "__main__":
    main()
