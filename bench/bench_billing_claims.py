"""Build and scrub 10,000 claims and write their 837P batch, through the real services on PostgreSQL (issue #19:
under 60 seconds).

Setup (not timed): a scratch database with a practice (valid NPI and EIN), one location and provider, a payer on
the clearinghouse, and `--claims` patients, each with an address, a primary coverage and one posted superbill
(two lines: 99213-25 and J1885 x2, two diagnoses) bulk-inserted. Timed: `claims_build_posted` (one
`claim_build` per superbill: coverage, lines, referral/authorization look-up, the scrubber with its duplicate
check, the events and the audit record, each in its own transaction), then `claims_submit(to_dir=...)` (one
interchange of every ready claim, 5,000 claims per transaction set, the batch row, the claims marked sent, one
audit record per claim). `--validate` runs pyx12's x12valid over the written batch (slow; not timed).

    .venv/bin/python bench/bench_billing_claims.py [--claims 10000] [--validate]

The scratch database is `clinicdesk_bench_claims` on the local PostgreSQL, rebuilt on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "bench")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_claims"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
DOS = dt.date(2026, 11, 20)


def build(count: int) -> list[int]:
    from django.db import transaction
    from tests.factories import AppointmentTypeFactory, LocationFactory, PractitionerFactory

    from clinicdesk.billing.models import (
        EntryKind,
        FeeItem,
        LedgerEntry,
        Superbill,
        SuperbillDiagnosis,
        SuperbillLine,
        SuperbillStatus,
    )
    from clinicdesk.patients.models import Coverage, Patient, Payer
    from clinicdesk.practice.models import Organization
    from clinicdesk.scheduling.models import Appointment

    with transaction.atomic():
        place = LocationFactory(code="bench-claims", name="Bench claims", time_zone="America/New_York")
        Organization.objects.filter(pk=place.organization_id).update(npi="1234567893", tax_id="12-3456789")
        doctor = PractitionerFactory(location=place)
        kind = AppointmentTypeFactory(code="bench-visit", name="Bench visit")
        payer = Payer.objects.create(name="Bench Health", payer_code="BH001", claim_channel="clearinghouse-batch")
        for code, price in (("99213", "120.00"), ("J1885", "12.50")):
            FeeItem.objects.create(code=code, description=code, price=Decimal(price),
                                   effective_from=dt.date(2026, 1, 1), created_at=NOW)
        patients = Patient.objects.bulk_create(
            (Patient(mrn=f"C{n:08d}", family_name=f"Family{n}", given_name=f"Given{n}",
                     birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=n % 20000), sex="female",
                     home_location=place, address_line=f"{n} Main St", city="Springfield", state="MA",
                     postal_code="01103") for n in range(count)), batch_size=2000)
        Coverage.objects.bulk_create((Coverage(patient=p, payer=payer, member_id=f"M{p.pk:09d}", order=1,
                                               start_date=dt.date(2026, 1, 1)) for p in patients), batch_size=2000)
        start = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
        visits = Appointment.objects.bulk_create(
            (Appointment(location=place, patient=p, practitioner=doctor, appointment_type=kind, start=start,
                         end=start + dt.timedelta(minutes=20), status="fulfilled") for p in patients),
            batch_size=2000)
        bills = Superbill.objects.bulk_create(
            (Superbill(appointment=a, patient_id=a.patient_id, location=place, date_of_service=DOS,
                       status=SuperbillStatus.POSTED, created_at=NOW, posted_at=NOW) for a in visits),
            batch_size=2000)
        SuperbillDiagnosis.objects.bulk_create(
            (SuperbillDiagnosis(superbill=b, position=n, code=code) for b in bills
             for n, code in ((1, "E119"), (2, "I10"))), batch_size=5000)
        entries = LedgerEntry.objects.bulk_create(
            (LedgerEntry(patient_id=b.patient_id, location=place, kind=EntryKind.CHARGE, amount=Decimal(amount),
                         description=code, appointment_id=b.appointment_id, created_at=NOW)
             for b in bills for code, amount in (("99213", "120.00"), ("J1885", "25.00"))), batch_size=5000)
        SuperbillLine.objects.bulk_create(
            (SuperbillLine(superbill=b, position=n, code=code, modifiers=mods, units=units, pointers=pointers,
                           rendering=doctor, charge=Decimal(amount), ledger_entry=entries[2 * i + n - 1])
             for i, b in enumerate(bills)
             for n, code, mods, units, pointers, amount in ((1, "99213", "25", 1, [1, 2], "120.00"),
                                                            (2, "J1885", "", 2, [2], "25.00"))),
            batch_size=5000)
    return [b.pk for b in bills]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--validate", action="store_true")
    args = parser.parse_args()
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=True)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.billing.services import SYSTEM, claims_build_posted, claims_submit
    from clinicdesk.core import clock

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    ids = build(args.claims)
    print(f"setup: {args.claims} posted superbills in {time.perf_counter() - began:.1f} s")
    with clock.frozen_at(NOW):
        began = time.perf_counter()
        report = claims_build_posted(actor=SYSTEM, superbill_ids=ids, today=NOW.date())
        built = time.perf_counter() - began
        ready = sum(1 for c in report.built if c.status == "ready")
        print(f"build and scrub: {len(report.built)} claims ({ready} ready) in {built:.1f} s "
              f"({1000 * built / max(1, len(report.built)):.2f} ms each)")
        folder = Path(tempfile.mkdtemp(prefix="bench-837p-"))
        began = time.perf_counter()
        sent = claims_submit(actor=SYSTEM, to_dir=folder)
        written = time.perf_counter() - began
        size = (folder / sent.file_name).stat().st_size
        print(f"submit: {len(sent.claims)} claims in one 837P ({size / 1e6:.1f} MB) in {written:.1f} s")
        total = built + written
        print(f"total build + scrub + write: {total:.1f} s (target < 60 s): {'PASS' if total < 60 else 'FAIL'}")
    if args.validate:
        x12valid = Path(sys.executable).with_name("x12valid")
        done = subprocess.run([str(x12valid), str(folder / sent.file_name)], capture_output=True, text=True,
                              check=False, cwd=folder)
        print("x12valid:", (done.stdout + done.stderr).strip().splitlines()[-1:])


if __name__ == "__main__":
    main()
