"""Portal self-booking on PostgreSQL (issue #23, Speed): the options page with 100 providers and ~1,000,000
appointments (bench_scheduling_common's data set), and the locust set-up for 200 patients booking at once.

    .venv/bin/python bench/bench_portal_booking.py [--runs 100] [--rebuild]        # options page p95
    .venv/bin/python bench/bench_portal_booking.py --sessions 200 var/portal-load.json   # for bench/load/
    .venv/bin/python bench/bench_portal_booking.py --double-bookings                 # after a locust run

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinicdesk_bench_portal  (the default)

The options page is measured through the real view (`GET /portal/book/<type>/`, Django's test client with a
portal session cookie): the portal's rule, the desk's first-available search (scheduling.selectors.slots_search,
the one search path), the audit entry and the template. Target: p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import statistics
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_portal")
# Production settings (DEBUG off, manifest static files): collected once into var/bench-static.
os.environ.setdefault("STATIC_ROOT", str(Path(__file__).resolve().parents[1] / "var" / "bench-static"))

from bench_scheduling_common import ensure_data, percentile, setup_django


def _portal_setup(data: dict) -> int:
    """The follow-up visit bookable online by anyone (60 days ahead, 24 h notice); its type id."""
    from clinicdesk.core import clock
    from clinicdesk.portal.models import PortalBookingRule

    kind = data["types"]["follow-up"]
    PortalBookingRule.objects.update_or_create(appointment_type=kind, defaults={
        "bookable": True, "who": "anyone", "max_days_ahead": 60, "min_notice_hours": 24, "max_open_bookings": 20,
        "updated_at": clock.now()})
    return kind.pk


def _sessions(count: int, *, offset: int = 0) -> list[dict]:
    """`count` portal sessions for distinct bench patients (their cookie values)."""
    from clinicdesk.core import clock
    from clinicdesk.patients.models import Patient
    from clinicdesk.portal.models import PortalSession

    now = clock.now()
    patients = list(Patient.objects.filter(mrn__isnull=False).order_by("pk")[offset:offset + count])
    rows, keys = [], []
    for patient in patients:
        key = secrets.token_urlsafe(32)
        rows.append(PortalSession(key_hash=hashlib.sha256(key.encode()).hexdigest(), patient=patient, subject=patient,
                                  language="en", created_at=now, last_seen_at=now))
        keys.append({"patient": patient.pk, "cookie": key})
    PortalSession.objects.bulk_create(rows)
    return keys


def measure_options(type_id: int, runs: int, warmup: int = 5) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from clinicdesk.portal.actor import COOKIE_NAME

    sessions = _sessions(runs + warmup, offset=1000)
    timings, cpu, queries = [], [], []
    client = Client()  # one handler, as a server process has (a new Client would load the middleware each time)
    for number, session in enumerate(sessions):
        client.cookies[COOKIE_NAME] = session["cookie"]
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/portal/book/{type_id}/")
            elapsed = (time.perf_counter() - started) * 1000
            elapsed_cpu = (time.process_time() - started_cpu) * 1000
        assert response.status_code == 200, response.status_code
        assert b'name="option"' in response.content, "no times offered"
        if number >= warmup:
            timings.append(elapsed)
            cpu.append(elapsed_cpu)
            queries.append(len(statements))
    return {"runs": len(timings), "p50": statistics.median(timings), "p95": percentile(timings, 0.95),
            "max": max(timings), "queries": statistics.median(queries), "cpu_p50": statistics.median(cpu),
            "cpu_p95": percentile(cpu, 0.95)}


def double_bookings() -> dict[str, int]:
    """Bookings (practitioner, room, patient) overlapping a portal booking (what must never happen), and how many
    the portal made (a self-join of all 3,000,000 rows ran over 4 minutes under load: only the portal's are checked).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM scheduling_resourcebooking a JOIN scheduling_appointment ap ON ap.id = a.appointment_id
              JOIN scheduling_resourcebooking b ON b.resource_kind = a.resource_kind AND b.resource_id = a.resource_id
               AND b.id <> a.id AND b.exclusive
               AND tstzrange(b."start", b."end", '[)') && tstzrange(a."start", a."end", '[)')
             WHERE a.exclusive AND ap.note LIKE 'Booked by the patient%%'""")  # the portal's bookings (gist index)
        overlaps = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM audit_auditentry WHERE action = 'portal.appointment_book'")
        booked = cursor.fetchone()[0]
    return {"overlapping_portal_bookings": overlaps, "portal_bookings": booked}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--sessions", type=int, help="write this many portal sessions for locust, then stop")
    parser.add_argument("out", nargs="?", default="var/portal-load.json")
    parser.add_argument("--double-bookings", action="store_true", help="count overlapping bookings, then stop")
    parser.add_argument("--offset", type=int, default=5000, help="with --sessions: the first bench patient used")
    args = parser.parse_args()
    setup_django(args.rebuild)
    data = ensure_data()
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    type_id = _portal_setup(data)
    if args.double_bookings:
        print(json.dumps(double_bookings()))
        return
    if args.sessions:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        sessions = _sessions(args.sessions, offset=args.offset)
        Path(args.out).write_text(json.dumps({"type_id": type_id, "sessions": sessions}))
        print(f"{args.sessions} portal sessions in {args.out}")
        return
    print(f"appointments in the database: {data['appointments']:,}; load average {os.getloadavg()}")
    result = measure_options(type_id, args.runs)
    print(f"options page (GET /portal/book/{type_id}/), {result['runs']} patients: p50 {result['p50']:.0f} ms, "
          f"p95 {result['p95']:.0f} ms, max {result['max']:.0f} ms, {result['queries']:.0f} queries; "
          f"this process's CPU p50 {result['cpu_p50']:.0f} ms, p95 {result['cpu_p95']:.0f} ms "
          f"(target p95 < 300 ms); load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
