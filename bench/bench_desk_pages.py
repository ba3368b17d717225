"""Server time of every front-desk page on the demo data: p50/p95 per page (#15 item 7: p95 under 150 ms).

    .venv/bin/python bench/bench_desk_pages.py [--runs 60] [--rebuild] [--sqlite] [--quick] [--patients 2000]
                                               [--weeks 4] [--only day,week]

Each page is requested through Django's test client as the user who uses it (session and user lookup, every
middleware, the selectors with their audit entries, the templates; production settings: DEBUG off, manifest
static files collected into var/bench-static), so the time is server time without the network or the browser.
Pages: home (desk, coordinator and provider), arrivals, flow board (page and its 3-second poll), day view, week
view, patient search (an htmx POST), chart, check-in, check-out, cash drawer, inbox.

Data: `clinicdesk demo` (default 2000 patients, 4 weeks) built once into a scratch database and reused
(`--rebuild` starts over), with the clock frozen at a fixed Monday 10:00 in New York so that "today" (the desk's
patients in the building, the day's appointments) is the same day at every run.
BENCH_DESK_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/clinicdesk_desk; `--sqlite` uses
var/bench-desk.sqlite3 (or BENCH_DESK_SQLITE). `--quick` (CI: tests/bench/test_bench_desk_pages.py) builds a
small practice (120 patients, 1 week) and makes 3 runs of each page: it proves the benchmark still runs.
The output ends with a Markdown table (page, p50, p95, max, queries) for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from scratch_db import ensure_scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_desk"
SQLITE_PATH = Path(os.environ.get("BENCH_DESK_SQLITE") or ROOT / "var" / "bench-desk.sqlite3")
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # Monday 10:00 in New York, the demo's first location
TARGET_MS = 150.0


def setup_django(*, sqlite: bool, rebuild: bool) -> str:
    if sqlite:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        if rebuild and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        url = f"sqlite:///{SQLITE_PATH}"
    else:
        url = os.environ.get("BENCH_DESK_DATABASE_URL", DEFAULT_URL)
        ensure_scratch_database(url, rebuild=rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    return url


def ensure_demo(*, patients: int, weeks: int, history_years: float = 2) -> None:
    from django.core.management import call_command

    from clinicdesk.core import clock
    from clinicdesk.practice.models import Organization

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    if not Organization.objects.exists():
        started = time.perf_counter()
        with clock.frozen_at(NOW), open(os.devnull, "w") as quiet:
            call_command("demo", patients=patients, weeks=weeks, history_years=history_years, no_progress=True,
                         stdout=quiet)
        print(f"built the demo ({patients} patients, {weeks} weeks) in {time.perf_counter() - started:.1f} s",
              flush=True)


def pages() -> list[tuple[str, str, str, dict[str, str] | None]]:
    """(name, username, path, POST data or None): every desk page, as the user who uses it."""
    from django.db.models import Count

    from clinicdesk.accounts.models import User
    from clinicdesk.core import clock
    from clinicdesk.core.permissions import Role
    from clinicdesk.frontdesk.models import Visit, VisitStatus
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Practitioner
    from clinicdesk.scheduling.models import Appointment

    desk = User.objects.filter(role=Role.FRONT_DESK, is_active=True).order_by("username").first()
    assert desk is not None, "no front-desk user in the demo"
    location = Location.objects.filter(pk__in=desk.location_ids()).order_by("pk").first()
    assert location is not None
    coordinator = User.objects.filter(role=Role.PATIENT_COORDINATOR, is_active=True).order_by("username").first()
    provider_user = User.objects.filter(role=Role.PROVIDER, practitioner__isnull=False).order_by("username").first()
    today = clock.today_in(location.tz)
    practitioner = (Practitioner.objects.filter(locations=location, active=True)
                    .annotate(n=Count("appointments")).order_by("-n", "pk").first())
    visit = (Visit.objects.filter(location=location, day=today, appointment__isnull=False)
             .order_by("pk").first())
    assert visit is not None, "no visit today in the demo"
    ready = Visit.objects.filter(location=location, day=today, status=VisitStatus.READY_FOR_CHECKOUT).first() or visit
    busiest = (Patient.objects.filter(home_location=location).annotate(n=Count("appointments"))
               .order_by("-n", "pk").first())
    assert busiest is not None and practitioner is not None
    appointment = Appointment.objects.get(pk=visit.appointment_id)
    loc = f"location={location.pk}"
    found = [
        ("home (desk)", desk.username, "/", None),
        ("arrivals", desk.username, f"/frontdesk/?{loc}", None),
        ("flow board", desk.username, f"/frontdesk/board/?{loc}", None),
        ("flow board poll", desk.username, f"/frontdesk/board/rows?{loc}", None),
        ("day view", desk.username, f"/schedule/day/?{loc}&day={today.isoformat()}", None),
        ("week view", desk.username,
         f"/schedule/week/?{loc}&practitioner={practitioner.pk}&day={today.isoformat()}", None),
        ("patient search", desk.username, "/patients/", {"q": busiest.family_name}),
        ("chart", desk.username, f"/patients/{busiest.pk}/", None),
        ("check-in", desk.username, f"/frontdesk/appointments/{appointment.pk}/check-in", None),
        ("check-out", desk.username, f"/frontdesk/visits/{ready.pk}/check-out", None),
        ("cash drawer", desk.username, f"/billing/drawer/?{loc}", None),
        ("inbox", desk.username, "/frontdesk/inbox/", None),
    ]
    if coordinator is not None:
        found.insert(1, ("home (coordinator)", coordinator.username, "/", None))
    if provider_user is not None:
        found.insert(1, ("home (provider)", provider_user.username, "/", None))
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(name: str, username: str, path: str, data: dict[str, str] | None, *, runs: int,
            warmup: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from clinicdesk.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    timings: list[float] = []
    counts: list[int] = []
    for run in range(warmup + runs):
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = (client.get(path) if data is None
                        else client.post(path, data, headers={"HX-Request": "true"}))
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, f"{name}: {path} answered {response.status_code}"
        if run >= warmup:
            timings.append(elapsed * 1000)
            counts.append(len(statements))
    return {"p50": statistics.median(timings), "p95": percentile(timings, 0.95), "max": max(timings),
            "queries": max(counts)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--history-years", type=float, default=2, help="the demo's past years (as clinicdesk demo)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--sqlite", action="store_true", help="SQLite scratch file instead of PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="small practice, 3 runs per page (CI smoke)")
    parser.add_argument("--only", default="", help="comma-separated page names (substrings) to measure")
    args = parser.parse_args()
    if args.quick:
        args.patients, args.weeks, args.runs, args.warmup = min(args.patients, 120), 1, 3, 1
        args.history_years = 0  # the smoke measures the pages, not the demo's two years of history
    url = setup_django(sqlite=args.sqlite, rebuild=args.rebuild)
    ensure_demo(patients=args.patients, weeks=args.weeks, history_years=args.history_years)
    from django.db import connection

    from clinicdesk.core import clock
    from clinicdesk.patients.models import Patient
    from clinicdesk.scheduling.models import Appointment

    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    rows = []
    with clock.frozen_at(NOW):
        print(f"{connection.vendor} ({url.split('@')[-1]}): {Patient.objects.count()} patients, "
              f"{Appointment.objects.count()} appointments; runs={args.runs} per page", flush=True)
        for name, username, path, data in pages():
            if wanted and not any(w in name for w in wanted):
                continue
            figures = measure(name, username, path, data, runs=args.runs, warmup=args.warmup)
            rows.append((name, figures))
            print(f"{name}: p50={figures['p50']:.1f} ms p95={figures['p95']:.1f} ms max={figures['max']:.1f} ms "
                  f"queries={figures['queries']:.0f}", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}; target p95 < {TARGET_MS:.0f} ms\n")
    print("| page | p50 ms | p95 ms | max ms | queries | p95 < 150 ms |")
    print("|---|---:|---:|---:|---:|---|")
    for name, f in rows:
        print(f"| {name} | {f['p50']:.1f} | {f['p95']:.1f} | {f['max']:.1f} | {f['queries']:.0f} | "
              f"{'yes' if f['p95'] < TARGET_MS else 'NO'} |")


if __name__ == "__main__":
    main()
