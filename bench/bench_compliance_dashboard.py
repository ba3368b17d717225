"""The compliance dashboard at a realistic size (issue #21: under 300 ms). Times the real selector
(`compliance_dashboard`) per location over years of history: per location 3,000 complaints (most closed, some
grievances open, some answered late), 1,500 incidents with corrective actions, 2,000 rights requests, 20 breaches,
and the CLIA history the calendar part reads (a certificate expiring within 60 days, 6 waived tests with a QC run
each working day for 4 years: about 6,000 runs, 2% out of range and all but the last corrected, and 30,000 patient
tests); the open items (about a hundred and fifty per location) are what the page shows.

    .venv/bin/python bench/bench_compliance_dashboard.py              # builds once, then reuses
    .venv/bin/python bench/bench_compliance_dashboard.py --rebuild

The scratch database is `clinicdesk_bench_compliance` on the local PostgreSQL (bench/scratch_db.py).
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
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_compliance"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def build(locations: int, scale: int) -> None:
    import random

    from django.db import transaction
    from tests.factories import LocationFactory, UserFactory

    from clinicdesk.compliance.models import (
        Breach,
        Complaint,
        CorrectiveAction,
        Incident,
        RightsRequest,
    )
    from clinicdesk.core.permissions import Role
    from clinicdesk.patients.models import Patient

    rng = random.Random(21)
    today = NOW.date()
    with transaction.atomic():
        places = [LocationFactory(code=f"bench-c{n}", name=f"Bench {n}") for n in range(locations)]
        user = UserFactory(role=Role.PRACTICE_COORDINATOR, username="bench-coordinator")
        for place in places:
            patients = Patient.objects.bulk_create(
                Patient(mrn=f"B{place.pk:02d}{n:07d}", family_name=f"Family{n}", given_name=f"Given{n}",
                        birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=n % 15000), sex="female",
                        home_location=place) for n in range(2000))
            complaints = []
            for n in range(3 * scale):
                days = rng.randint(0, 1500)
                received = NOW - dt.timedelta(days=days)
                day = received.date()
                open_ = days < 40 and n % 3 == 0
                status = rng.choice(["grievance", "acknowledged"]) if open_ else rng.choice(["resolved", "answered"])
                grievance = status != "resolved"
                ack_due, res_due = day + dt.timedelta(days=7), day + dt.timedelta(days=30)
                sent_late = n % 17 == 0
                complaints.append(Complaint(
                    location=place, patient=patients[n % len(patients)], channel="phone", topic="care",
                    received_at=received, summary="Bench complaint", status=status, logged_by=user,
                    grievance_basis="written" if grievance else "", grievance_at=received if grievance else None,
                    ack_due_on=ack_due if grievance else None, resolution_due_on=res_due if grievance else None,
                    ack_sent_on=(ack_due + dt.timedelta(days=2 if sent_late else -3)) if status in (
                        "acknowledged", "answered") else None,
                    resolution_sent_on=min(today, res_due + dt.timedelta(days=3 if sent_late else -5))
                    if status == "answered" else None))
            Complaint.objects.bulk_create(complaints, batch_size=2000)
            incidents = Incident.objects.bulk_create([Incident(
                location=place, kind="workplace", severity="minor", what="Bench", place="Room",
                occurred_at=NOW - dt.timedelta(days=rng.randint(0, 1500)), reported_by=user, reported_at=NOW,
                status="closed" if n % 20 else rng.choice(["reported", "actions-open"]))
                for n in range(int(1.5 * scale))], batch_size=2000)
            CorrectiveAction.objects.bulk_create([CorrectiveAction(
                incident=i, description="Bench action", owner=user,
                due_on=today + dt.timedelta(days=rng.randint(-20, 20)),
                done_on=None if i.status == "actions-open" else today) for i in incidents], batch_size=2000)
            requests = []
            for n in range(2 * scale):
                received_on = today - dt.timedelta(days=rng.randint(0, 1500))
                open_ = (today - received_on).days < 45 and n % 2 == 0
                requests.append(RightsRequest(
                    location=place, patient=patients[n % len(patients)], kind="access", received_on=received_on,
                    due_on=received_on + dt.timedelta(days=30), details="Bench", logged_by=user,
                    status="in-progress" if open_ else "fulfilled",
                    completed_on=None if open_ else min(today, received_on + dt.timedelta(days=25 + n % 10))))
            RightsRequest.objects.bulk_create(requests, batch_size=2000)
            Breach.objects.bulk_create([Breach(
                location=place, discovered_on=today - dt.timedelta(days=30 * n), description="Bench",
                individuals_affected=10 + 100 * n, status="open" if n < 2 else "closed",
                notify_due_on=today - dt.timedelta(days=30 * n - 60), hhs_due_on=today + dt.timedelta(days=60),
                logged_by=user, logged_at=NOW) for n in range(20)])
            _clia(place, user, patients, rng, scale)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _clia(place, user, patients, rng, scale: int) -> None:
    """CLIA at one location: the certificate, six waived tests on lot-tracked kits, a QC run per test and working
    day over four years (2% out of range: corrected, except the newest failure of one test), patient tests."""
    from clinicdesk.compliance.models import CliaCertificate, PatientTest, QcCorrection, QcRun, WaivedTest
    from clinicdesk.operations.models import Item

    today = NOW.date()
    CliaCertificate.objects.create(location=place, kind="waiver", number=f"22D{place.pk:07d}",
                                   effective_on=today - dt.timedelta(days=700),
                                   expires_on=today + dt.timedelta(days=30),
                                   updated_by=user, updated_at=NOW)
    tests = [WaivedTest.objects.create(
        location=place, name_en=f"Bench test {n}", name_es=f"Prueba {n}", measures="Bench", result_kind="numeric",
        unit="mg/dL", low_min=36, low_max=60, high_min=280, high_max=420,
        item=Item.objects.create(name=f"Bench kit {place.pk}-{n}", unit="box", category="lab", tracks_lots=True))
        for n in range(6)]
    runs = []
    for days in range(round(scale * 1.46), 0, -1):  # 4 years at the default scale, oldest first
        day = today - dt.timedelta(days=days)
        if day.weekday() >= 5:
            continue
        for test in tests:
            passed = rng.random() >= 0.02
            runs.append(QcRun(test=test, lot=f"L{day:%Y%m}", lot_expires_on=day + dt.timedelta(days=365), run_on=day,
                              performed_at=dt.datetime.combine(day, dt.time(13, 0), tzinfo=dt.UTC),
                              performed_by=user, passed=passed,
                              results=[{"level": "low", "value": "48", "in_range": True},
                                       {"level": "high", "value": "345" if passed else "460", "in_range": passed}]))
    runs = QcRun.objects.bulk_create(runs, batch_size=2000)
    failed = [run for run in runs if not run.passed]
    QcCorrection.objects.bulk_create([QcCorrection(run=run, action="Fresh controls", recorded_by=user,
                                                   recorded_at=run.performed_at) for run in failed[:-1]])
    passing = [run for run in runs if run.passed]
    PatientTest.objects.bulk_create([PatientTest(
        test=run.test, patient=patients[n % len(patients)], lot=run.lot, lot_expires_on=run.lot_expires_on,
        value=100 + n % 80, performed_at=run.performed_at + dt.timedelta(hours=1), performed_by=user, qc_run=run,
        kit_posted=True) for n, run in ((n, passing[rng.randrange(len(passing))]) for n in range(30 * scale))],
        batch_size=2000)


def measure(repeat: int) -> dict[str, list[float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinicdesk.compliance import selectors
    from clinicdesk.core import clock
    from clinicdesk.core.permissions import Perm, SystemActor
    from clinicdesk.practice.models import Location

    actor = SystemActor("bench", frozenset({Perm.COMPLIANCE_ADMIN}))
    locations = list(Location.objects.filter(code__startswith="bench-c").values_list("pk", flat=True))
    timings: dict[str, list[float]] = {"compliance_dashboard": []}
    with clock.frozen_at(NOW):
        for round_ in range(repeat + 1):  # the first round warms the caches and is not counted
            for location_id in locations:
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    board = selectors.compliance_dashboard(actor=actor, location_id=location_id)
                    elapsed = (time.perf_counter() - start) * 1000
                if round_:
                    timings["compliance_dashboard"].append(elapsed)
    print(f"per location (last): {len(board.clocks)} open clocks, {len(board.late)} late, "
          f"{len(queries)} queries, counts {board.counts}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1000, help="complaints per location = 3 x scale")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.compliance.models import Complaint

    call_command("migrate", verbosity=0)
    if not Complaint.objects.exists():
        start = time.perf_counter()
        build(args.locations, args.scale)
        print(f"built in {time.perf_counter() - start:.1f} s")
    print(f"{Complaint.objects.count():,} complaints over {args.locations} locations")
    for name, values in measure(args.repeat).items():
        values.sort()
        p95 = values[max(0, round(len(values) * 0.95) - 1)]
        print(f"{name:28s} n={len(values):3d}  p50 {statistics.median(values):8.1f} ms  p95 {p95:8.1f} ms  "
              f"max {values[-1]:8.1f} ms")


if __name__ == "__main__":
    main()
