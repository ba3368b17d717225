"""The demo practice's revenue history (#19 item 12), on a small demo world: claims in every state the services
reach, the payers' answers read (999, 277CA, 835 with a denial and a PLB), insurance payments on the
ledger, and the budget's insurance collections are those payments."""

from __future__ import annotations

import time

from clinicdesk.billing.budget_selectors import collections_by_month
from clinicdesk.billing.demo import coding_demo
from clinicdesk.billing.demo_revenue import revenue_demo
from clinicdesk.billing.models import (
    AnswerFile,
    Claim,
    ClaimStatus,
    EntryKind,
    LedgerEntry,
    Remittance,
    Superbill,
)
from clinicdesk.core import clock as clock_module
from clinicdesk.demo.builder import DemoBuilder
from clinicdesk.patients.demo import demo_patient_records
from clinicdesk.practice.models import Practitioner


def test_demo_revenue_history_has_claims_in_every_state_and_posted_remittances(db, clock, tmp_path, capsys):
    builder = DemoBuilder(seed=5)
    locations, _practitioners, rooms, types = builder.build_practice()
    rows = builder.build_patients(160, locations)
    demo_patient_records(seed=5)
    practitioners = list(Practitioner.objects.prefetch_related("locations").order_by("pk"))
    builder.build_appointments(12, practitioners, rooms, types, rows)  # six weeks of history
    coding_demo(per_location=2, drafts=1)
    started = time.perf_counter()
    report = revenue_demo(seed=5, visits=45, outbox=tmp_path)
    with capsys.disabled():
        print(f"\nrevenue_demo ({report.visits} visits, {report.claims} claims): {time.perf_counter() - started:.2f} s")

    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {ClaimStatus.HELD, ClaimStatus.READY, ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.REJECTED,
            ClaimStatus.PAID, ClaimStatus.PARTLY_PAID, ClaimStatus.DENIED} <= statuses, report.statuses
    assert Claim.objects.filter(status=ClaimStatus.HELD).exclude(edits=[]).exists()
    assert Superbill.objects.filter(status="draft").exists()  # coded visits not yet billed
    assert {"999", "277ca", "835"} <= set(AnswerFile.objects.values_list("kind", flat=True))
    remittances = Remittance.objects.all()
    assert remittances.exists() and all(r.reconciled for r in remittances)
    assert sum(1 for r in remittances if r.provider_adjustments) == 1
    denied = Claim.objects.filter(status=ClaimStatus.DENIED).first()
    assert denied.remits.get().adjustments[0]["group"] == "CO"
    payments = LedgerEntry.objects.filter(kind=EntryKind.INSURANCE)
    assert payments.exists() and LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    assert Claim.objects.filter(patient_responsibility__gt=0).exists()
    # the budget's insurance collections are the ledger's insurance payments (by month and location)
    today = clock_module.now().date()
    ids = [loc.pk for loc in locations]
    collected = {k: v.insurance for k, v in collections_by_month(location_ids=ids, year=today.year).items()}
    assert sum(collected.values()) == -sum(e.amount for e in payments if e.created_at.year == today.year) > 0
    assert any(amount > 0 for amount in collected.values())
    # what the patients owe after their payers answered: statements, a payment plan, a dispute
    assert report.patient_billing.get("statement", 0) >= 1, report.patient_billing
    assert report.patient_billing.get("plan") == 1 and report.patient_billing.get("dispute") == 1
    assert (tmp_path / Claim.objects.exclude(batch=None).first().batch.file_name).exists()
