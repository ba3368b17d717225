# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Sending claims and reading the answers (#19 items 3-5): `clinicdesk claims submit` writes one 837P batch of the
ready claims (x12valid passes it; a held claim is never sent), the folder channel, the 999 and the 277CA moving
statuses (idempotent), and the 835 posted: payments, every adjustment group, a reversal, PLB, a re-read file,
unknown claims and an unbalanced file on the worklist; the secondary claim carries the primary's payment."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from clinicdesk.billing.claim_words import reason_words
from clinicdesk.billing.models import ClaimStatus, EntryKind, LedgerEntry, RemitClaim, Remittance
from clinicdesk.billing.services import answer_file_read, balance_of, claim_build, claims_submit
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ProviderAdjustment
from clinicdesk.patients.models import SubscriberRelationship
from tests.insurance.test_x12_claims import x12valid

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


def _submit(tmp_path):
    out = io.StringIO()
    call_command("claims", "submit", "--to-dir", str(tmp_path), stdout=out)
    return out.getvalue(), [p.read_text() for p in sorted(tmp_path.glob("837P-*.x12"))]


def _read(biller, text, name="answer.x12"):
    return answer_file_read(actor=biller, name=name, data=text.encode("ascii"))


def _ready_claim(biller, superbill):
    return claim_build(actor=biller, superbill_id=superbill.pk)


def test_submit_sends_ready_claims_in_one_batch_that_passes_x12valid(biller, location, fees, practice, clearwater,
                                                                       superbill, tmp_path, clock):
    mine = _ready_claim(biller, superbill)
    child = with_address(posted_visit(biller, location, hour=16).patient)
    cover(child, clearwater, member_id="W999", relationship=SubscriberRelationship.CHILD,
          subscriber_family_name="Garcia", subscriber_given_name="Luis", subscriber_birth_date="1979-03-02",
          subscriber_sex="male")
    dependent = claim_build(actor=biller, superbill_id=child_superbill(child).pk)
    printed, files = _submit(tmp_path / "out")
    assert len(files) == 1 and "Sent 2 claims" in printed and mine.claim_number in printed
    ok, report = x12valid(files[0], tmp_path)
    assert ok, report
    for claim in (mine, dependent):
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.SUBMITTED and claim.batch_set == "0001"
    assert "*22*1~\nSBR*P**GRP100" in files[0] and "*23*0~\nPAT*19~" in files[0]
    again, files = _submit(tmp_path / "again")
    assert again.strip() == "No claim is ready to send." and files == []


def child_superbill(child):
    from clinicdesk.billing.models import Superbill

    return Superbill.objects.get(patient=child)


def test_a_held_claim_is_never_sent(biller, superbill, tmp_path, clock):
    from clinicdesk.practice.models import Organization

    Organization.objects.update(tax_id="")
    assert _ready_claim(biller, superbill).status == ClaimStatus.HELD
    printed, files = _submit(tmp_path)
    assert "No claim is ready" in printed and files == []


def test_submit_drops_the_batch_in_the_clearinghouse_folder(biller, superbill, tmp_path, clock):
    claim = _ready_claim(biller, superbill)
    with override_settings(CLEARINGHOUSE_FOLDER_OUTBOUND=str(tmp_path / "outbound"), CLEARINGHOUSE_SFTP_HOST=""):
        report = claims_submit(actor=biller)
    assert report.channel == "folder" and [c.pk for c in report.claims] == [claim.pk]
    assert (tmp_path / "outbound" / report.file_name).read_text().startswith("ISA*")


def test_a_999_rejecting_the_set_rejects_its_claims_once(biller, superbill, tmp_path, clock):
    claim = _ready_claim(biller, superbill)
    batch = claims_submit(actor=biller, to_dir=tmp_path).batch
    text = fakeremit.acknowledgement_999([fakeremit.SetAnswer("0001", [fakeremit.SetError("NM1", 8, "2010AA")])],
                                         group_control_number=str(batch.control_number))
    assert _read(biller, text).summary["rejected"] == [claim.claim_number]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.answer_reasons[0]["kind"] == "999"
    with translation.override("en"):
        assert "segment NM1: Segment has data element errors" in reason_words(claim.answer_reasons[0])
    assert _read(biller, text).repeated and claim.events.filter(to_status="rejected").count() == 1


def test_a_277ca_accepts_one_claim_and_rejects_another_with_reasons(biller, location, superbill, clearwater,
                                                                      tmp_path, clock):
    first = _ready_claim(biller, superbill)
    other = posted_visit(biller, location, hour=17)
    cover(with_address(other.patient), clearwater)
    second = claim_build(actor=biller, superbill_id=other.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    text = fakeremit.claim_acknowledgement_277ca([
        fakeremit.ClaimAnswer(first.claim_number, D("145"), payer_claim_number="PCN-1"),
        fakeremit.ClaimAnswer(second.claim_number, D("145"), category="A7", status="164", entity="IL"),
        fakeremit.ClaimAnswer("CD99999999", D("10"))])
    summary = _read(biller, text).summary
    assert (summary["accepted"], summary["rejected"], summary["unmatched"]) == (
        [first.claim_number], [second.claim_number], ["CD99999999"])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.payer_claim_number) == (ClaimStatus.ACCEPTED, "PCN-1")
    assert second.status == ClaimStatus.REJECTED
    with translation.override("en"):
        assert reason_words(second.answer_reasons[0]) == (
            "Rejected for invalid information: Entity's contract or member number is missing or invalid")


def test_an_835_posts_payment_write_off_and_patient_share_once(biller, superbill, tmp_path, clock):
    claim = _ready_claim(biller, superbill)
    claims_submit(actor=biller, to_dir=tmp_path)
    before = balance_of(superbill.patient_id)
    plb = ProviderAdjustment("1234567893", None, "L6", "INT1", D("-2.50"))  # interest added to the payment
    text = fakeremit.remittance([_payment(claim, D("90.00"), D("20.00"))], provider_adjustments=[plb],
                                check_number="EFT777")
    summary = _read(biller, text).summary
    assert summary["posted"] == [claim.claim_number]
    claim.refresh_from_db()
    assert (claim.status, claim.paid, claim.patient_responsibility, claim.payer_claim_number) == (
        ClaimStatus.PAID, D("90.00"), D("20.00"), "PCN-9")
    assert balance_of(superbill.patient_id) == before - D("90.00") - D("35.00") == D("20.00")
    kinds = sorted(LedgerEntry.objects.filter(patient_id=superbill.patient_id).exclude(kind="charge")
                   .values_list("kind", "amount"))
    assert kinds == [(EntryKind.ADJUSTMENT, D("-35.00")), (EntryKind.INSURANCE, D("-90.00"))]
    remittance = Remittance.objects.get()
    assert (remittance.total_paid, remittance.reconciled, remittance.trace_number) == (D("92.50"), True, "EFT777")
    # the same check again, in another file (another interchange number): nothing posted twice
    again = fakeremit.remittance([_payment(claim, D("90.00"), D("20.00"))], provider_adjustments=[plb],
                                 check_number="EFT777", control_number=2)
    assert _read(biller, again).summary["problems"][0]["problem"] == "already-read"
    assert balance_of(superbill.patient_id) == D("20.00") and Remittance.objects.count() == 1


def test_a_reversal_undoes_the_payment_and_a_correction_posts_again(biller, superbill, tmp_path, clock):
    claim = _ready_claim(biller, superbill)
    claims_submit(actor=biller, to_dir=tmp_path)
    _read(biller, fakeremit.remittance([_payment(claim, D("90.00"), D("20.00"))], check_number="C1"))
    reversal = _payment(claim, D("-90.00"), D("-20.00"), status="22", contractual=D("-35.00"))
    correction = _payment(claim, D("100.00"), D("10.00"))
    _read(biller, fakeremit.remittance([reversal, correction], check_number="C2"))
    claim.refresh_from_db()
    assert (claim.status, claim.paid, claim.patient_responsibility) == (ClaimStatus.PAID, D("100.00"), D("10.00"))
    assert balance_of(superbill.patient_id) == D("10.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2
    assert Remittance.objects.get(trace_number="C2").reconciled


def test_other_groups_write_off_and_a_denial_posts_nothing(biller, location, superbill, clearwater, tmp_path,
                                                           clock):
    claim = _ready_claim(biller, superbill)
    other = posted_visit(biller, location, hour=17)
    cover(with_address(other.patient), clearwater)
    denied = claim_build(actor=biller, superbill_id=other.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    mixed = ClaimPayment(claim_id=claim.claim_number, status="1", charge=D("145.00"), paid=D("100.00"),
                         patient_responsibility=D("0"),
                         adjustments=[Adjustment("OA", "23", D("30.00")), Adjustment("PI", "59", D("15.00"))])
    refusal = ClaimPayment(claim_id=denied.claim_number, status="4", charge=D("145.00"), paid=D("0"),
                           patient_responsibility=D("0"), adjustments=[Adjustment("CO", "50", D("145.00"))])
    _read(biller, fakeremit.remittance([mixed, refusal], check_number="C3"))
    assert balance_of(superbill.patient_id) == D("0.00")
    denied.refresh_from_db()
    assert denied.status == ClaimStatus.DENIED and balance_of(other.patient_id) == D("145.00")


def test_unknown_claims_and_unbalanced_files_go_to_the_worklist(biller, superbill, tmp_path, clock):
    claim = _ready_claim(biller, superbill)
    claims_submit(actor=biller, to_dir=tmp_path)
    unknown = ClaimPayment(claim_id="CD77777777", status="1", charge=D("50"), paid=D("50"),
                           patient_responsibility=D("0"))
    _read(biller, fakeremit.remittance([unknown], check_number="C4"))
    assert RemitClaim.objects.get(claim_ref="CD77777777").problem == "unmatched"
    _read(biller, fakeremit.remittance([_payment(claim, D("90.00"), D("20.00"))], check_number="C5",
                                       total_paid=D("95.00")))
    assert RemitClaim.objects.get(claim_ref=claim.claim_number).problem == "unbalanced"
    assert balance_of(superbill.patient_id) == D("145.00")
    assert not Remittance.objects.get(trace_number="C5").reconciled


def test_the_secondary_claim_carries_the_primary_payment_and_passes(biller, superbill, clearwater, tmp_path, clock):
    blue = payer("Blue Plan", "BP01")
    cover(superbill.patient, blue, order=2, member_id="B555")
    primary = _ready_claim(biller, superbill)
    claims_submit(actor=biller, to_dir=tmp_path / "one")
    _read(biller, fakeremit.remittance([_payment(primary, D("90.00"), D("20.00"))], check_number="C6"))
    secondary = claim_build(actor=biller, superbill_id=superbill.pk, sequence=2)
    assert secondary.status == ClaimStatus.READY and secondary.prior_paid == D("90.00")
    assert secondary.prior_payers[0]["payer_code"] == "CWH01"
    _printed, files = _submit(tmp_path / "two")
    ok, report = x12valid(files[0], tmp_path)
    assert ok, report
    assert "SBR*S*18" in files[0] and "AMT*D*90" in files[0] and "CAS*PR*2*20" in files[0]
