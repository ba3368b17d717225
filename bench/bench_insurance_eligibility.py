"""Electronic eligibility: tomorrow's schedule of 1,000 patients verified through the local clearinghouse, and
10,000 271 answers read.

    .venv/bin/python bench/bench_insurance_eligibility.py [--patients 1000] [--answers 10000] [--connections 4]
                                                          [--rebuild] [--postgres]

1. `eligibility_batch_for_date` for tomorrow, real-time channel: each 270 built, stored (PENDING, audited), sent
   as a CAQH CORE MIME multipart envelope over HTTP to the local clearinghouse of the test suite
   (tests/insurance/clearinghouse.py, started here in its own process on 127.0.0.1, answering each 270 with a
   271 built from it), on
   `--connections` connections at once, and each 271 read and stored with its benefits (audited). Target < 60 s.
2. `e271.read` over `--answers` 271 interchanges (pyx12's reader for the segments, our loop walk, Decimal
   amounts). Target < 10 s.

Scratch database, built once and reused (`--rebuild` starts over): var/bench-insurance.sqlite3, or with
`--postgres` BENCH_INSURANCE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/clinicdesk_bench_insurance).
Every run deletes the previous run's results first. Loopback traffic only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src"), str(ROOT)]
SQLITE_PATH = ROOT / "var" / "bench-insurance.sqlite3"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_insurance"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
TOMORROW = dt.date(2026, 11, 24)


def setup_django(*, postgres: bool, rebuild: bool) -> None:
    if postgres:
        from scratch_db import ensure_scratch_database

        url = os.environ.get("BENCH_INSURANCE_DATABASE_URL", DEFAULT_URL)
        ensure_scratch_database(url, rebuild=rebuild)
    else:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        if rebuild and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        url = f"sqlite:///{SQLITE_PATH}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_schedule(count: int):  # type: ignore[no-untyped-def]
    """`count` patients with a coverage and an appointment tomorrow; a front-desk user. Built once."""
    from tests.factories import (
        AppointmentTypeFactory,
        LocationFactory,
        OrganizationFactory,
        PatientFactory,
        PractitionerFactory,
        UserFactory,
    )

    from clinicdesk.accounts.models import User
    from clinicdesk.core.permissions import Role
    from clinicdesk.patients.models import Coverage, Patient, Payer
    from clinicdesk.scheduling.models import Appointment

    user = User.objects.filter(username="bench-eligibility").first()
    if user is not None and Appointment.objects.filter(location__in=user.locations.all()).count() >= count:
        return user
    org = OrganizationFactory(name="Eligibility Bench Group")
    org.npi = "1234567893"
    org.save(update_fields=["npi"])
    location = LocationFactory(name="Bench Clinic", time_zone="America/New_York")
    user = UserFactory(username="bench-eligibility", role=Role.FRONT_DESK, location=location)
    payer, _ = Payer.objects.get_or_create(name="Bench Health Plan", defaults={"payer_code": "BENCH1"})
    kind = AppointmentTypeFactory(code="bench-visit", duration_minutes=15)
    doctors = [PractitionerFactory() for _ in range(25)]
    patients = [PatientFactory.build(home_location=location, family_name="Bench", given_name=f"Pat{i}")
                for i in range(count)]
    from clinicdesk.patients.keys import fill_search_keys

    for patient in patients:
        fill_search_keys(patient)
    Patient.objects.bulk_create(patients, batch_size=500)
    patients = list(Patient.objects.filter(home_location=location).order_by("pk"))
    Coverage.objects.bulk_create([Coverage(patient=p, payer=payer, member_id=f"W{100000 + i}",
                                           start_date=dt.date(2026, 1, 1)) for i, p in enumerate(patients)],
                                 batch_size=500)
    start = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)
    Appointment.objects.bulk_create([
        Appointment(patient=p, practitioner=doctors[i % 25], location=location, appointment_type=kind,
                    start=start + dt.timedelta(minutes=15 * (i // 25)),
                    end=start + dt.timedelta(minutes=15 * (i // 25) + 15)) for i, p in enumerate(patients)],
        batch_size=500)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=10000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    setup_django(postgres=args.postgres, rebuild=args.rebuild)

    from django.conf import settings
    from tests.insurance.clearinghouse import PASSWORD, USERNAME, answer_271

    from clinicdesk.core import clock
    from clinicdesk.insurance.models import EligibilityBenefit, EligibilityResult
    from clinicdesk.insurance.services import eligibility_batch_for_date
    from clinicdesk.insurance.x12 import e271

    built = time.perf_counter()
    user = ensure_schedule(args.patients)
    print(f"schedule ready in {time.perf_counter() - built:.1f} s ({args.patients} patients tomorrow)")
    EligibilityBenefit.objects.all().delete()
    EligibilityResult.objects.all().delete()

    # The clearinghouse runs in its own process, as a real one would (in this process it would share the GIL).
    server = subprocess.Popen([sys.executable, "-m", "tests.insurance.clearinghouse"], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"})
    assert server.stdout is not None and server.stdin is not None
    url = server.stdout.readline().strip()
    with clock.frozen_at(NOW):
        settings.CLEARINGHOUSE_CORE_URL = url
        settings.CLEARINGHOUSE_USERNAME, settings.CLEARINGHOUSE_PASSWORD = USERNAME, PASSWORD
        settings.CLEARINGHOUSE_CONNECTIONS = args.connections
        started = time.perf_counter()
        report = eligibility_batch_for_date(actor=user, day=TOMORROW)
        verify_seconds = time.perf_counter() - started
    server.stdin.close()
    server.wait(timeout=30)
    print(f"verify: {report.asked} coverages through the local clearinghouse ({args.connections} connections) in "
          f"{verify_seconds:.1f} s ({report.asked / verify_seconds:.0f}/s) {report.by_status}; target < 60 s: "
          f"{'PASS' if verify_seconds < 60 else 'FAIL'}")

    sent = [r.request_x12 for r in EligibilityResult.objects.order_by("pk")[:200]]
    pool = [answer_271(text) for text in sent]
    answers = [pool[i % len(pool)] for i in range(args.answers)]
    size = sum(len(a) for a in answers)
    started = time.perf_counter()
    benefits = 0
    for text in answers:
        for answer in e271.read(text):
            benefits += len(answer.benefits)
    read_seconds = time.perf_counter() - started
    print(f"read: {args.answers} 271s ({size / 1e6:.1f} MB, {benefits} benefits) in {read_seconds:.2f} s "
          f"({args.answers / read_seconds:.0f}/s); target < 10 s: {'PASS' if read_seconds < 10 else 'FAIL'}")


if __name__ == "__main__":
    main()
