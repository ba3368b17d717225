"""The insight dashboards over 2 years, 100 providers, 5 locations and 1,000,000 appointments (issue #22: every
dashboard under 1 s p95 on PostgreSQL). Times the real selectors (`dashboard_read` for each figure, and the
whole page's read) for the practice-wide view and for each location's view, over the full two years.

    .venv/bin/python bench/bench_insight_dashboards.py                        # builds once, then reuses
    .venv/bin/python bench/bench_insight_dashboards.py --rebuild --appointments 1000000

The scratch database is `clinicdesk_bench_insight_dashboards` on the local PostgreSQL (bench/scratch_db.py),
migrated and filled once with INSERT ... SELECT over generate_series: 5 locations, 100 providers (weekday
templates 08:00-17:00), 6 appointment types (2 for new patients), 500 patients, the appointments spread over the
730 days before 23 November 2026 (about 14 a provider-day; 1 in 20 a no-show, 1 in 20 cancelled, half of those
late, 1 in 20 entered in error, the rest fulfilled), a flow-board visit for each fulfilled one, a delivered
reminder for three in four, and 20,000 waitlist offers. The daily counts are then built by `rollup.rebuild()`
(timed: the nightly repair's cost) and read by the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_insight_dashboards"
TODAY = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
DAYS = 730


def build(providers: int, locations: int, appointments: int) -> None:
    from django.db import connection, transaction
    from tests.factories import AppointmentTypeFactory, LocationFactory, PatientFactory

    from clinicdesk.practice.models import Practitioner
    from clinicdesk.scheduling.models import AvailabilityTemplate

    with transaction.atomic():
        places = [LocationFactory(code=f"bench-{n}", name=f"Bench {n}") for n in range(locations)]
        types = [AppointmentTypeFactory(code=f"bench-type-{n}", name=f"Bench type {n}",
                                        duration_minutes=20 + 10 * (n % 3), new_patient=n < 2) for n in range(6)]
        people = Practitioner.objects.bulk_create(
            Practitioner(first_name="Bench", last_name=f"Provider {n:03d}", npi=f"9{n:09d}") for n in range(providers))
        for n, person in enumerate(people):
            person.locations.add(places[n % locations])
        AvailabilityTemplate.objects.bulk_create(
            AvailabilityTemplate(practitioner=person, location=places[n % locations], weekday=day,
                                 start_time=dt.time(8), end_time=dt.time(17), effective_from=dt.date(2024, 1, 1))
            for n, person in enumerate(people) for day in range(5))
        patients = [PatientFactory(home_location=places[n % locations]) for n in range(500)]
        params = {"count": appointments, "providers": providers, "p0": people[0].pk, "locs": locations,
                  "l0": places[0].pk, "t0": types[0].pk, "pat0": patients[0].pk, "pats": len(patients),
                  "base": TODAY - dt.timedelta(days=DAYS), "days": DAYS}
        with connection.cursor() as cursor:
            # Appointment n: provider n % providers (at location provider % locations), day (n / providers) %
            # days, the k-th of the provider's day (n / (providers * days)) at 08:00 + 30 min * k, New York time.
            cursor.execute("""
                INSERT INTO scheduling_appointment
                    (patient_id, practitioner_id, location_id, appointment_type_id, start, "end", status, telehealth,
                     note, overbooked, overbook_reason, cancel_reason, late_cancel, checklist_done, confirmed_via,
                     confirmed_at, created_at, updated_at)
                SELECT %(pat0)s + n %% %(pats)s, %(p0)s + n %% %(providers)s,
                       %(l0)s + (n %% %(providers)s) %% %(locs)s, %(t0)s + n %% 6, s, s + INTERVAL '20 minutes',
                       CASE WHEN n %% 20 = 0 THEN 'noshow' WHEN n %% 20 = 1 THEN 'cancelled'
                            WHEN n %% 20 = 2 THEN 'entered-in-error' ELSE 'fulfilled' END,
                       false, '', false, '', CASE WHEN n %% 20 = 1 THEN 'Patient called' ELSE '' END,
                       n %% 40 = 1, '[]', '', CASE WHEN n %% 3 > 0 THEN s - INTERVAL '1 day' END,
                       s - INTERVAL '14 days', s
                FROM (SELECT n, %(base)s::timestamptz + ((n / %(providers)s) %% %(days)s) * INTERVAL '1 day'
                                + INTERVAL '13 hours' + (n / (%(providers)s * %(days)s)) * INTERVAL '30 minutes' AS s
                      FROM generate_series(0, %(count)s - 1) AS n) AS g
            """, params)
            cursor.execute("""
                INSERT INTO frontdesk_visit (location_id, patient_id, appointment_id, practitioner_id, service_id,
                                             walk_in, day, status, arrived_at, checked_in_at, roomed_at,
                                             checked_out_at, note)
                SELECT location_id, patient_id, id, practitioner_id, appointment_type_id, false,
                       (start AT TIME ZONE 'America/New_York')::date, 'checked-out', start - INTERVAL '10 minutes',
                       start - INTERVAL '5 minutes', start + (id % 20) * INTERVAL '1 minute',
                       start + INTERVAL '40 minutes' + (id % 30) * INTERVAL '1 minute', ''
                FROM scheduling_appointment WHERE status = 'fulfilled'
            """)
            cursor.execute("""
                INSERT INTO comms_message (patient_id, appointment_id, kind, channel, to_address, language, subject,
                                           body, ics, status, send_after, attempts, provider_id, last_error,
                                           dedupe_key, created_at, purpose)
                SELECT patient_id, id, 'reminder', 'sms', '+14135550100', 'en', '', 'Reminder', '', 'delivered',
                       start - INTERVAL '1 day', 1, '', '', 'bench-reminder:' || id, start - INTERVAL '2 days',
                       'appointment'
                FROM scheduling_appointment WHERE id % 4 > 0
            """)
            cursor.execute("""
                INSERT INTO comms_waitlistoffer (practitioner_id, location_id, appointment_type_id, start, "end", state,
                                                 freed_from_appointment_id, created_at)
                SELECT practitioner_id, location_id, appointment_type_id, start, "end",
                       CASE WHEN id % 3 = 0 THEN 'taken' ELSE 'withdrawn' END, id, start - INTERVAL '1 day'
                FROM scheduling_appointment WHERE status = 'cancelled' LIMIT 20000
            """)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(repeat: int) -> dict[str, list[float]]:
    from clinicdesk.core import clock
    from clinicdesk.core.permissions import Perm, SystemActor
    from clinicdesk.insight.dashboard_selectors import dashboard_read
    from clinicdesk.insight.dashboards.figures import FIGURES
    from clinicdesk.practice.models import Location

    actor = SystemActor("bench", frozenset({Perm.REPORTS_READ, Perm.SCHEDULE_READ}))
    params = {"from": (TODAY.date() - dt.timedelta(days=DAYS)).isoformat(), "to": TODAY.date().isoformat()}
    views = [("practice", params)] + [(f"location {loc.name}", {**params, "location": str(loc.pk)})
                                      for loc in Location.objects.filter(code__startswith="bench-").order_by("pk")[:2]]
    timings: dict[str, list[float]] = {}
    from django.core.cache import cache

    cache.clear()
    with clock.frozen_at(TODAY):
        for view, query in views:  # the lead time's search, cold (its answer is then cached for 10 minutes)
            start = time.perf_counter()
            dashboard_read(actor=actor, params=query, keys=["lead-time"])
            timings[f"{view}: lead-time, cold"] = [(time.perf_counter() - start) * 1000]
        from clinicdesk.insight.dashboards.lead_time import refresh_lead_times

        start = time.perf_counter()  # the 5-minute job that searches ahead, so that the pages read the cache
        refresh_lead_times()
        timings["refresh-lead-times (periodic job)"] = [(time.perf_counter() - start) * 1000]
        for round_ in range(repeat + 1):  # the first round warms the caches and is not counted
            for view, query in views:
                for key in [*FIGURES, "whole page"]:
                    start = time.perf_counter()
                    dashboard_read(actor=actor, params=query, keys=None if key == "whole page" else [key])
                    elapsed = (time.perf_counter() - start) * 1000
                    if round_:
                        timings.setdefault(f"{view}: {key}", []).append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--recount", action="store_true", help="run rollup.rebuild() again (the data stays)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.insight.dashboards import rollup
    from clinicdesk.insight.models import DailyAppointments
    from clinicdesk.scheduling.models import Appointment

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the lead time's 10-minute cache
    if Appointment.objects.count() != args.appointments:
        if Appointment.objects.exists():
            sys.exit("The scratch database holds another size: run again with --rebuild.")
        start = time.perf_counter()
        build(args.providers, args.locations, args.appointments)
        print(f"built in {time.perf_counter() - start:.1f} s")
    if not DailyAppointments.objects.exists() or args.recount:
        start = time.perf_counter()
        rollup.rebuild()
        print(f"rollup.rebuild() (the nightly repair, everything) in {time.perf_counter() - start:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after the rebuild: the planner's row counts
        cursor.execute("ANALYZE insight_dailyappointments")
    print(f"{Appointment.objects.count():,} appointments, {args.providers} providers, {args.locations} locations, "
          f"{DailyAppointments.objects.count():,} daily rows")
    worst = 0.0
    for name, values in measure(args.repeat).items():
        values.sort()
        p95 = values[max(0, round(len(values) * 0.95) - 1)]
        worst = max(worst, p95) if not name.endswith("whole page") else worst
        print(f"{name:42s} n={len(values):3d}  p50 {statistics.median(values):8.1f} ms  p95 {p95:8.1f} ms  "
              f"max {values[-1]:8.1f} ms")
    print(f"worst figure p95: {worst:.1f} ms")


if __name__ == "__main__":
    main()
