# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""What is pending with insurance is not billed to the patient (#19 items 8 and 11): the statement and the cycle
bill the amount due (the balance less the claims still with a payer) and show the rest apart; a balance wholly
pending gets no statement; the A/R aging splits each account between the payers and the patient, and its payer
filter keeps one payer's part or the patients'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.storage import default_storage

from clinicdesk.billing import services
from clinicdesk.billing.models import Claim, Statement
from clinicdesk.billing.pending_insurance import PENDING_WITH_INSURANCE, pending_claims, split
from clinicdesk.billing.report_selectors import payment_report
from clinicdesk.billing.statement_selectors import balance_page
from clinicdesk.core import clock as clock_module
from clinicdesk.core.exceptions import Conflict
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document
from tests.core.test_documents_l10n import pdf_text
from tests.factories import PatientFactory

from .claim_fixtures import clearwater, cover, fees, posted_visit, practice, with_address  # noqa: F401

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
Z = D("0.00")
VISIT = D("145.00")  # posted_visit: 99213 at 120.00 and J1885 twice at 12.50


@pytest.fixture
def accounts(biller, location, fees, practice, clearwater, clock):
    """Mixed: 60.00 of its own (40 days ago) and a visit of 145.00 on a claim not yet sent. Waiting: only a visit
    on a claim sent to Clearwater."""
    def visit_on_claim(patient, hour):
        bill = posted_visit(biller, location, patient=patient, hour=hour)
        with_address(patient)
        cover(patient, clearwater, member_id=f"W12345678{hour}")
        return services.claim_build(actor=biller, superbill_id=bill.pk)

    mixed = PatientFactory(home_location=location, family_name="Mixed", email="")
    waiting = PatientFactory(home_location=location, family_name="Waiting", email="")
    with clock_module.frozen_at(NOW - dt.timedelta(days=40)):
        services.charge_post(actor=biller, patient_id=mixed.pk, location_id=location.pk, amount=D("60.00"),
                             description="Self-pay visit")
    first = visit_on_claim(mixed, 14)
    second = visit_on_claim(waiting, 16)
    Claim.objects.filter(pk=first.pk).update(status="ready")
    Claim.objects.filter(pk=second.pk).update(status="submitted")
    return {"mixed": mixed, "waiting": waiting, "first": first, "second": second}


def test_statement_bills_only_what_is_not_pending_with_insurance(biller, accounts):
    mixed = accounts["mixed"]
    statement = services.statement_create(actor=biller, patient_id=mixed.pk, as_of=TODAY)
    assert statement.balance == D("60.00")  # the amount due: the visit on the claim is the payer's for now
    assert statement.buckets == [Z, D("60.00"), Z, Z, Z]
    document = Document.objects.get(pk=statement.document_id)
    with default_storage.open(document.storage_name, "rb") as handle:
        text = pdf_text(handle.read())
    assert "Pending with insurance" in text and "145.00" in text and "205.00" in text
    assert "Amount due: $60.00" in text
    page = balance_page(actor=biller, patient_id=mixed.pk)
    assert (page.balance, page.pending, page.due) == (D("205.00"), VISIT, D("60.00"))


def test_statement_cycle_skips_a_balance_wholly_pending_with_insurance(biller, accounts):
    mixed, waiting = accounts["mixed"], accounts["waiting"]
    plan = services.statement_cycle_preview(actor=biller, as_of=TODAY)
    due = {c.patient.pk: c for c in plan.due}
    assert set(due) == {mixed.pk}
    assert (due[mixed.pk].balance, due[mixed.pk].pending) == (D("60.00"), VISIT)
    assert {s.patient.pk: s.reason for s in plan.skipped} == {waiting.pk: "insurance"}
    assert [s.words for s in plan.skipped] == ["Pending with insurance"]
    with pytest.raises(Conflict) as refused:
        services.statement_create(actor=biller, patient_id=waiting.pk, as_of=TODAY)
    assert refused.value.code == "pending-insurance"
    assert [s.patient_id for s in services.statement_cycle_run(actor=biller, as_of=TODAY).created] == [mixed.pk]
    # Once the payer answered (paid in part, the rest the patient's), the balance is the patient's to pay.
    Claim.objects.filter(pk=accounts["second"].pk).update(status="partly-paid", paid=D("100.00"))
    later = services.statement_create(actor=biller, patient_id=waiting.pk, as_of=TODAY)
    assert later.balance == VISIT  # no 835 posted in this test: the whole ledger balance is now due
    assert Statement.objects.filter(patient=waiting).count() == 1


@pytest.mark.parametrize("status", ["held", "ready", "submitted", "accepted", "rejected"])
def test_claims_not_yet_answered_are_pending(biller, accounts, status):
    Claim.objects.filter(pk=accounts["second"].pk).update(status=status)
    assert status in PENDING_WITH_INSURANCE
    found = pending_claims(as_of=TODAY, tz=dt.UTC, patient_ids=[accounts["waiting"].pk])
    assert found == {accounts["waiting"].pk: {accounts["second"].payer_id: [VISIT, Z, Z, Z, Z]}}


@pytest.mark.parametrize("status", ["paid", "partly-paid", "denied", "replaced", "voided"])
def test_answered_or_dead_claims_are_not_pending(biller, accounts, status):
    Claim.objects.filter(pk=accounts["second"].pk).update(status=status)
    assert pending_claims(as_of=TODAY, tz=dt.UTC, patient_ids=[accounts["waiting"].pk]) == {}


def test_split_caps_the_payers_to_the_balance_and_ages_the_patients_part():
    # 100 new on a claim, 50 older the patient's own: the payer's 100 comes off the newest bucket.
    own, payers = split([D("100"), D("50"), Z, Z, Z], {7: [D("100"), Z, Z, Z, Z]})
    assert own == [Z, D("50"), Z, Z, Z] and payers == {7: [D("100"), Z, Z, Z, Z]}
    # A co-pay paid at the desk: the balance (70) is less than the claim (100): the payer's part is capped.
    own, payers = split([D("70"), Z, Z, Z, Z], {7: [D("100"), Z, Z, Z, Z]})
    assert own == [Z] * 5 and payers == {7: [D("70"), Z, Z, Z, Z]}
    # The charge was posted days after the date of service (a newer bucket): the claim's bucket moves newer.
    own, payers = split([D("80"), D("20"), Z, Z, Z], {7: [Z, D("80"), Z, Z, Z]})
    assert own == [D("20"), Z, Z, Z, Z] and sum(payers[7]) == D("80")


def test_aging_payer_filter_keeps_one_payer_or_the_patients(biller, accounts, clearwater):
    mixed, waiting = accounts["mixed"], accounts["waiting"]
    everyone = payment_report(actor=biller, name="aging", params={"to": "2026-11-23"})
    assert everyone.table("buckets").totals[1] == D("350.00")
    assert everyone.table("by-payer").rows == [
        ["Patients", Z, D("60.00"), Z, Z, Z, D("60.00")],
        [clearwater.name, VISIT * 2, Z, Z, Z, Z, VISIT * 2]]
    patients = everyone.table("by-patient").rows
    assert [(r[0], r[-1]) for r in patients] == [(mixed.display_name, D("205.00")),
                                                 (waiting.display_name, VISIT)]

    payer = payment_report(actor=biller, name="aging", params={"to": "2026-11-23", "payer": str(clearwater.pk)})
    assert payer.table("buckets").totals[1] == VISIT * 2
    assert [r[0] for r in payer.table("by-payer").rows] == [clearwater.name]
    assert sorted(r[-1] for r in payer.table("by-patient").rows) == [VISIT, VISIT]

    own = payment_report(actor=biller, name="aging", params={"to": "2026-11-23", "payer": "patient"})
    assert own.table("buckets").totals[1] == D("60.00")
    assert own.table("by-payer").rows == [["Patients", Z, D("60.00"), Z, Z, Z, D("60.00")]]
    assert [(r[0], r[-1]) for r in own.table("by-patient").rows] == [(mixed.display_name, D("60.00"))]
    assert own.table("insurance-by-payer").rows == []


def test_aging_page_filters_by_payer(signed_in, accounts, clearwater, location):
    client = signed_in(Role.BILLING, at=location)
    page = client.get(f"/billing/reports/aging/?to=2026-11-23&payer={clearwater.pk}").content.decode()
    assert accounts["waiting"].display_name in page and clearwater.name in page
    own = client.get("/billing/reports/aging/?to=2026-11-23&payer=patient").content.decode()
    assert accounts["mixed"].display_name in own and accounts["waiting"].display_name not in own


def test_a_copay_collected_on_the_visit_is_not_pending_and_a_later_fee_is_due(biller, accounts, location):
    waiting, claim = accounts["waiting"], accounts["second"]
    services.payment_collect(actor=biller, patient_id=waiting.pk, location_id=location.pk, amount=D("20.00"),
                             tender=services.Tender("cash"), appointment_id=claim.superbill.appointment_id,
                             copay=True)
    services.charge_post(actor=biller, patient_id=waiting.pk, location_id=location.pk, amount=D("35.00"),
                         description="Missed appointment fee")
    found = pending_claims(as_of=TODAY, tz=dt.UTC, patient_ids=[waiting.pk])
    assert found == {waiting.pk: {claim.payer_id: [VISIT - D("20.00"), Z, Z, Z, Z]}}  # open on the visit
    statement = services.statement_create(actor=biller, patient_id=waiting.pk, as_of=TODAY)
    assert statement.balance == D("35.00")
