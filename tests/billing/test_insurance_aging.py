# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Insurance A/R aging by payer (#19 item 11): open claims' balances per payer in the aging buckets, aged from the
date of service; settled (paid) claims are left out; the table is on the aging report with its chart and CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from clinicdesk.billing.models import Claim
from clinicdesk.billing.report_claims_aging import insurance_aging
from clinicdesk.billing.report_selectors import payment_report
from clinicdesk.billing.services import claim_build
from clinicdesk.core.permissions import Role

from .claim_fixtures import clearwater, cover, fees, posted_visit, practice, with_address  # noqa: F401


def test_open_claims_age_by_payer_on_the_aging_report(signed_in, location, biller, fees, practice, clearwater,
                                                      clock):
    claims = []
    for n in range(3):
        bill = posted_visit(biller, location, hour=14 + n)
        with_address(bill.patient)
        cover(bill.patient, clearwater, member_id=f"W98765432{n}")
        claims.append(claim_build(actor=biller, superbill_id=bill.pk))
    Claim.objects.filter(pk=claims[1].pk).update(date_of_service=dt.date(2026, 7, 1), prior_paid=D("20.00"))
    Claim.objects.filter(pk=claims[2].pk).update(status="paid", paid=D("100.00"))  # settled: not owed by the payer
    charge = claims[0].total_charge
    found = insurance_aging(as_of=dt.date(2026, 11, 23), tz=ZoneInfo("America/New_York"), location_ids=[location.pk])
    assert found == [(clearwater.pk, clearwater.name, [charge, D("0.00"), D("0.00"), D("0.00"), charge - D("20.00")],
                      2)]
    report = payment_report(actor=biller, name="aging", params={"from": "2026-08-26", "to": "2026-11-23"})
    table = report.table("insurance-by-payer")
    assert table.rows == [[clearwater.name, 2, charge, D("0.00"), D("0.00"), D("0.00"), charge - D("20.00"),
                           charge * 2 - D("20.00")]]
    assert table.chart["stacked"] and table.chart["datasets"][0]["label"] == clearwater.name
    client = signed_in(Role.BILLING, at=location, language="es")
    page = client.get("/billing/reports/aging/?from=2026-08-26&to=2026-11-23").content.decode()
    assert "Cuentas por cobrar al seguro por aseguradora" in page
    csv = client.get("/billing/reports/aging/insurance-by-payer.csv?from=2026-08-26&to=2026-11-23")
    assert csv.status_code == 200 and clearwater.name in csv.content.decode()
