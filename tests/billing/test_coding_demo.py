"""The demo practice's coded visits (#19): a fee schedule, usual codes, posted superbills and drafts."""

from __future__ import annotations

import datetime as dt

from clinicdesk.billing.demo import coding_demo
from clinicdesk.billing.models import EntryKind, FeeItem, LedgerEntry, Superbill, SuperbillStatus
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PractitionerFactory


def test_coding_demo_codes_the_latest_fulfilled_visits(db, clock, location):
    kind = AppointmentTypeFactory(code="follow-up")
    doctor = PractitionerFactory(location=location)
    for day in range(1, 6):
        AppointmentFactory(location=location, practitioner=doctor, appointment_type=kind, status="fulfilled",
                           bookings=False, start=dt.datetime(2026, 11, day, 15, 0, tzinfo=dt.UTC))
    made = coding_demo(per_location=3, drafts=2)
    assert made["posted"] == 3 and made["drafts"] == 2 and FeeItem.objects.filter(code="99213").count() == 2
    assert Superbill.objects.filter(status=SuperbillStatus.DRAFT).count() == 2
    assert LedgerEntry.objects.filter(kind=EntryKind.CHARGE).count() >= 3
