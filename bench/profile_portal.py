"""Where a portal patient's requests spend their time (issue #23, 200 patients booking at once): the options page,
a booking that succeeds and a booking refused because the time was taken, each with its queries (count, time, kind)
and this process's CPU, in-process through Django's test client against the portal bench's database
(bench_portal_booking.py builds it: 100 providers, ~1,000,000 appointments).

    .venv/bin/python bench/bench_portal_booking.py --runs 20          # builds clinicdesk_bench_portal
    .venv/bin/python bench/profile_portal.py [--cprofile 30] [--rounds 30]

Run it with PYTHONPATH=<tree>/src to profile another checkout (e.g. a `git worktree` of the previous commit).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_portal")
sys.path.insert(0, os.path.dirname(__file__))

from bench_portal_booking import _portal_setup, _sessions
from bench_scheduling_common import ensure_data, setup_django
from profile_booking import report

OPTION = re.compile(r'name="option" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cprofile", type=int, default=30, help="lines of cProfile output (cumulative)")
    parser.add_argument("--rounds", type=int, default=30, help="patients measured without the profiler")
    parser.add_argument("--offset", type=int, default=20000, help="first bench patient used (fresh sessions)")
    args = parser.parse_args()
    setup_django(False)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clinicdesk.patients.models import Patient
    from clinicdesk.portal.actor import COOKIE_NAME

    type_id = _portal_setup(ensure_data())
    path = f"/portal/book/{type_id}/"
    # Every patient here has the same home location, so a time offered to one is a time another could book.
    home = Patient.objects.filter(mrn__isnull=False).order_by("pk")[args.offset].home_location_id
    candidates = _sessions(8 * (args.rounds + 30), offset=args.offset + int(time.time()) % 5000)
    homes = dict(Patient.objects.filter(pk__in=[s["patient"] for s in candidates])
                 .values_list("pk", "home_location_id"))
    sessions = [s for s in candidates if homes[s["patient"]] == home][:args.rounds + 30]
    client = Client()  # one handler, as a server process has

    def page(session: dict) -> tuple[str, str]:
        client.cookies[COOKIE_NAME] = session["cookie"]
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        text = response.content.decode()
        return OPTION.findall(text)[0], KEY.search(text).group(1)  # type: ignore[union-attr]

    def book(option: str, key: str, expect: int) -> None:
        response = client.post(path, {"option": option, "idempotency_key": key})
        assert response.status_code == expect, (response.status_code, response.content[:300])

    page(sessions[0])  # warm
    timed = {"options page": [], "book (booked)": [], "book (taken)": []}  # type: dict[str, list[float]]
    for number, session in enumerate(sessions[1:1 + args.rounds]):
        cpu = time.process_time()
        option, key = page(session)
        timed["options page"].append(time.process_time() - cpu)
        cpu = time.process_time()
        book(option, key, 302)
        timed["book (booked)"].append(time.process_time() - cpu)
        other = sessions[-1 - number]
        client.cookies[COOKIE_NAME] = other["cookie"]
        cpu = time.process_time()
        book(option, f"taken-{number}-{time.time()}", 409)
        timed["book (taken)"].append(time.process_time() - cpu)
    for label, values in timed.items():
        values.sort()
        print(f"{label:<16} CPU of this process: median {values[len(values) // 2] * 1000:5.1f} ms, "
              f"max {values[-1] * 1000:5.1f} ms ({len(values)} requests)")

    spare = sessions[1 + args.rounds:]
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        option, key = page(spare[0])
        wall = (time.perf_counter() - started) * 1000
    report("options page (GET /portal/book/<type>/)", captured.captured_queries, wall)
    for query in captured.captured_queries:
        print(f"     {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        book(option, key, 302)
        wall = (time.perf_counter() - started) * 1000
    report("a booking (POST, booked)", captured.captured_queries, wall)
    for query in captured.captured_queries:
        print(f"     {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
    client.cookies[COOKIE_NAME] = spare[1]["cookie"]
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        book(option, "taken-profile", 409)
        wall = (time.perf_counter() - started) * 1000
    report("a booking refused, the time taken (POST, 409 and the page again)", captured.captured_queries, wall)

    profiler = cProfile.Profile()
    profiler.enable()
    for session in spare[2:12]:
        option, key = page(session)
        book(option, key, 302)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(r"clinicdesk|django", args.cprofile)
    print("\n10 options pages and bookings under cProfile")
    print(stream.getvalue())


if __name__ == "__main__":
    main()
