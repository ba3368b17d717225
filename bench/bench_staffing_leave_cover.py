"""The cover proposal for a provider's two-week vacation with 200 booked appointments (issue #20: ready in under
5 seconds). Times `staffing.leave_selectors.leave_cover_proposals`, the selector behind the leave page and the API.

    .venv/bin/python bench/bench_staffing_leave_cover.py            # PostgreSQL scratch database, rebuilt each run
    .venv/bin/python bench/bench_staffing_leave_cover.py --repeat 5

The practice: one location, 8 family physicians working 8:00-17:00 on weekdays, 20-minute follow-ups; the absent
physician has 200 appointments in the two weeks (20 a weekday), and each colleague is already 60 % booked, so that
some proposals are the same time with a colleague, some the closest free time, and some a time after the leave.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_leave"


def build() -> int:
    import datetime as dt
    import random

    from django.db import transaction
    from tests.factories import (
        AppointmentFactory,
        AppointmentTypeFactory,
        LocationFactory,
        PatientFactory,
        PractitionerFactory,
        UserFactory,
        weekly_availability,
    )

    from clinicdesk.core.permissions import Role
    from clinicdesk.staffing import leave_services

    rng = random.Random(20)
    with transaction.atomic():
        location = LocationFactory(name="Bench", time_zone="America/New_York")
        coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, username="bench-coordinator")
        kind = AppointmentTypeFactory(code="bench-follow-up", duration_minutes=20)
        doctors = [PractitionerFactory(specialty="Family Medicine", last_name=f"Bench{n}") for n in range(8)]
        for doctor in doctors:
            weekly_availability(doctor, location, weekdays=range(5))
        patients = iter([PatientFactory(home_location=location) for _ in range(1400)])  # one per appointment
        first = dt.date(2027, 1, 4)  # a Monday
        days = [first + dt.timedelta(days=n) for n in range(14) if (first + dt.timedelta(days=n)).weekday() < 5]
        slots = [(day, 13 + hour // 3, (hour % 3) * 20) for day in days for hour in range(27)]  # 8:00-17:00 EST
        away = doctors[0]
        for day, hour, minute in rng.sample(slots, 200):
            AppointmentFactory(location=location, practitioner=away, appointment_type=kind,
                               patient=next(patients),
                               start=dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC))
        for doctor in doctors[1:]:
            for day, hour, minute in rng.sample(slots, int(len(slots) * 0.6)):
                AppointmentFactory(location=location, practitioner=doctor, appointment_type=kind,
                                   patient=next(patients),
                                   start=dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC))
        leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=first,
                                             last_day=first + dt.timedelta(days=13), practitioner_id=away.pk)
        leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)
    return leave.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=True)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command

    from clinicdesk.accounts.models import User
    from clinicdesk.core import clock
    from clinicdesk.staffing.leave_selectors import leave_cover_proposals

    call_command("migrate", verbosity=0)
    with clock.frozen_at(dt.datetime(2026, 12, 28, 15, 0, tzinfo=dt.UTC)):
        leave_id = build()
        coordinator = User.objects.get(username="bench-coordinator")
        timings, kinds = [], {}
        for _round in range(args.repeat):
            start = time.perf_counter()
            proposals = leave_cover_proposals(actor=coordinator, leave_id=leave_id)
            timings.append(time.perf_counter() - start)
            kinds = {kind: sum(1 for p in proposals if p.kind == kind) for kind in {p.kind for p in proposals}}
    print(f"appointments: {len(proposals)}  proposals by kind: {kinds}")
    print(f"leave_cover_proposals: median {statistics.median(timings):.2f} s, max {max(timings):.2f} s "
          f"over {len(timings)} runs (target < 5 s)")


if __name__ == "__main__":
    main()
