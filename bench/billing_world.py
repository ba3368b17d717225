"""The billing benches' shared setup (`bench_billing_claims`, `bench_billing_remit_post`): a scratch PostgreSQL
database migrated and Django set up on it, and a practice (valid NPI and EIN), one location and provider, a payer
on the clearinghouse (BH001) and `count` patients, each with an address, a primary coverage and one posted
superbill (two lines: 99213-25 and J1885 x2, two diagnoses), bulk-inserted."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
DOS = dt.date(2026, 11, 20)


def scratch_django(url: str) -> None:
    """Rebuild the scratch database at `url`, point Django at it, set Django up and migrate."""
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(url, rebuild=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
