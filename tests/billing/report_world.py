"""The small ledger the payment-report tests check by hand (see tests/billing/test_payment_reports.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinicdesk.billing.models import LedgerEntry
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
NY = ZoneInfo("America/New_York")
D = Decimal


def _entry(patient, location, kind, amount, at, **extra):
    if isinstance(at, int):
        at = NOW - dt.timedelta(days=at)
    return LedgerEntry.objects.create(patient=patient, location=location, kind=kind, amount=D(amount),
                                      created_at=at, description=extra.pop("description", kind), **extra)


def build_world(location, other_location):
    doctor = PractitionerFactory(first_name="Paula", last_name="Payne", location=location)
    ana = PatientFactory(home_location=location, given_name="Ana", family_name="Arias")
    ben = PatientFactory(home_location=location, given_name="Ben", family_name="Bravo")
    cora = PatientFactory(home_location=location, given_name="Cora", family_name="=Cruz")  # a formula-like name
    eve = PatientFactory(home_location=location, given_name="Eve", family_name="Estrada")
    dan = PatientFactory(home_location=other_location, given_name="Dan", family_name="Uptown")
    visit = AppointmentFactory(location=location, practitioner=doctor, patient=ana, bookings=False,
                               start=NOW - dt.timedelta(days=5))
    _entry(ana, location, "charge", "100.00", 130)
    _entry(ana, location, "charge", "50.00", 75)
    _entry(ana, location, "charge", "80.00", 10)
    paid = _entry(ana, location, "payment", "-120.00", 5, method="cash", appointment=visit)
    _entry(ana, location, "refund", "20.00", 0, method="cash", refund_of=paid, appointment=visit)
    _entry(ben, location, "charge", "200.00", 45)
    _entry(ben, location, "charge", "40.00", 100)
    wrong = _entry(ben, location, "charge", "999.00", 20)
    _entry(ben, location, "reversal", "-999.00", 19, reverses=wrong)
    _entry(ben, location, "adjustment", "-40.00", 3)
    _entry(ben, location, "payment", "-10.00", 2, method="card", card_reference="T-1", card_last4="4242")
    _entry(cora, location, "charge", "30.00", 2)
    _entry(cora, location, "payment", "-50.00", 1, method="check", check_number="1001")
    _entry(eve, location, "charge", "10.00", dt.datetime(2026, 10, 24, 23, 30, tzinfo=NY))
    _entry(eve, location, "charge", "20.00", dt.datetime(2026, 10, 23, 23, 30, tzinfo=NY))
    _entry(dan, other_location, "charge", "500.00", 35)
    return {"doctor": doctor, "ana": ana, "ben": ben, "cora": cora, "eve": eve, "dan": dan}
