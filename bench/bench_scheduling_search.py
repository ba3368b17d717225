"""First-available search on PostgreSQL: 100 providers, 300 rooms, ~1,000,000 appointments over a year.

    .venv/bin/python bench/bench_scheduling_search.py [--runs 200] [--rebuild]

Target: p95 under 50 ms for the next 10 options within a 60-day window.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import statistics
import time

from bench_scheduling_common import ensure_data, percentile, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", type=int, choices=(1, 2, 3), help="run one scenario (1 common, 2 rare, 3 ultrasound)")
    parser.add_argument("--profile", action="store_true", help="cProfile the runs; print the top functions")
    parser.add_argument("--queries", action="store_true", help="print the SQL statements of the last run")
    args = parser.parse_args()
    setup_django(args.rebuild)
    data = ensure_data()
    from django.db import connection

    from clinicdesk.core import clock
    from clinicdesk.scheduling.search import SearchQuery
    from clinicdesk.scheduling.selectors import slots_search

    print(f"appointments in the database: {data['appointments']:,}")
    rng = random.Random(1)
    locations = data["locations"]
    types = data["types"]
    user = data["user"]
    today = clock.now().date()
    scenarios = {
        "any provider at a location, follow-up (20 min, exam room)": lambda loc: SearchQuery(
            appointment_type_id=types["follow-up"].pk, location_id=loc.pk),
        "one provider, new patient (40 min), afternoons, Tue/Thu": lambda loc: SearchQuery(
            appointment_type_id=types["new-patient"].pk, location_id=loc.pk,
            practitioner_ids=(rng.choice(list(loc.practitioners.values_list("pk", flat=True))),),
            weekdays=(1, 3), earliest=dt.time(13)),
        "ultrasound (procedure room + device + buffer), prefers mornings": lambda loc: SearchQuery(
            appointment_type_id=types["ultrasound"].pk, location_id=loc.pk, prefer="morning"),
    }
    if args.only:
        scenarios = {name: make for index, (name, make) in enumerate(scenarios.items(), start=1)
                     if index == args.only}
    profiler = cProfile.Profile() if args.profile else None
    for name, make in scenarios.items():
        timings = []
        cpu = []
        found = []
        query_counts = []
        for _ in range(args.runs):
            location = rng.choice(locations)
            first = today + dt.timedelta(days=rng.randrange(0, 30))
            query = make(location)
            query = SearchQuery(**{**query.__dict__, "first_day": first, "last_day": first + dt.timedelta(days=59),
                                   "limit": 10})
            if profiler:
                profiler.enable()
            sql: list[str] = []

            def count(execute, statement, params, many, context, sql=sql):  # type: ignore[no-untyped-def]
                sql.append(statement)
                return execute(statement, params, many, context)

            with connection.execute_wrapper(count):
                started, started_cpu = time.perf_counter(), time.process_time()
                options = slots_search(actor=user, query=query)
                elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            if profiler:
                profiler.disable()
            query_counts.append(len(sql))
            timings.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            found.append(len(options))
        print(f"{name}: runs={args.runs} options(min)={min(found)} p50={statistics.median(timings):.1f} ms "
              f"p95={percentile(timings, 0.95):.1f} ms max={max(timings):.1f} ms; "
              f"app CPU p50={statistics.median(cpu):.1f} "
              f"p95={percentile(cpu, 0.95):.1f} ms; queries p50={statistics.median(query_counts):.0f} "
              f"max={max(query_counts)}; load average {os.getloadavg()[0]:.1f}", flush=True)
        if args.queries:
            for statement in sql:
                print(f"  {statement[:300]}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
