"""Calendar day view: 20 providers with 20 appointments each, rendered as a front-desk user.

    .venv/bin/python bench/bench_calendar_day.py [--runs 200] [--rebuild] [--sqlite] [--freeze]

The page is `/schedule/day/?location=..&day=..` through Django's test client (session and user lookup,
every middleware, the `calendar_day` selector with its audit entry, the grid and the template, with the
production settings: DEBUG off, manifest static files collected into var/bench-static), so the time is
server time without the network. Target (the old timed test): under 200 ms.

Scratch database, built once from the test factories and reused (`--rebuild` starts over):
BENCH_CALENDAR_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clinicdesk_bench_calendar;
`--sqlite` uses var/bench-calendar.sqlite3 instead. The clock is frozen on the Monday before the day
(as in the tests), so every free slot of the day is still bookable and drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from pathlib import Path

from scratch_db import ensure_scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_calendar"
SQLITE_PATH = ROOT / "var" / "bench-calendar.sqlite3"
DAY = dt.date(2026, 11, 24)  # a Tuesday
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
PROVIDERS, PER_PROVIDER = 20, 20
ORGANIZATION = "Calendar Bench Group"


def setup_django(*, sqlite: bool, rebuild: bool) -> str:
    if sqlite:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        if rebuild and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        url = f"sqlite:///{SQLITE_PATH}"
    else:
        url = os.environ.get("BENCH_CALENDAR_DATABASE_URL", DEFAULT_URL)
        ensure_scratch_database(url, rebuild=rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Production settings (manifest static files): collected once into a scratch directory.
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    return url


def ensure_day() -> tuple[object, object]:
    """The location and a front-desk user of it; builds the day with the test factories if missing."""
    from django.core.management import call_command
    from django.db import transaction
    from tests.factories import (
        AppointmentFactory,
        AppointmentTypeFactory,
        LocationFactory,
        OrganizationFactory,
        PatientFactory,
        PractitionerFactory,
        RoomFactory,
        UserFactory,
        weekly_availability,
    )

    from clinicdesk.core.permissions import Role
    from clinicdesk.core.timezones import local_to_utc
    from clinicdesk.practice.models import Location

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the default cache (sessions are cached_db) is a table
    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    location = Location.objects.filter(organization__name=ORGANIZATION).first()
    if location is None:
        started = time.perf_counter()
        with transaction.atomic():
            location = LocationFactory(organization=OrganizationFactory(name=ORGANIZATION), name="Downtown",
                                       time_zone="America/New_York")
            kind = AppointmentTypeFactory(code="follow-up", duration_minutes=20, room_kind="exam")
            rooms = [RoomFactory(location=location, name=f"Exam {i + 1}", kind="exam") for i in range(PROVIDERS)]
            patients = PatientFactory.create_batch(PROVIDERS * PER_PROVIDER, home_location=location)
            for index in range(PROVIDERS):
                doctor = PractitionerFactory()
                weekly_availability(doctor, location, start=dt.time(8), end=dt.time(17), weekdays=range(6))
                for slot in range(PER_PROVIDER):
                    AppointmentFactory(location=location, practitioner=doctor, appointment_type=kind,
                                       room=rooms[index], patient=patients[index * PER_PROVIDER + slot],
                                       start=local_to_utc(DAY, dt.time(8), location.tz)
                                       + dt.timedelta(minutes=20 * slot))
            UserFactory(username="bench-front-desk", role=Role.FRONT_DESK, location=location)
        print(f"built the day in {time.perf_counter() - started:.1f} s", flush=True)
    from clinicdesk.accounts.models import User

    return location, User.objects.get(username="bench-front-desk")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--sqlite", action="store_true", help="SQLite scratch file instead of PostgreSQL")
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() after the warm-up, as a server can after start-up: the slowest requests "
                             "are full garbage collections over every object of the loaded process")
    args = parser.parse_args()
    url = setup_django(sqlite=args.sqlite, rebuild=args.rebuild)
    location, user = ensure_day()
    from django.db import connection
    from django.test import Client

    from clinicdesk.core import clock

    client = Client()
    client.force_login(user)
    path = f"/schedule/day/?location={location.pk}&day={DAY.isoformat()}"  # type: ignore[attr-defined]
    timings: list[float] = []
    cpu: list[float] = []
    counts: list[int] = []
    with clock.frozen_at(NOW):
        for run in range(args.warmup + args.runs):
            statements: list[str] = []

            def count(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
                statements.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            assert response.status_code == 200, response.status_code
            if run == 0:
                shown = response.content.count(b'class="appt ')
                assert shown == PROVIDERS * PER_PROVIDER, f"{shown} appointments on the page"
                print(f"{connection.vendor} ({url.split('@')[-1]}): {shown} appointments, "
                      f"{len(response.content) // 1024} KiB of HTML", flush=True)
            if run == args.warmup - 1 and args.freeze:
                gc.collect()
                gc.freeze()
            if run >= args.warmup:
                timings.append(elapsed * 1000)
                cpu.append(elapsed_cpu * 1000)
                counts.append(len(statements))
    print(f"day view, {PROVIDERS} providers x {PER_PROVIDER} appointments: runs={args.runs} "
          f"p50={statistics.median(timings):.1f} ms p95={percentile(timings, 0.95):.1f} ms max={max(timings):.1f} ms; "
          f"CPU p50={statistics.median(cpu):.1f} p95={percentile(cpu, 0.95):.1f} ms; "
          f"queries {min(counts)}-{max(counts)}; {'gc.freeze(); ' if args.freeze else ''}"
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
