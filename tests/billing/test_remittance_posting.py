# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Posting an 835 by the set (#19: 10,000 claim payments in under a minute) and billing the next payer after it:
a file of many claim payments posts with a number of queries that does not grow with its claims, a file mixing
plain payments with a reversal and its correction posts each once; after a primary's answer leaves a balance
(the patient's share, a denial) the secondary claim is built for a patient with a secondary coverage, carrying
the primary's payment (held claims too), never twice, and a build that fails leaves the posting in place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import Claim, ClaimPosting, ClaimStatus, EntryKind, LedgerEntry, RemitClaim
from clinicdesk.billing.services import answer_file_read, balance_of, claim_build, claims_submit
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ServicePayment
from clinicdesk.practice.models import Organization

from .claim_fixtures import (  # noqa: F401
    clearwater,
    cover,
    fees,
    payer,
    posted_visit,
    practice,
    superbill,
    with_address,
)
from .claim_fixtures import (
    era_payment as _payment,
)

D = Decimal


def _two_lines(claim):
    """90.00 paid of 145.00 line by line (70 of the visit's 120, 20 of the drug's 25), 35.00 written off, 20.00
    the patient's."""
    services = [ServicePayment(code="HC:99213:25", procedure="99213", modifiers=["25"], charge=D("120.00"),
                               paid=D("70.00"), units=D(1),
                               adjustments=[Adjustment("CO", "45", D("30.00")), Adjustment("PR", "2", D("20.00"))]),
                ServicePayment(code="HC:J1885", procedure="J1885", modifiers=[], charge=D("25.00"), paid=D("20.00"),
                               units=D(2), adjustments=[Adjustment("CO", "45", D("5.00"))])]
    return ClaimPayment(claim_id=claim.claim_number, status="1", charge=D("145.00"), paid=D("90.00"),
                        patient_responsibility=D("20.00"), payer_claim_number="PCN-9", services=services)


def _read(biller, text):
    return answer_file_read(actor=biller, name="era.835", data=text.encode("ascii"))


def _sent_claims(biller, location, clearwater, count, tmp_path):
    claims = []
    for _n in range(count):
        bill = posted_visit(biller, location)
        cover(with_address(bill.patient), clearwater)
        claims.append(claim_build(actor=biller, superbill_id=bill.pk))
    claims_submit(actor=biller, to_dir=tmp_path)
    for claim in claims:
        claim.refresh_from_db()
    return claims


def test_many_claim_payments_post_with_queries_that_do_not_grow_with_them(biller, location, fees, practice,
                                                                          clearwater, tmp_path, clock):
    few = _sent_claims(biller, location, clearwater, 2, tmp_path / "few")
    many = _sent_claims(biller, location, clearwater, 7, tmp_path / "many")
    counts = []
    for claims, check in ((few, "Q1"), (many, "Q2")):
        text = fakeremit.remittance([_two_lines(c) for c in claims], check_number=check)
        with CaptureQueriesContext(connection) as queries:
            summary = _read(biller, text).summary
        assert summary["posted"] == [c.claim_number for c in claims] and summary["unmatched"] == []
        counts.append(len(queries))
    assert counts[1] <= counts[0] < 60, counts
    for claim in few + many:
        claim.refresh_from_db()
        assert (claim.status, claim.paid, claim.patient_responsibility) == (ClaimStatus.PAID, D("90.00"), D("20.00"))
        assert balance_of(claim.patient_id) == D("20.00")
        assert claim.events.filter(source="835", to_status=ClaimStatus.PAID).count() == 1
        assert list(claim.lines.order_by("position").values_list("paid", flat=True)) == [D("70.00"), D("20.00")]
    # every posting audited with its patient: the payment, the write-off and the claim's remittance
    entries = LedgerEntry.objects.exclude(kind=EntryKind.CHARGE)
    assert entries.count() == ClaimPosting.objects.count() == 27
    payments = AuditEntry.objects.filter(action="ledger.insurance_payment")
    assert {(int(a.resource_id), a.patient_id) for a in payments} == {
        (e.pk, e.patient_id) for e in entries.filter(kind=EntryKind.INSURANCE)}
    assert AuditEntry.objects.filter(action="ledger.insurance_adjustment").count() == 18
    assert {a.patient_id for a in AuditEntry.objects.filter(action="claim.remit")} == {
        c.patient_id for c in few + many}


def test_plain_payments_and_a_reversal_with_its_correction_in_one_file(biller, location, fees, practice,
                                                                       clearwater, tmp_path, clock):
    first, second, third = _sent_claims(biller, location, clearwater, 3, tmp_path)
    _read(biller, fakeremit.remittance([_payment(first, D("90.00"), D("20.00"))], check_number="R1"))
    reversal = _payment(first, D("-90.00"), D("-20.00"), status="22", contractual=D("-35.00"))
    unknown = ClaimPayment(claim_id="CD77777777", status="1", charge=D("50"), paid=D("50"),
                           patient_responsibility=D("0"))
    summary = _read(biller, fakeremit.remittance(
        [_payment(second, D("100.00"), D("10.00")), reversal, unknown, _payment(first, D("110.00"), D("0.00")),
         _payment(third, D("0"), D("0"), status="4", contractual=D("0"))], check_number="R2")).summary
    assert summary["posted"] == [second.claim_number, first.claim_number, first.claim_number, third.claim_number]
    assert summary["unmatched"] == ["CD77777777"]
    assert RemitClaim.objects.get(claim_ref="CD77777777").problem == "unmatched"
    for claim in (first, second, third):
        claim.refresh_from_db()
    assert (first.status, first.paid, balance_of(first.patient_id)) == (ClaimStatus.PAID, D("110.00"), D("0.00"))
    assert (second.status, second.paid, balance_of(second.patient_id)) == (ClaimStatus.PAID, D("100.00"),
                                                                            D("10.00"))
    assert (third.status, balance_of(third.patient_id)) == (ClaimStatus.DENIED, D("145.00"))
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2
    assert [e.to_status for e in first.events.filter(source="835").order_by("at", "pk")] == [
        ClaimStatus.PAID, ClaimStatus.ACCEPTED, ClaimStatus.PAID]


@pytest.fixture
def blue(superbill):
    plan = payer("Blue Plan", "BP01")
    cover(superbill.patient, plan, order=2, member_id="B555")
    return plan


def test_a_primary_answer_leaving_the_patient_share_builds_the_secondary_claim(biller, superbill, blue,
                                                                               tmp_path, clock):
    primary = claim_build(actor=biller, superbill_id=superbill.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    text = fakeremit.remittance([_payment(primary, D("90.00"), D("20.00"))], check_number="S1")
    summary = _read(biller, text).summary
    secondary = Claim.objects.get(superbill=superbill, sequence=2)
    assert summary["secondary"] == [secondary.claim_number] and summary["posted"] == [primary.claim_number]
    assert (secondary.payer_id, secondary.status, secondary.prior_paid) == (blue.pk, ClaimStatus.READY, D("90.00"))
    assert secondary.prior_payers[0]["payer_code"] == "CWH01"
    assert AuditEntry.objects.filter(action="claim.build", resource_id=str(secondary.pk),
                                     patient_id=superbill.patient_id).exists()
    assert balance_of(superbill.patient_id) == D("20.00")
    # the same file again, or the same check in another file: no second secondary claim
    assert _read(biller, text).repeated
    again = fakeremit.remittance([_payment(primary, D("90.00"), D("20.00"))], check_number="S1", control_number=2)
    assert _read(biller, again).summary["secondary"] == []
    assert Claim.objects.filter(superbill=superbill, sequence=2).count() == 1
    # building it by hand gives the same claim
    assert claim_build(actor=biller, superbill_id=superbill.pk, sequence=2).pk == secondary.pk


def test_a_denial_builds_the_secondary_claim_and_a_full_payment_does_not(biller, location, superbill, blue,
                                                                         clearwater, tmp_path, clock):
    primary = claim_build(actor=biller, superbill_id=superbill.pk)
    other = posted_visit(biller, location, hour=17)
    cover(with_address(other.patient), clearwater)
    cover(other.patient, blue, order=2, member_id="B777")
    settled = claim_build(actor=biller, superbill_id=other.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    denial = ClaimPayment(claim_id=primary.claim_number, status="4", charge=D("145.00"), paid=D("0"),
                          patient_responsibility=D("0"), adjustments=[Adjustment("CO", "50", D("145.00"))])
    summary = _read(biller, fakeremit.remittance([denial, _payment(settled, D("110.00"), D("0.00"))],
                                                 check_number="S2")).summary
    assert summary["secondary"] == [Claim.objects.get(superbill=superbill, sequence=2).claim_number]
    assert not Claim.objects.filter(superbill=other, sequence=2).exists()


def test_a_held_secondary_claim_is_built_and_a_failed_build_leaves_the_posting(biller, location, superbill, blue,
                                                                               clearwater, tmp_path, clock,
                                                                               monkeypatch):
    primary = claim_build(actor=biller, superbill_id=superbill.pk)
    other = posted_visit(biller, location, hour=17)
    cover(with_address(other.patient), clearwater)
    cover(other.patient, blue, order=2, member_id="B777")
    second = claim_build(actor=biller, superbill_id=other.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    Organization.objects.update(tax_id="")  # the scrubber holds every claim built from now on
    summary = _read(biller, fakeremit.remittance([_payment(primary, D("90.00"), D("20.00"))],
                                                 check_number="S3")).summary
    held = Claim.objects.get(superbill=superbill, sequence=2)
    assert summary["secondary"] == [held.claim_number] and held.status == ClaimStatus.HELD

    from clinicdesk.billing.services import remittance

    def refuse(**kwargs):
        raise ValidationFailed("no-coverage", "no")

    monkeypatch.setattr(remittance, "claim_build", refuse)
    summary = _read(biller, fakeremit.remittance([_payment(second, D("90.00"), D("20.00"))],
                                                 check_number="S4")).summary
    assert summary["posted"] == [second.claim_number] and summary["secondary"] == []
    second.refresh_from_db()
    assert second.status == ClaimStatus.PAID and balance_of(other.patient_id) == D("20.00")


def test_the_upload_message_says_how_many_secondary_claims_were_built(client, biller, superbill, blue, tmp_path,
                                                                      clock):
    primary = claim_build(actor=biller, superbill_id=superbill.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    text = fakeremit.remittance([_payment(primary, D("90.00"), D("20.00"))], check_number="S5")
    client.force_login(biller)
    response = client.post(reverse("billing:claims_answer"),
                           {"file": SimpleUploadedFile("era.835", text.encode("ascii"))}, follow=True)
    assert "1 claim to the next payer (secondary or tertiary) was built for what was left unpaid." in (
        response.content.decode())
