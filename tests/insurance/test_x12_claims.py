"""The 837P claim batch (005010X222A1): every batch written here passes pyx12's `x12valid` with its shipped 5010
837P map; the NPI and EIN checks the scrubber uses; `clinicdesk x12 show` reads the batch back."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from clinicdesk.insurance.x12 import e837p, envelope
from clinicdesk.insurance.x12.e837p import (
    Address,
    Adjustment,
    BillingProvider,
    Claim,
    ClaimLine,
    LinePayment,
    OtherPayer,
    Payer,
    Person,
    Provider,
    Submitter,
    Subscriber,
)
from clinicdesk.insurance.x12.envelope import X12Error
from clinicdesk.insurance.x12.identifiers import ein_is_valid, ein_normalized, npi_check_digit, npi_is_valid
from clinicdesk.insurance.x12.show import show

X12VALID = Path(sys.executable).with_name("x12valid")
CREATED = dt.datetime(2026, 12, 1, 9, 30)
DOS = dt.date(2026, 11, 20)
HOME = Address("12 Main St", "Springfield", "IL", "62701-1234")
BILLING = BillingProvider("Riverside Medical", "1234567893", "12-3456789", HOME, taxonomy="207Q00000X")
SUBMITTER = Submitter("Riverside Medical", "RIVERSIDE", "Billing Office", "(555) 555-1234", "Clearinghouse",
                      "CLEARHOUSE")
ANA = Person("García", "Ana", dt.date(1980, 5, 17), "F", HOME, "W123456789")
CLEARWATER = Payer("Clearwater Health", "CWH01")
BLUE = Payer("Blue Plan", "BP01", "BL")
WELBY = Provider("Welby", "Marcus", "1245319599", "207Q00000X")


def x12valid(text: str, folder: Path, name: str = "claims.x12") -> tuple[bool, str]:
    """Run pyx12's x12valid on `text`. It always exits 1; its last line says '<file>: OK' or '<file>: Failure'."""
    path = folder / name
    path.write_text(text)
    done = subprocess.run([str(X12VALID), str(path)], capture_output=True, text=True, timeout=120, check=False,
                          cwd=folder)
    output = done.stdout + done.stderr
    verdicts = re.findall(rf"{re.escape(path.name)}: (OK|Failure)", output)
    return verdicts == ["OK"], output


def claim(**changes) -> Claim:
    base = dict(claim_id="CD-1001", subscriber=Subscriber(ANA, CLEARWATER, "GRP100"), diagnoses=["E11.9", "I10"],
                lines=[ClaimLine("99213", Decimal("125.00"), modifiers=("25",), pointers=(1, 2)),
                       ClaimLine("81002", Decimal("10.50"), pointers=(2,))],
                service_date=DOS, billing=BILLING)
    return Claim(**(base | changes))


def build(claims, **kwargs) -> str:
    return e837p.build(claims, submitter=SUBMITTER, control_number=kwargs.pop("control_number", 12),
                       created=CREATED, **kwargs)


def segments(text: str) -> list[envelope.Segment]:
    return [seg for t in envelope.read(text).transactions for seg in t.segments]


def find(text: str, sid: str, first: str | None = None) -> list[envelope.Segment]:
    return [s for s in segments(text) if s.id == sid and (first is None or s[1] == first)]


def test_an_original_claim_for_the_subscriber_passes_x12valid(tmp_path):
    text = build([claim()])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    (clm,) = find(text, "CLM")
    assert clm.elements[:5] == ["CD-1001", "135.5", "", "", "11:B:1"]
    assert [s[1] for s in find(text, "HL")] == ["1", "2"] and find(text, "SBR")[0][2] == "18"
    assert find(text, "REF", "EI")[0][2] == "123456789" and find(text, "N4")[0][3] == "627011234"


def test_a_claim_for_a_dependent_has_the_patient_level_and_passes(tmp_path):
    leo = Person("Garcia", "Leo", dt.date(2015, 1, 2), "M", HOME)
    text = build([claim(patient=leo, relationship="19")])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    assert [(s[1], s[2], s[3], s[4]) for s in find(text, "HL")] == [("1", "", "20", "1"), ("2", "1", "22", "1"),
                                                                   ("3", "2", "23", "0")]
    assert find(text, "PAT")[0][1] == "19" and find(text, "NM1", "QC")[0][3] == "GARCIA"
    assert find(text, "SBR")[0][2] == ""  # the subscriber is not the patient
    assert len(find(text, "DMG")) == 1  # the patient's only


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_and_void_claims_carry_the_payer_claim_number(tmp_path, frequency):
    text = build([claim(frequency=frequency, payer_claim_number="PCN2026-778")])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    assert find(text, "CLM")[0][5] == f"11:B:{frequency}"
    assert find(text, "REF", "F8")[0][2] == "PCN2026-778"


def test_a_replacement_without_the_payer_claim_number_is_refused():
    with pytest.raises(X12Error, match="payer claim number"):
        build([claim(frequency="7")])


def test_twelve_diagnoses_go_as_one_principal_then_eleven_others(tmp_path):
    codes = ["E11.9", "I10", "E78.5", "J06.9", "M54.50", "R51.9", "Z00.00", "K21.9", "F41.1", "G47.00", "N39.0",
             "L30.9"]
    text = build([claim(diagnoses=codes, lines=[ClaimLine("99214", Decimal(150), pointers=(1, 5, 9, 12))])])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    (hi,) = find(text, "HI")
    assert hi.elements[0] == "ABK:E119" and hi.elements[1:] == [f"ABF:{c.replace('.', '')}" for c in codes[1:]]
    assert find(text, "SV1")[0][7] == "1:5:9:12"
    with pytest.raises(X12Error, match="at most 12"):
        build([claim(diagnoses=[*codes, "R05.9"])])


def test_lines_carry_modifiers_units_pointers_dates_and_the_rendering_provider(tmp_path):
    lines = [ClaimLine("97110", Decimal("180"), units=Decimal(3), modifiers=("GP", "59", "KX", "XU"),
                       pointers=(2, 1), service_date=dt.date(2026, 11, 18), service_date_end=dt.date(2026, 11, 20),
                       referral_number="REF-L1", prior_authorization="AUTH-L1",
                       rendering=Provider("Jones", "Pat", "1679576722")),
             ClaimLine("99213", Decimal("95.5"), place_of_service="02")]
    text = build([claim(lines=lines, rendering=WELBY, referral_number="REF-77", prior_authorization="PA-99")])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    first, second = find(text, "SV1")
    assert first.elements == ["HC:97110:GP:59:KX:XU", "180", "UN", "3", "", "", "2:1"]
    assert second[1] == "HC:99213" and second[5] == "02" and second[7] == "1"
    assert [s[3] for s in find(text, "NM1", "82")] == ["WELBY", "JONES"]
    assert [s[3] for s in find(text, "DTP", "472")] == ["20261118-20261120", "20261120"]
    assert [s[2] for s in find(text, "REF", "9F")] == ["REF-77", "REF-L1"]
    assert [s[2] for s in find(text, "REF", "G1")] == ["PA-99", "AUTH-L1"]
    assert find(text, "CLM")[0][2] == "275.5"


def test_a_secondary_claim_carries_the_primary_payers_payment(tmp_path):
    primary = Subscriber(Person("Garcia", "Ana", member_id="BP-555"), BLUE, "BLUEGRP", responsibility="P")
    adjustments = (Adjustment("CO", "45", Decimal("25.50")), Adjustment("PR", "2", Decimal("20")),
                   Adjustment("PR", "1", Decimal("10")))
    paid = dt.date(2026, 11, 30)
    lines = [ClaimLine("99213", Decimal("135.50"), payments=(
        LinePayment("BP01", Decimal("80"), "99213", Decimal(1), paid, adjustments),))]
    secondary = claim(subscriber=Subscriber(ANA, CLEARWATER, "GRP100", responsibility="S"), lines=lines,
                      diagnoses=["E11.9"],
                      other_payers=(OtherPayer(primary, Decimal("80"), adjustments=adjustments, paid_date=paid),))
    text = build([secondary])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    sbrs = find(text, "SBR")
    assert [s[1] for s in sbrs] == ["S", "P"]
    assert find(text, "AMT", "D")[0][2] == "80"
    cas = find(text, "CAS")
    assert [c.elements for c in cas] == [["CO", "45", "25.5"], ["PR", "2", "20", "", "1", "10"]] * 2
    assert find(text, "SVD")[0].elements == ["BP01", "80", "HC:99213", "", "1"]
    assert find(text, "NM1", "PR")[1][9] == "BP01"


def test_a_batch_splits_into_transaction_sets_and_groups_billing_providers(tmp_path):
    other = BillingProvider("Lakeside Clinic", "1679576722", "27-1234567", HOME)
    claims = [claim(claim_id=f"CD-{i}", billing=BILLING if i % 2 else other) for i in range(5)]
    text = build(claims, per_transaction=2)
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    interchange = envelope.read(text)
    assert [len([s for s in t.segments if s.id == "CLM"]) for t in interchange.transactions] == [2, 2, 1]
    first = interchange.transactions[0].segments
    assert [s[9] for s in first if s.id == "NM1" and s[1] == "85"] == ["1679576722", "1234567893"]


def test_names_are_folded_to_x12_characters():
    text = build([claim(subscriber=Subscriber(Person("Núñez*O'Brien~", "Zoë", dt.date(1990, 1, 1), "F", HOME,
                                                     "W1"), CLEARWATER))])
    name = find(text, "NM1", "IL")[0]
    assert (name[3], name[4]) == ("NUNEZ O'BRIEN", "ZOE")


@pytest.mark.parametrize("changes, words", [
    (dict(lines=[]), "no service lines"),
    (dict(diagnoses=[]), "no diagnosis"),
    (dict(lines=[ClaimLine("99213", Decimal(10), pointers=(3,))]), "points to no diagnosis"),
    (dict(frequency="5"), "frequency code"),
])
def test_a_claim_that_cannot_be_written_is_refused_in_one_sentence(changes, words):
    with pytest.raises(X12Error, match=words):
        build([claim(**changes)])


def test_the_validator_catches_a_broken_837p(tmp_path):
    broken = build([claim()]).replace("HI*ABK:", "HI*ZZZ:")
    ok, report = x12valid(broken, tmp_path)
    assert not ok and "Failure" in report


def test_show_reads_the_837p_back():
    leo = Person("Garcia", "Leo", dt.date(2015, 1, 2), "M", HOME)
    text = build([claim(rendering=WELBY), claim(claim_id="CD-2", patient=leo, frequency="7",
                                                payer_claim_number="PCN1")])
    shown = show(text)
    assert shown["transaction"] == "837P" and shown["implementation"] == "005010X222A1"
    (provider,) = shown["billing_providers"]
    assert provider["npi"] == "1234567893" and provider["tax_id"] == "123456789"
    first, second = provider["claims"]
    assert first["claim_id"] == "CD-1001" and first["charge"] == "135.5" and first["diagnoses"] == ["E119", "I10"]
    assert first["lines"][0]["procedure"] == "99213" and first["lines"][0]["modifiers"] == ["25"]
    assert first["lines"][0]["pointers"] == ["1", "2"] and first["rendering"]["npi"] == "1245319599"
    assert first["subscriber"]["member_id"] == "W123456789" and first["subscriber"]["payer"]["id"] == "CWH01"
    assert second["frequency"] == "7" and second["payer_claim_number"] == "PCN1"
    assert second["patient"]["given_name"] == "LEO" and second["patient"]["relationship"] == "19"


def test_the_command_prints_an_837p(tmp_path):
    path = tmp_path / "batch.837"
    path.write_text(build([claim()]))
    out = io.StringIO()
    call_command("x12", "show", str(path), stdout=out)
    assert '"transaction": "837P"' in out.getvalue()


def test_money_is_written_as_x12_decimals():
    assert [e837p._money(Decimal(v)) for v in ("100.00", "10.50", "0.00", "-12.30", "7")] == [
        "100", "10.5", "0", "-12.3", "7"]


@pytest.mark.parametrize("npi, valid", [
    ("1234567893", True), ("1245319599", True), ("1679576722", True),
    ("1234567890", False), ("123456789", False), ("12345678931", False), ("3234567893", False),
    ("12345678a3", False), ("", False),
])
def test_npi_check_digit(npi, valid):
    assert npi_is_valid(npi) is valid


def test_npi_check_digit_from_its_first_nine_digits():
    assert npi_check_digit("123456789") == 3
    with pytest.raises(ValueError):
        npi_check_digit("12345")


@pytest.mark.parametrize("ein, normalized", [
    ("12-3456789", "123456789"), ("123456789", "123456789"), (" 27-1234567 ", "271234567"),
    ("00-1234567", None), ("07-1234567", None), ("89-1234567", None), ("12-345678", None),
    ("1-23456789", None), ("12 3456789", None), ("AB-1234567", None), ("", None),
])
def test_ein_format_and_prefix(ein, normalized):
    assert ein_normalized(ein) == normalized
    assert ein_is_valid(ein) is (normalized is not None)


def test_the_plain_writer_writes_what_pyx12s_writer_writes(monkeypatch):
    leo = Person("Garcia", "Leo", dt.date(2015, 1, 2), "M", HOME)
    claims = [claim(claim_id=f"CD-{i}", patient=leo if i % 2 else None, rendering=WELBY) for i in range(7)]
    plain = build(claims, per_transaction=3)
    monkeypatch.setattr(e837p.envelope, "write_plain", envelope.write)
    assert build(claims, per_transaction=3) == plain


def test_a_tertiary_claim_carries_both_earlier_payers(tmp_path):
    primary = OtherPayer(Subscriber(Person("Garcia", "Ana", member_id="BP-555"), BLUE, "BLUEGRP", "P"),
                         Decimal("80"), adjustments=(Adjustment("CO", "45", Decimal("25.50")),),
                         paid_date=dt.date(2026, 11, 30))
    secondary = OtherPayer(Subscriber(Person("Garcia", "Ana", member_id="M-1"), Payer("State Medicaid", "MCD01",
                                                                                        "MC"), "", "S"),
                           Decimal("20"), adjustments=(Adjustment("OA", "23", Decimal("10")),),
                           paid_date=dt.date(2026, 12, 5))
    text = build([claim(subscriber=Subscriber(ANA, CLEARWATER, "GRP100", "T"), other_payers=(primary, secondary),
                        lines=[ClaimLine("99213", Decimal("135.50"))], diagnoses=["E11.9"])])
    ok, report = x12valid(text, tmp_path)
    assert ok, report
    assert [s[1] for s in find(text, "SBR")] == ["T", "P", "S"]
    assert [s[2] for s in find(text, "AMT", "D")] == ["80", "20"]
    shown = show(text)["billing_providers"][0]["claims"][0]["other_payers"]
    assert [(o["responsibility"], o["paid"], o["payer"]["id"]) for o in shown] == [("P", "80", "BP01"),
                                                                                 ("S", "20", "MCD01")]
    assert shown[1]["adjustments"] == [{"group": "OA", "reason": "23", "amount": "10"}]


@pytest.mark.parametrize("changes, words", [
    (dict(subscriber=Subscriber(ANA, CLEARWATER, "GRP100", "S")), "names no earlier payer"),
    (dict(lines=[ClaimLine("99213", Decimal(10), pointers=(1, 2, 1, 2, 1))]), "more than 4"),
    (dict(lines=[ClaimLine("99213", Decimal(10), modifiers=("25", "59", "GT", "95", "XU"))]), "more than 4"),
    (dict(lines=[ClaimLine("99213", Decimal(10), units=Decimal(0))]), "no units"),
])
def test_lines_and_payers_a_payer_would_refuse_are_refused(changes, words):
    with pytest.raises(X12Error, match=words):
        build([claim(**changes)])
