"""Payment reports (#19): every figure checked against a small ledger worked out by hand.

The world, as of Monday 2026-11-23 (the frozen clock; Downtown keeps New York time), 10:00 local unless said:
  Ana   charge 100.00 130 days ago, 50.00 75 days ago, 80.00 10 days ago; paid 120.00 cash 5 days ago (for a visit
        with Dr Payne), 20.00 of it refunded in cash today.            Balance 130.00: 0-30 100.00, 61-90 30.00
  Ben   charge 200.00 45 days ago, 40.00 100 days ago, a 999.00 charge 20 days ago reversed the next day; written
        off 40.00 3 days ago; paid 10.00 by card 2 days ago.           Balance 190.00: 31-60 190.00
  Cora  charge 30.00 2 days ago, paid 50.00 by check yesterday.       A credit of 20.00
  Eve   charge 10.00 on 2026-10-24 at 23:30 (30 days: 0-30) and 20.00 on 2026-10-23 at 23:30 (31 days: 31-60),
        already the next day in UTC.                                   Balance 30.00
  Dan   (Uptown) charge 500.00 35 days ago.
Downtown: 0-30 110.00, 31-60 210.00, 61-90 30.00, total 350.00. Over 2026-08-26..2026-11-23 (90 days): charges
390.00 (the reversed 999.00 nets out; Ben's 40.00 is older), adjustments -40.00, payments 180.00, refunds 20.00:
collection rate 160/390 = 41.0 %, net 160/350 = 45.7 %, days in A/R 350 / (390/90) = 80.8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.report_aging import aging_query
from clinicdesk.billing.report_selectors import payment_report
from clinicdesk.core.exceptions import NotFound, PermissionDenied
from clinicdesk.core.permissions import Role
from tests.billing.report_world import NY, _entry, build_world
from tests.factories import PatientFactory, UserFactory

PERIOD = {"from": "2026-08-26", "to": "2026-11-23"}
D = Decimal


@pytest.fixture
def world(location, other_location, clock):
    return build_world(location, other_location)


@pytest.fixture
def biller(location):
    return UserFactory(role=Role.BILLING, location=location)


def _rows(report, key):
    return {row[0]: row[1:] for row in report.table(key).rows}


def test_aging_buckets_fifo_per_patient_with_reversals_dropped(world, location):
    aging = aging_query(as_of=dt.date(2026, 11, 23), tz=NY, location_ids=[location.pk])
    by_patient = {row.patient_id: row.buckets for row in aging.rows}
    assert by_patient == {
        world["ana"].pk: [D("100.00"), D("0.00"), D("30.00"), D("0.00"), D("0.00")],
        world["ben"].pk: [D("0.00"), D("190.00"), D("0.00"), D("0.00"), D("0.00")],
        world["eve"].pk: [D("10.00"), D("20.00"), D("0.00"), D("0.00"), D("0.00")],
    }
    assert aging.buckets == [D("110.00"), D("210.00"), D("30.00"), D("0.00"), D("0.00")]
    assert aging.total == D("350.00")
    assert (aging.credit_total, aging.credit_accounts) == (D("20.00"), 1)  # Cora
    assert [row.patient_id for row in aging.rows] == [world["ben"].pk, world["ana"].pk, world["eve"].pk]


def test_aging_as_of_an_earlier_day_ignores_later_entries_and_keeps_the_unreversed_charge(world, location):
    # As of 20 days ago (Nov 3): Ben's 999.00 is posted and not yet reversed; Ana has not paid yet.
    aging = aging_query(as_of=dt.date(2026, 11, 3), tz=NY, location_ids=[location.pk])
    by_patient = {row.patient_id: row.buckets for row in aging.rows}
    assert by_patient[world["ben"].pk] == [D("1199.00"), D("0.00"), D("40.00"), D("0.00"), D("0.00")]
    assert by_patient[world["ana"].pk] == [D("0.00"), D("50.00"), D("0.00"), D("100.00"), D("0.00")]


def test_aging_report_figures_by_payer_patient_and_rates(world, biller):
    report = payment_report(actor=biller, name="aging", params=PERIOD)
    buckets = _rows(report, "buckets")
    assert [v[0] for v in buckets.values()] == [D("110.00"), D("210.00"), D("30.00"), D("0.00"), D("0.00")]
    assert report.table("buckets").totals[1] == D("350.00")
    assert _rows(report, "by-payer") == {"Patients": [D("110.00"), D("210.00"), D("30.00"), D("0.00"), D("0.00"),
                                                      D("350.00")]}
    patients = report.table("by-patient").rows
    assert [row[0] for row in patients] == ["Bravo, Ben", "Arias, Ana", "Estrada, Eve"]
    assert patients[1][2:] == [D("100.00"), D("0.00"), D("30.00"), D("0.00"), D("0.00"), D("130.00")]
    facts = dict(report.facts)
    assert facts["Total A/R"] == "$350.00"
    assert facts["Days in A/R"] == "80.8"
    assert facts["Collection rate"] == "41.0 %"
    assert facts["Net collection rate"] == "45.7 %"
    assert facts["Credit balances"] == "$20.00"


def _payer_pays_eve(world, location):
    """A payer's 835 for Eve, posted 4 days ago (Thursday 2026-11-19): 12.00 paid and a 6.00 contractual
    write-off; and a 30.00 payment posted 6 days ago that the payer took back 4 days ago (a reversal)."""
    eve = world["eve"]
    _entry(eve, location, "insurance", "-12.00", 4, description="Aetna paid claim C1")
    _entry(eve, location, "adjustment", "-6.00", 4, description="Contractual obligation (CO 45)")
    taken_back = _entry(eve, location, "insurance", "-30.00", 6, description="Aetna paid claim C0")
    _entry(eve, location, "reversal", "30.00", 4, reverses=taken_back)


def test_collection_rates_count_the_payers_payments_and_their_write_offs(world, location, biller):
    """Charges 390.00, adjustments -40.00 - 6.00 = -46.00, the patients' 180.00 less 20.00 refunded and the payer's
    12.00 (its reversed 30.00 left out): collection rate 172/390 = 44.1 %, net 172/(390 - 46) = 50.0 %."""
    _payer_pays_eve(world, location)
    report = payment_report(actor=biller, name="aging", params=PERIOD)
    facts = dict(report.facts)
    assert (facts["Collection rate"], facts["Net collection rate"]) == ("44.1 %", "50.0 %")
    measures = dict(report.table("collection").rows)
    assert measures["Adjustments in the period"] == "-$46.00"
    assert measures["Payments received, less refunds"] == "$172.00"
    payments = payment_report(actor=biller, name="payments", params=PERIOD)  # still the patients' own money
    assert _rows(payments, "by-payer") == {"Patients": [D("180.00"), D("20.00"), D("160.00")]}


def test_day_sheet_counts_a_payers_payment_as_money_received(world, location, biller):
    _payer_pays_eve(world, location)
    report = payment_report(actor=biller, name="day-sheet", params={"to": "2026-11-19"})
    assert _rows(report, "totals") == {"Downtown": [D("0.00"), D("12.00"), D("-6.00"), D("0.00"), D("30.00"),
                                                    D("12.00")]}
    assert [row[3] for row in report.table("entries").rows] == ["Insurance payment", "Adjustment", "Reversal"]
    assert dict(report.facts)["Money received"] == "$12.00"


def test_aging_by_patient_is_audited_with_the_patients_shown(world, biller):
    payment_report(actor=biller, name="aging", params=PERIOD)
    entry = AuditEntry.objects.get(action="report.aging_patients")
    assert sorted(entry.detail["patients"]) == sorted([world["ana"].pk, world["ben"].pk, world["eve"].pk])


def test_day_sheet_totals_and_entries(world, biller):
    report = payment_report(actor=biller, name="day-sheet", params={"to": "2026-11-21"})
    assert _rows(report, "totals") == {"Downtown": [D("30.00"), D("10.00"), D("0.00"), D("0.00"), D("0.00"),
                                                    D("20.00")]}
    entries = report.table("entries").rows
    assert [(row[2], row[3], row[6]) for row in entries] == [("Bravo, Ben", "Payment", D("-10.00")),
                                                            ("=Cruz, Cora", "Charge", D("30.00"))]
    assert AuditEntry.objects.filter(action="report.day_sheet").count() == 1


def test_day_sheet_counts_a_reversal_on_its_own_day(world, biller):
    report = payment_report(actor=biller, name="day-sheet", params={"to": "2026-11-04"})
    assert _rows(report, "totals")["Downtown"] == [D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("-999.00"),
                                                   D("-999.00")]


def test_deposits_by_day_and_method(world, biller):
    report = payment_report(actor=biller, name="deposits", params=PERIOD)
    table = report.table("deposits")
    assert table.columns == ["Day", "Cash", "Check", "Card", "Online (patient portal)", "Total"]
    assert [[row[0].isoformat(), *row[1:]] for row in table.rows] == [
        ["2026-11-18", D("120.00"), D("0.00"), D("0.00"), D("0.00"), D("120.00")],
        ["2026-11-21", D("0.00"), D("0.00"), D("10.00"), D("0.00"), D("10.00")],
        ["2026-11-22", D("0.00"), D("50.00"), D("0.00"), D("0.00"), D("50.00")],
        ["2026-11-23", D("-20.00"), D("0.00"), D("0.00"), D("0.00"), D("-20.00")],
    ]
    assert table.totals[1:] == [D("100.00"), D("50.00"), D("10.00"), D("0.00"), D("160.00")]


def test_payments_by_payer_and_by_provider(world, biller):
    report = payment_report(actor=biller, name="payments", params=PERIOD)
    assert _rows(report, "by-payer") == {"Patients": [D("180.00"), D("20.00"), D("160.00")]}
    assert _rows(report, "by-provider") == {"Paula Payne, MD": [D("120.00"), D("20.00"), D("100.00")],
                                            "Not tied to a visit": [D("60.00"), D("0.00"), D("60.00")]}
    narrowed = payment_report(actor=biller, name="payments", params={**PERIOD, "provider": str(world["doctor"].pk)})
    assert _rows(narrowed, "by-provider") == {"Paula Payne, MD": [D("120.00"), D("20.00"), D("100.00")]}


def test_reports_need_billing_read_and_reports_read(world, location, clerk):
    compliance = UserFactory(role=Role.COMPLIANCE, location=location)
    for actor in (clerk, compliance):  # the desk reads accounts but not reports; compliance the reverse
        with pytest.raises(PermissionDenied):
            payment_report(actor=actor, name="aging", params={})


def test_a_biller_of_another_location_sees_only_theirs(world, location, other_location):
    uptown = UserFactory(role=Role.BILLING, location=other_location)
    report = payment_report(actor=uptown, name="aging", params={"to": "2026-11-23"})
    assert [row[0] for row in report.table("by-patient").rows] == ["Uptown, Dan"]
    with pytest.raises(NotFound):
        payment_report(actor=uptown, name="aging", params={"location": str(location.pk)})


def test_the_coordinator_sees_the_whole_practice(world, location):
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)
    report = payment_report(actor=coordinator, name="aging", params={"to": "2026-11-23"})
    assert report.table("buckets").totals[1] == D("850.00")


def test_payer_filter_picks_the_patients_or_a_payer(world, biller):
    from clinicdesk.patients.models import Payer

    payer = Payer.objects.create(name="Acme Health")
    mine = payment_report(actor=biller, name="aging", params={**PERIOD, "payer": "patient"})
    assert mine.table("buckets").totals[1] == D("350.00")
    theirs = payment_report(actor=biller, name="aging", params={**PERIOD, "payer": str(payer.pk)})
    assert theirs.table("buckets").totals[1] == D("0.00")  # nothing is on a claim yet


def test_page_csv_and_pdf(world, location, signed_in):
    client = signed_in(Role.BILLING)
    page = client.get("/billing/reports/aging/", PERIOD)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="chart-buckets-data"' in html and 'id="chart-buckets-data"' in html
    assert "Bravo, Ben" in html and "<details" in html
    answer = client.get("/billing/reports/day-sheet/entries.csv", {"to": "2026-11-21"})
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["Time", "Location", "Patient", "Kind", "Description", "Method", "Amount"]
    assert rows[2][2] == "'=Cruz, Cora" and rows[1][6] == "-10.00"  # a formula neutralised; a number kept
    assert client.get("/billing/reports/aging/by-patient.csv", PERIOD).content.decode().splitlines()[1].startswith(
        '"Bravo, Ben",')
    pdf = client.get("/billing/reports/aging.pdf", PERIOD)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/billing/reports/nothing/").status_code == 404
    assert client.get("/billing/reports/aging/nothing.csv").status_code == 404


def test_spanish_page(world, signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR, language="es")
    html = client.get("/billing/reports/aging/", PERIOD).content.decode()
    assert "Informes de pagos" in html and "Antigüedad de saldos" in html


def test_aging_page_query_count_does_not_grow_with_patients(world, biller, django_assert_max_num_queries):
    for n in range(15):
        patient = PatientFactory(home_location=world["ana"].home_location)
        _entry(patient, patient.home_location, "charge", "5.00", n)
    with django_assert_max_num_queries(25):
        payment_report(actor=biller, name="aging", params=PERIOD)
