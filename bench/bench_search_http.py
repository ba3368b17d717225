"""Patient search over HTTP on PostgreSQL (issue #16: "desk patient search and FHIR Patient?name= at 1,000 and
100,000 patients: p95 under 50 ms over HTTP"), for one or several code trees in ONE run, rounds alternating.

    git worktree add --detach /tmp/search-before HEAD     # the previous code, read-only
    .venv/bin/python bench/bench_search_http.py --tree before=/tmp/search-before --tree after=.
    git worktree remove /tmp/search-before

Data: one scratch database per size (clinicdesk_searchhttp_<patients>), built once with the demo builder (the
practice, its staff, the patients; no appointments) and reused (`--rebuild` starts over). The trees share it, so
each tree's migrations must be among this checkout's, which builds it (checked). Each run registers a FHIR system
client (system/Patient.rs).

Per size, gunicorn per tree (3 sync workers, serve's command line; http_trees.py). The desk search is the htmx
POST the patients page makes (`/patients/`, HX-Request, the CSRF token), by a front-desk user signed in through
the sign-in page (each client its own session; front desk needs no second factor, so none is asked). FHIR is
`GET /fhir/r4/Patient?name=...` with a bearer token (client credentials). Queries, drawn from a seed: desk - name
prefixes, "last, first", "first last", one-letter typos, accents dropped, dates of birth, phones, MRNs (the mix of
bench_patients_search.py); FHIR - a family name, a family prefix, a given name, "given family".

Each phase: 1 client, then --clients concurrent clients; p50/p95/max per endpoint, size and tree; the 1-minute
load average before each phase. Rate limits: sign-in off; FHIR counted as in production (no Redis: the
database counters of the tree, the cache before core.rate_counter) at a rate no run reaches (one client address
sends every request).

The "before" tree can also be a plain copy of a commit's src/ (the way the run in RESULTS.md made it):
    mkdir /tmp/before && git archive HEAD src | tar -x -C /tmp/before && ln -s $PWD/node_modules /tmp/before/
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_trees import PG, PYTHON, ROOT, Gunicorn, load_average, tree_env

CSRF_HEADER = "X-CSRFToken"


# --- Inside the working tree (a subprocess): build once, then what the load needs ---------------------------------

def build(patients: int) -> None:
    import io
    import os

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from scratch_db import build_demo_patients

    from clinicdesk.accounts.models import User
    from clinicdesk.core.permissions import Role
    from clinicdesk.demo.builder import DEMO_PASSWORD
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Organization

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not Organization.objects.exists() or not Patient.objects.exists():
        seconds = build_demo_patients(patients)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {patients} patients in {seconds:.0f} s", file=sys.stderr)
    elif (held := Patient.objects.count()) != patients:
        raise SystemExit(f"{os.environ['DATABASE_URL']} holds {held} patients: use --rebuild")
    location = Location.objects.order_by("pk").first()
    clerk = User.objects.filter(role=Role.FRONT_DESK, locations=location, is_active=True).order_by("pk").first()
    assert clerk is not None and not clerk.mfa_required
    sample = list(Patient.objects.filter(home_location=location).order_by("?")[:1500].values(
        "family_name", "given_name", "birth_date", "phone", "mrn", "email"))
    out = io.StringIO()
    call_command("fhir-client", "create", f"Search bench {time.time():.0f}", "--scopes", "system/Patient.rs",
                 stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    print(json.dumps({"username": clerk.username, "password": DEMO_PASSWORD, "client_id": lines["client_id"],
                      "secret": lines["client_secret"], "sample": sample}, default=str))


# --- The driver ---------------------------------------------------------------------------------------------------

def migrations_of(tree: Path) -> set[tuple[str, str]]:
    """(path, digest) of each migration file of a tree."""
    return {(str(path.relative_to(tree)), hashlib.sha256(path.read_bytes()).hexdigest())
            for path in (tree / "src").rglob("migrations/*.py")}


def prepare_data(size: int, rebuild: bool) -> dict[str, Any]:
    from scratch_db import ensure_scratch_database

    url = f"{PG}/clinicdesk_searchhttp_{size}"
    ensure_scratch_database(url, rebuild=rebuild)
    env = tree_env(ROOT, url, name=f"build{size}")
    result = subprocess.run([PYTHON, __file__, "--build", "--patients", str(size)], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"build of {size} patients failed\n{result.stderr[-3000:]}")
    if result.stderr.strip():
        print(result.stderr.strip().splitlines()[-1], flush=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["url"] = url
    return data


def desk_queries(sample: list[dict[str, Any]], count: int, rng: random.Random) -> list[tuple[str, str]]:
    import datetime as dt

    from bench_patients_search import queries_for

    people = [SimpleNamespace(**{**p, "birth_date": dt.date.fromisoformat(p["birth_date"]),
                                 "email": p["email"] or "", "phone": p["phone"] or "(413) 555-0100"})
              for p in sample]
    return [(kind, q) for kind, q in queries_for(people, rng, count * 2) if kind != "email"][:count]


def fhir_queries(sample: list[dict[str, Any]], count: int, rng: random.Random) -> list[tuple[str, str]]:
    from unidecode import unidecode

    out = []
    kinds = ["family", "prefix", "given", "given-family"]
    for n in range(count):
        p = rng.choice(sample)
        family, given = unidecode(p["family_name"]), unidecode(p["given_name"])
        kind = kinds[n % len(kinds)]
        value = {"family": family, "prefix": family[: rng.randint(3, max(3, min(5, len(family))))],
                 "given": given, "given-family": f"{given} {family}"}[kind]
        out.append((kind, value))
    return out


class Site:
    """One tree serving one size."""

    def __init__(self, name: str, path: Path, data: dict[str, Any], workers: int) -> None:
        self.name, self.path, self.data = name, path, data
        # The FHIR rate limit counts as in production (its counter is in the database cache without Redis) but
        # never refuses: one client address sends every request.
        self.server = Gunicorn(path, tree_env(path, data["url"], name=name, RATELIMIT_FHIR="1000000/m"), workers)

    def start(self, clients: int) -> None:
        import httpx

        self.server.start()
        response = httpx.post(f"{self.server.base}/o/token/", data={"grant_type": "client_credentials"},
                              auth=(self.data["client_id"], self.data["secret"]), timeout=120)
        response.raise_for_status()
        self.token = response.json()["access_token"]
        self.sessions = [self.sign_in() for _ in range(clients)]

    def sign_in(self) -> Any:
        import httpx

        http = httpx.Client(base_url=self.server.base, timeout=60)
        http.get("/accounts/login/").raise_for_status()
        response = http.post("/accounts/login/", data={
            "username": self.data["username"], "password": self.data["password"], "next": "/",
            "csrfmiddlewaretoken": http.cookies["csrftoken"]})
        if response.status_code != 302 or response.headers.get("location") != "/":
            raise SystemExit(f"{self.name}: sign-in failed ({response.status_code} {response.headers})")
        page = http.get("/patients/")  # a page the desk opens first; proves the session is fully signed in
        if page.status_code != 200 or "name=\"q\"" not in page.text:
            raise SystemExit(f"{self.name}: the patients page answered {page.status_code}")
        return http

    def stop(self) -> None:
        for http in getattr(self, "sessions", []):
            http.close()
        self.server.stop()


def run_phase(site: Site, endpoint: str, work: list[tuple[str, str]], clients: int) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    empty = 0
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        nonlocal empty
        mine = work[number::clients]
        if endpoint == "desk":
            http = site.sessions[number]
            headers = {"HX-Request": "true", CSRF_HEADER: http.cookies["csrftoken"]}
        else:
            http = httpx.Client(base_url=site.server.base, timeout=60)
            headers = {"Authorization": f"Bearer {site.token}", "Accept": "application/fhir+json"}
        barrier.wait()
        for _kind, q in mine:
            started = time.perf_counter()
            if endpoint == "desk":
                response = http.post("/patients/", data={"q": q}, headers=headers)
                found = "/patients/" in response.text
            else:
                response = http.get("/fhir/r4/Patient", params={"name": q}, headers=headers)
                found = response.status_code == 200 and bool(response.json().get("entry"))
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[response.status_code] += 1
                empty += not found
        if endpoint != "desk":
            http.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    load = load_average()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"tree": site.name, "endpoint": endpoint, "clients": clients, "requests": len(latencies),
            "rate": len(latencies) / wall, "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))], "max": latencies[-1], "statuses": dict(statuses),
            "empty": empty, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--patients", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tree", action="append", default=[], help="name=path (repeat); default after=.")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=100, help="requests per endpoint per phase")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.build:
        build(args.patients)
        return
    trees = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1]).resolve())
             for spec in (args.tree or [f"after={ROOT}"])]
    # The databases are built by this checkout's code: a tree can share them if this checkout has every one of its
    # migrations, unchanged (an older tree then finds the tables it knows, and ignores newer ones).
    if any(not migrations_of(path) <= migrations_of(ROOT) for _name, path in trees):
        raise SystemExit("a tree has migrations this checkout has not: they cannot share the scratch databases")
    print(f"load average at start: {load_average()}", flush=True)
    results: list[dict[str, Any]] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        data = prepare_data(size, args.rebuild)
        rng = random.Random(size)
        sites = [Site(name, path, data, args.workers) for name, path in trees]
        try:
            for site in sites:
                site.start(args.clients)
            for round_ in range(args.rounds):
                order = sites if round_ % 2 == 0 else list(reversed(sites))
                for site in order:
                    for endpoint, make in (("desk", desk_queries), ("fhir", fhir_queries)):
                        for clients in (1, args.clients):
                            work = make(data["sample"], args.requests, rng)
                            if round_ == 0 and clients == 1:  # warm each worker's caches and connection
                                run_phase(site, endpoint, work[:3 * args.workers], 1)
                            result = run_phase(site, endpoint, work, clients)
                            result["size"] = size
                            results.append(result)
                            print(f"{size:>6} round {round_ + 1} {site.name:>7} {endpoint} clients={clients} "
                                  f"{result['rate']:5.1f}/s p50={result['p50']:6.1f} p95={result['p95']:6.1f} "
                                  f"max={result['max']:6.1f} ms {result['statuses']} empty={result['empty']} "
                                  f"load {result['load']}", flush=True)
        finally:
            for site in sites:
                site.stop()
    print(f"\nload average at end: {load_average()}")
    print("medians over rounds (ms):")
    print("| patients | endpoint | clients | tree | p50 | p95 | max | req/s |")
    print("|---|---|---|---|---|---|---|---|")
    for size in sorted({r["size"] for r in results}):
        for endpoint in ("desk", "fhir"):
            for clients in (1, args.clients):
                for name, _path in trees:
                    mine = [r for r in results if (r["size"], r["endpoint"], r["clients"], r["tree"])
                            == (size, endpoint, clients, name)]
                    print(f"| {size:,} | {endpoint} | {clients} | {name} | "
                          f"{statistics.median(r['p50'] for r in mine):.1f} | "
                          f"{statistics.median(r['p95'] for r in mine):.1f} | {max(r['max'] for r in mine):.1f} | "
                          f"{statistics.median(r['rate'] for r in mine):.1f} |")


if __name__ == "__main__":
    main()
