"""Where one FHIR booking and one desk patient search spend their time (docs/adr/0006): the queries (count, time,
kind), and the CPU (cProfile), in-process through Django's test client against a scratch PostgreSQL database
built by bench_fhir_booking_http.py (its 20 providers, 1,000 patients).

    .venv/bin/python bench/bench_fhir_booking_http.py --tree after=. --rounds 1 ...   # builds the database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinicdesk_bench_fbook_after \
        .venv/bin/python bench/profile_booking.py [--cprofile 25]

Run it with PYTHONPATH=<tree>/src to profile another checkout (e.g. a `git worktree` of the previous commit).
"""

from __future__ import annotations

import argparse
import base64
import collections
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import re
import sys
import time
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
os.environ.setdefault("RATELIMIT_FHIR", "off")
os.environ.setdefault("RATELIMIT_OAUTH", "off")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def _kind(sql: str) -> str:
    words = sql.lstrip().split(None, 2)
    verb = words[0].upper() if words else "?"
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return "transaction control"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
    lock = " FOR UPDATE" if "FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql else ""
    return f"{verb} {table.group(1) if table else ''}{lock}"


def report(label: str, queries: list[dict], wall: float) -> None:
    total = sum(float(q["time"]) for q in queries) * 1000
    print(f"\n== {label}: {len(queries)} queries, {total:.1f} ms in the database of {wall:.1f} ms wall")
    kinds: collections.Counter = collections.Counter()
    times: collections.Counter = collections.Counter()
    for query in queries:
        kind = _kind(query["sql"])
        kinds[kind] += 1
        times[kind] += float(query["time"]) * 1000
    for kind, count in kinds.most_common():
        print(f"  {count:3d} x {kind:<60} {times[kind]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cprofile", type=int, default=25, help="lines of cProfile output (cumulative)")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clinicdesk.accounts.models import User
    from clinicdesk.core.permissions import Role
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Practitioner

    location = Location.objects.get(code="bb")
    providers = list(Practitioner.objects.filter(locations=location).order_by("pk"))
    patients = list(Patient.objects.order_by("pk")[:50])
    out = io.StringIO()
    call_command("fhir-client", "create", f"Profile {time.time():.0f}", "--scopes", "system/Appointment.cruds",
                 stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    http = Client()
    basic = base64.b64encode(f"{lines['client_id']}:{lines['client_secret']}".encode()).decode()
    token = http.post("/o/token/", {"grant_type": "client_credentials"},
                      HTTP_AUTHORIZATION=f"Basic {basic}").json()["access_token"]
    tz = ZoneInfo(location.time_zone)
    day = dt.date.today() + dt.timedelta(days=random.randrange(200, 900))  # far from the HTTP bench's slots

    def booking(n: int) -> dict:
        start = dt.datetime.combine(day, dt.time(8), tz) + dt.timedelta(minutes=20 * (n // len(providers)))
        return {"resourceType": "Appointment", "status": "booked", "start": start.isoformat(),
                "serviceType": [{"coding": [{"system": "urn:clinicdesk:appointment-type", "code": "follow-up"}]}],
                "participant": [{"actor": {"reference": f"Patient/{patients[n].pk}"}, "status": "accepted"},
                                {"actor": {"reference": f"Practitioner/{providers[n % len(providers)].pk}"},
                                 "status": "accepted"},
                                {"actor": {"reference": f"Location/{location.pk}"}, "status": "accepted"}]}

    def book(n: int) -> None:
        response = http.post("/fhir/r4/Appointment", json.dumps(booking(n)), content_type="application/fhir+json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 201, response.content[:500]

    book(0)  # warm
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        book(1)
        wall = (time.perf_counter() - started) * 1000
    report("one FHIR booking (POST Appointment)", captured.captured_queries, wall)
    for query in captured.captured_queries:
        print(f"     {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
    cpu, started = time.process_time(), time.perf_counter()
    for n in range(12, 42):
        book(n)
    print(f"\n30 bookings without the profiler: {(time.process_time() - cpu) * 1000 / 30:.1f} ms of this process's CPU"
          f" and {(time.perf_counter() - started) * 1000 / 30:.1f} ms wall each")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(2, 12):
        book(n)
    profiler.disable()
    print(f"\n10 bookings under cProfile: {(time.perf_counter() - started) * 100:.1f} ms each")
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(r"clinicdesk|django/db|oauth2",
                                                                                  args.cprofile)
    print(stream.getvalue())

    clerk, _ = User.objects.get_or_create(username="profile-desk", defaults={"role": Role.FRONT_DESK})
    clerk.locations.add(location)
    desk = Client()
    desk.force_login(clerk)
    desk.post("/patients/", {"q": "Family12"}, HTTP_HX_REQUEST="true")  # warm
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = desk.post("/patients/", {"q": "Family13"}, HTTP_HX_REQUEST="true")
        wall = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    report("one desk patient search (POST /patients/ q=Family13, htmx)", captured.captured_queries, wall)
    for query in captured.captured_queries:
        print(f"     {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(10):
        desk.post("/patients/", {"q": f"Family{20 + n}"}, HTTP_HX_REQUEST="true")
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(r"clinicdesk|django", args.cprofile)
    print(stream.getvalue())


if __name__ == "__main__":
    main()
