"""The fast A/R aging (stored balances + the last 120 days) against the statement it replaced (the whole ledger
recomputed: report_aging_ledger.aging_from_ledger), on randomized small ledgers; and the stored balances
(LedgerBalance, kept by the ledger's trigger) against the ledger's sums.

Each ledger: patients at three locations in three time zones; charges, payments, raising and lowering
adjustments, refunds of payments and reversals (some the same instant as their entry, some later, some after the
"as of" day), entries on local midnight exactly (the bucket edges, DST days included), and entries after the
as-of day. Every as-of day, location choice, patient choice and payer filter must answer the same, cent for cent.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from clinicdesk.billing.balance_check import ledger_balance_mismatches, ledger_balances_rebuild
from clinicdesk.billing.models import LedgerBalance, LedgerEntry
from clinicdesk.billing.report_aging import PATIENT, Aging, aging_query
from clinicdesk.billing.report_aging_ledger import aging_from_ledger
from clinicdesk.billing.services import charge_post, entry_reverse, payment_collect
from clinicdesk.billing.services.payments import Tender
from clinicdesk.core.timezones import day_span_utc
from tests.factories import LocationFactory, PatientFactory

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
ZONES = [ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Honolulu")]
AS_OF = [dt.date(2026, 11, 23), dt.date(2026, 11, 2), dt.date(2026, 8, 15), dt.date(2026, 3, 9),
         dt.date(2027, 1, 10)]


def _answer(aging: Aging) -> tuple:
    return ([(r.patient_id, r.responsible, r.buckets) for r in aging.rows], aging.credit_total,
            aging.credit_accounts)


def _when(rng: random.Random, tz: ZoneInfo) -> dt.datetime:
    roll = rng.random()
    if roll < 0.15:  # local midnight exactly: where one bucket ends and the next begins
        day = NOW.date() - dt.timedelta(days=rng.choice((0, 1, 29, 30, 31, 59, 60, 61, 90, 91, 120, 121, 260)))
        return day_span_utc(day, tz)[0]
    if roll < 0.22:  # after "today" (the as-of day): taken back out of the stored balance
        return NOW + dt.timedelta(days=rng.randint(0, 50), minutes=rng.randint(0, 1440))
    return NOW - dt.timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))


def _cents(rng: random.Random, top: int = 50000) -> Decimal:
    return Decimal(rng.choice((1, 5, 99, 100, rng.randint(1, top)))) / 100


def _ledger(seed: int, places: list, patients: list) -> None:
    rng = random.Random(seed)
    made: list[LedgerEntry] = []
    reversed_ids: set[int] = set()
    for _n in range(160):
        patient, where = rng.choice(patients), rng.choice(places)
        when = _when(rng, where.tz)
        kind = rng.choices(("charge", "payment", "adjustment", "refund", "reversal"), (40, 30, 12, 6, 12))[0]
        values: dict = {"patient": patient, "location": where, "created_at": when, "description": kind, "kind": kind}
        if kind == "charge":
            values["amount"] = _cents(rng)
        elif kind == "payment":
            values.update(amount=-_cents(rng), method="cash")
        elif kind == "adjustment":
            values["amount"] = _cents(rng, 20000) * rng.choice((-1, 1))
        elif kind == "refund":
            payments = [e for e in made if e.kind == "payment"]
            if not payments:
                continue
            paid = rng.choice(payments)
            values.update(patient=paid.patient, location=paid.location, amount=_cents(rng, 3000), method="cash",
                          refund_of=paid, created_at=paid.created_at + dt.timedelta(hours=rng.randint(0, 900)))
        else:
            open_ = [e for e in made if e.kind != "reversal" and e.pk not in reversed_ids]
            if not open_:
                continue
            original = rng.choice(open_)
            later = dt.timedelta(0) if rng.random() < 0.2 else dt.timedelta(hours=rng.randint(1, 2000))
            values.update(patient=original.patient, location=original.location, amount=-original.amount,
                          method=original.method, reverses=original, created_at=original.created_at + later)
            reversed_ids.add(original.pk)
        made.append(LedgerEntry.objects.create(**values))


@pytest.fixture
def places(db):
    return [LocationFactory(name=f"Aging {n}", time_zone=str(tz)) for n, tz in enumerate(ZONES)]


@pytest.mark.parametrize("seed", range(6))
def test_fast_aging_equals_the_whole_ledger_recomputed(seed, places):
    patients = [PatientFactory(home_location=places[n % 3]) for n in range(7)]
    _ledger(seed, places, patients)
    assert ledger_balance_mismatches() == []
    ids = [p.pk for p in places]
    rng = random.Random(1000 + seed)
    choices: list[list[int] | None] = [None, ids, [ids[0]], [ids[1], ids[2]], []]
    for as_of in AS_OF:
        for location_ids in choices:
            tz = rng.choice(ZONES)
            for patient_ids in (None, [p.pk for p in rng.sample(patients, 3)]):
                for responsible in (None, PATIENT, 7):
                    args = {"as_of": as_of, "tz": tz, "location_ids": location_ids, "patient_ids": patient_ids,
                            "responsible": responsible}
                    assert _answer(aging_query(**args)) == _answer(aging_from_ledger(**args)), args
    # Not a vacuous comparison: the whole practice today has open balances in several buckets and a credit.
    today = aging_query(as_of=AS_OF[0], tz=ZONES[0], location_ids=None)
    assert today.rows and sum(1 for b in today.buckets if b) >= 2


def test_the_trigger_keeps_each_accounts_balance_through_the_services(biller, location, other_location, clock):
    patient = PatientFactory(home_location=location)
    charge = charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("120.50"),
                         description="Visit")
    LedgerEntry.objects.create(patient=patient, location=other_location, kind="charge", amount=Decimal("30.01"),
                               created_at=NOW)  # elsewhere, by any writer
    payment_collect(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("20.25"),
                    tender=Tender("cash"))
    entry_reverse(actor=biller, entry_id=charge.pk, reason="Wrong chart")
    stored = {(b.location_id): b.cents for b in LedgerBalance.objects.filter(patient=patient)}
    assert stored == {location.pk: -2025, other_location.pk: 3001}
    assert ledger_balance_mismatches() == []


def test_a_bulk_insert_is_counted_once_per_entry(location, other_location):
    patient = PatientFactory(home_location=location)
    LedgerEntry.objects.bulk_create([
        LedgerEntry(patient=patient, location=place, kind="charge", amount=Decimal("10.10"), created_at=NOW)
        for place in (location, other_location, location)])
    assert {b.location_id: b.cents for b in LedgerBalance.objects.filter(patient=patient)} == {
        location.pk: 2020, other_location.pk: 1010}


def test_a_tampered_balance_is_found_and_the_rebuild_restores_it(location, capsys):
    patient = PatientFactory(home_location=location)
    LedgerEntry.objects.create(patient=patient, location=location, kind="charge", amount=Decimal("5.00"),
                               created_at=NOW)
    LedgerBalance.objects.filter(patient=patient).update(cents=1)
    assert [(m.stored, m.ledger) for m in ledger_balance_mismatches()] == [(1, 500)]
    with pytest.raises(SystemExit):
        call_command("ledger_balances")
    assert ledger_balances_rebuild() == 1
    call_command("ledger_balances")
    assert "Every account balance equals its ledger." in capsys.readouterr().out
