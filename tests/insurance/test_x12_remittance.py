"""The payer's answers read into plain data: the 835 remittance (payments, adjustments of every group, reversals,
provider-level adjustments, the balance check), the 999 and the 277CA; `clinicdesk x12 show` prints them. The test
files come from the small builder `insurance/x12/fakeremit.py`, whose output passes pyx12's x12valid."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from clinicdesk.insurance.x12 import e277ca, e835, e999, envelope, fakeremit, remit_codes
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ProviderAdjustment, ServicePayment
from clinicdesk.insurance.x12.envelope import X12Error
from clinicdesk.insurance.x12.fakeremit import ClaimAnswer, SetAnswer, SetError
from clinicdesk.insurance.x12.show import show

from .test_x12_claims import x12valid

D = Decimal
NPI = "1234567893"


def paid() -> ClaimPayment:
    return fakeremit.paid_claim("CD-1", D("135.50"), D("80.00"), patient=D("20.00"))


def denied() -> ClaimPayment:
    line = ServicePayment("HC:99214:25", "99214", ["25"], D("150"), D("0"), D(1),
                          adjustments=[Adjustment("CO", "50", D("150"))], remarks=["N130", "M15"])
    return ClaimPayment("CD-2", "4", D("150"), D("0"), D("0"), services=[line], remarks=["N115"])


def mixed() -> ClaimPayment:
    """A secondary payment with OA, PI and PR at claim level, three triples in one CAS segment."""
    return ClaimPayment("CD-3", "2", D("100"), D("10"), D("5"),
                        adjustments=[Adjustment("OA", "23", D("60")), Adjustment("OA", "94", D("5")),
                                     Adjustment("OA", "253", D("5")), Adjustment("PI", "59", D("15")),
                                     Adjustment("PR", "1", D("5"))])


def reversal() -> ClaimPayment:
    """CLP02 22 takes back an earlier payment of 60 on CD-0 (amounts negative, the adjustments negated)."""
    return ClaimPayment("CD-0", "22", D("-100"), D("-60"), D("-10"), payer_claim_number="PCN-OLD",
                        adjustments=[Adjustment("CO", "45", D("-30")), Adjustment("PR", "3", D("-10"))])


PLB = [ProviderAdjustment(NPI, dt.date(2026, 12, 31), "WO", "OVP-77", D("12.50")),
       ProviderAdjustment(NPI, dt.date(2026, 12, 31), "L6", "", D("-1.25"))]


def full_835(**kwargs) -> str:
    claims = [paid(), denied(), mixed(), reversal(), fakeremit.paid_claim("CD-4", D("200"), D("150"))]
    return fakeremit.remittance(claims, provider_adjustments=PLB, **kwargs)


def test_the_test_835_passes_x12valid(tmp_path):
    ok, report = x12valid(full_835(), tmp_path, "remit.835")
    assert ok, report


def test_an_835_reads_the_payment_and_its_parties():
    (remit,) = e835.read(full_835(check_number="EFT20261201"))
    # 80 + 0 + 10 - 60 + 150 = 180 paid on claims; PLB 12.50 - 1.25 = 11.25 taken; 168.75 sent
    assert remit.total_paid == D("168.75") and isinstance(remit.total_paid, Decimal)
    assert (remit.method, remit.credit_debit, remit.handling) == ("ACH", "C", "I")
    assert remit.trace_number == "EFT20261201" and remit.payment_date == dt.date(2026, 12, 1)
    assert (remit.payer_name, remit.payer_id) == ("CLEARWATER HEALTH", "CWH01")
    assert (remit.payee_name, remit.payee_npi, remit.payee_tax_id) == ("RIVERSIDE MEDICAL", NPI, "123456789")
    assert remit.balanced and remit.difference == 0


def test_claim_payments_keep_status_amounts_and_every_cas_triple():
    (remit,) = e835.read(full_835())
    by_id = {c.claim_id: c for c in remit.claims}
    first = by_id["CD-1"]
    assert (first.status, first.charge, first.paid, first.patient_responsibility) == (
        "1", D("135.5"), D("80"), D("20"))
    (service,) = first.services
    assert [(a.group, a.reason, a.amount) for a in service.adjustments] == [("CO", "45", D("35.5")),
                                                                             ("PR", "2", D("20"))]
    assert service.allowed == D("100") and service.service_date == dt.date(2026, 11, 20)
    third = by_id["CD-3"]
    assert [(a.group, a.reason, a.amount) for a in third.adjustments] == [
        ("OA", "23", D("60")), ("OA", "94", D("5")), ("OA", "253", D("5")), ("PI", "59", D("15")),
        ("PR", "1", D("5"))]
    assert {a.group for c in remit.claims for a in c.adjustments + [x for s in c.services for x in s.adjustments]} \
        == {"CO", "PR", "OA", "PI"}


def test_a_denial_keeps_its_line_and_remark_codes():
    (remit,) = e835.read(full_835())
    claim = next(c for c in remit.claims if c.claim_id == "CD-2")
    assert claim.denied and claim.remarks == ["N115"]
    (line,) = claim.services
    assert (line.code, line.procedure, line.modifiers) == ("HC:99214:25", "99214", ["25"])
    assert line.remarks == ["N130", "M15"] and line.adjustments == [Adjustment("CO", "50", D("150"))]


def test_a_reversal_is_read_with_negative_amounts():
    (remit,) = e835.read(full_835())
    claim = next(c for c in remit.claims if c.claim_id == "CD-0")
    assert claim.reversal and claim.status == "22" and claim.payer_claim_number == "PCN-OLD"
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (D("-100"), D("-60"), D("-10"))
    assert [a.amount for a in claim.adjustments] == [D("-30"), D("-10")]


def test_provider_level_adjustments_enter_the_balance():
    (remit,) = e835.read(full_835())
    assert [(a.reason, a.reference, a.amount, a.fiscal_date) for a in remit.provider_adjustments] == [
        ("WO", "OVP-77", D("12.5"), dt.date(2026, 12, 31)), ("L6", "", D("-1.25"), dt.date(2026, 12, 31))]
    assert remit.claims_paid == D("180") and remit.provider_adjustment_total == D("11.25")


def test_an_unbalanced_835_says_by_how_much():
    (remit,) = e835.read(full_835(total_paid=D("200.00")))
    assert not remit.balanced and remit.difference == D("31.25")
    assert show(full_835(total_paid=D("200.00")))["balanced"] is False


def test_a_check_payment_and_an_advice_without_payment():
    (check,) = e835.read(fakeremit.remittance([paid()], method="CHK", check_number="100234"))
    assert (check.method, check.trace_number, check.total_paid) == ("CHK", "100234", D("80"))
    (advice,) = e835.read(fakeremit.remittance([denied()]))
    assert (advice.handling, advice.method, advice.total_paid, advice.balanced) == ("H", "NON", D("0"), True)


def test_the_cr_group_of_older_files_is_read_and_an_unknown_group_refused():
    text = fakeremit.remittance([reversal()])
    (remit,) = e835.read(text.replace("CAS*CO*45*-30", "CAS*CR*45*-30"))
    assert remit.claims[0].adjustments[0].group == "CR"
    with pytest.raises(X12Error, match="group 'ZZ'"):
        e835.read(text.replace("CAS*CO*45*-30", "CAS*ZZ*45*-30"))


def test_an_amount_that_is_not_a_number_is_refused():
    text = fakeremit.remittance([paid()]).replace("CLP*CD-1*1*135.5*80", "CLP*CD-1*1*135.5*8O")
    with pytest.raises(X12Error, match="CLP04 holds '8O'"):
        e835.read(text)


def test_show_prints_an_835_in_the_documented_shape():
    shown = show(full_835())
    assert shown["transaction"] == "835" and shown["total_paid"] == "168.75"
    first = shown["claims"][0]
    assert {k: first[k] for k in ("claim_id", "status", "charge", "paid", "patient_responsibility",
                                  "adjustments")} == {
        "claim_id": "CD-1", "status": "1", "charge": "135.5", "paid": "80", "patient_responsibility": "20",
        "adjustments": []}
    (service,) = first["services"]
    assert {k: service[k] for k in ("code", "charge", "paid", "adjustments")} == {
        "code": "HC:99213", "charge": "135.5", "paid": "80",
        "adjustments": [{"group": "CO", "reason": "45", "amount": "35.5"},
                        {"group": "PR", "reason": "2", "amount": "20"}]}
    third = shown["claims"][2]
    assert third["adjustments"] == [{"group": "OA", "reason": "23", "amount": "60"},
                                    {"group": "OA", "reason": "94", "amount": "5"},
                                    {"group": "OA", "reason": "253", "amount": "5"},
                                    {"group": "PI", "reason": "59", "amount": "15"},
                                    {"group": "PR", "reason": "1", "amount": "5"}]
    assert shown["claims"][3]["status"] == "22" and shown["claims"][3]["paid"] == "-60"
    assert shown["check_number"] == "EFT0001" and shown["payer"]["id"] == "CWH01"
    assert shown["provider_adjustments"][0] == {"provider_id": NPI, "reason": "WO", "reference": "OVP-77",
                                                "amount": "12.5", "fiscal_date": "2026-12-31"}
    assert shown["balanced"] is True and Decimal(shown["difference"]) == 0
    json.dumps(shown)


def test_total_paid_is_bpr02_as_written():
    text = full_835().replace("BPR*I*168.75*", "BPR*I*168.750*")
    assert show(text)["total_paid"] == "168.750"


def _run(path: str) -> tuple[int, str, str]:
    """`clinicdesk x12 show PATH` in this process (the subprocess path is tested in test_x12.py)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("x12", "show", path, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_command_prints_835_999_and_277ca_and_refuses_bad_input(tmp_path):
    files = {"remit.835": (full_835(), "835"),
             "ack.999": (fakeremit.acknowledgement_999([SetAnswer("0001")], group_control_number="12"), "999"),
             "ack.277": (fakeremit.claim_acknowledgement_277ca([ClaimAnswer("CD-1", D("135.5"))]), "277CA")}
    for name, (text, transaction) in files.items():
        (tmp_path / name).write_text(text)
        code, out, err = _run(str(tmp_path / name))
        assert code == 0, err
        assert json.loads(out)["transaction"] == transaction
    text = full_835()
    bad = {"short.835": (text[: len(text) // 2], "cut short"),
           "old.835": (text.replace("*00501*", "*00401*", 1), "5010"),
           "pdf.835": ("%PDF-1.4 not a remittance", "does not start with an ISA")}
    for name, (content, words) in bad.items():
        (tmp_path / name).write_text(content)
        code, out, err = _run(str(tmp_path / name))
        lines = err.strip().splitlines()
        assert code == 1 and out == "" and len(lines) == 1 and words in lines[0]


# --- 999 ------------------------------------------------------------------------------------------------------

def _999() -> str:
    return fakeremit.acknowledgement_999(
        [SetAnswer("0001"), SetAnswer("0002", [SetError("NM1", 16, "2010", "8", 9, "67", "7", "W1"),
                                               SetError("DMG", 18, "2010", "3")])],
        group_control_number="12")


def test_the_test_999_passes_x12valid(tmp_path):
    ok, report = x12valid(_999(), tmp_path, "ack.999")
    assert ok, report


def test_a_999_says_which_transaction_sets_were_accepted_and_why_not():
    interchange = envelope.read(_999())
    ack = e999.read_transaction(interchange.transactions[0], interchange)
    assert (ack.functional_id, ack.group_control_number, ack.version) == ("HC", "12", "005010X222A1")
    assert (ack.status, ack.included, ack.received, ack.accepted_count) == ("P", 2, 2, 1)
    assert [s.control_number for s in ack.accepted] == ["0001"]
    (rejected,) = ack.rejected
    assert rejected.control_number == "0002" and rejected.status == "R" and rejected.status_errors == ["5"]
    first, second = rejected.errors
    assert (first.segment, first.position, first.loop, first.code) == ("NM1", "16", "2010", "8")
    assert [(e.position, e.data_element, e.code, e.bad_value) for e in first.elements] == [("9", "67", "7", "W1")]
    assert (second.segment, second.code, second.elements) == ("DMG", "3", [])
    shown = show(_999())
    assert shown["transaction"] == "999" and shown["transaction_sets"][1]["accepted"] is False


# --- 277CA ----------------------------------------------------------------------------------------------------

def _277() -> str:
    return fakeremit.claim_acknowledgement_277ca(
        [ClaimAnswer("CD-1", D("135.5"), payer_claim_number="PCN-1"),
         ClaimAnswer("CD-2", D("150"), "A7", "21", "IL", extra=[("A7", "164")]),
         ClaimAnswer("CD-3", D("90"), "A6", "255")])


def test_the_test_277ca_passes_x12valid(tmp_path):
    ok, report = x12valid(_277(), tmp_path, "ack.277")
    assert ok, report


def test_a_277ca_says_which_claims_were_accepted_and_which_rejected():
    interchange = envelope.read(_277())
    ack = e277ca.read_transaction(interchange.transactions[0], interchange)
    assert ack.batch_reference == "000000012" and ack.payer_id == "CWH01"
    assert [c.claim_id for c in ack.accepted] == ["CD-1"]
    assert [c.claim_id for c in ack.rejected] == ["CD-2", "CD-3"]
    first = ack.claims[0]
    assert first.payer_claim_number == "PCN-1" and first.charge == D("135.5")
    second = ack.claims[1]
    assert [(s.category, s.code, s.entity) for s in second.statuses] == [("A7", "21", "IL"), ("A7", "164", "")]
    shown = show(_277())
    assert shown["transaction"] == "277CA" and (shown["accepted"], shown["rejected"]) == (1, 2)
    assert shown["claims"][2]["statuses"] == [{"category": "A6", "code": "255", "entity": None}]


def test_a_277_without_hl_loops_is_refused():
    text = _277()
    interchange = envelope.read(text)
    transaction = interchange.transactions[0]
    transaction.segments = [s for s in transaction.segments if s.id == "BHT"]
    with pytest.raises(X12Error, match="no HL loops"):
        e277ca.read_transaction(transaction, interchange)


# --- words ----------------------------------------------------------------------------------------------------

def test_codes_read_in_words_in_english_and_spanish():
    with translation.override("en"):
        assert remit_codes.adjustment_words("CO", "45") == "Contractual obligation: Charge exceeds the fee schedule"
        assert remit_codes.describe(remit_codes.RARC, "N130") == "Consult the plan's benefit documents for coverage"
        assert remit_codes.describe(remit_codes.CARC, "9999") == "Code 9999"
    with translation.override("es"):
        assert remit_codes.describe(remit_codes.ADJUSTMENT_GROUP, "PR") == "Responsabilidad del paciente"
        assert remit_codes.describe(remit_codes.CLAIM_STATUS, "22") == "Reversión de un pago anterior"


def test_an_835_with_other_delimiters_reads_the_same():
    text = full_835()
    odd = text.replace("*", "|").replace(":", ">").replace("~\n", "!")
    (remit,) = e835.read(odd)
    first = remit.claims[0]
    assert first.services[0].code == "HC>99213" and first.services[0].procedure == "99213"
    assert [(a.reason, a.reference) for a in remit.provider_adjustments] == [("WO", "OVP-77"), ("L6", "")]
    assert remit.balanced


def test_the_835_reader_refuses_another_transaction():
    with pytest.raises(X12Error, match="not an 835"):
        e835.read(_999())
