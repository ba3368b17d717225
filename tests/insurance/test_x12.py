"""X12 read and write: the 270 we send (checked against the TR3 map with pyx12's validator), the 271s we read,
and `clinicdesk x12 show`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from clinicdesk.insurance.x12 import e270, e271, envelope
from clinicdesk.insurance.x12.envelope import X12Error
from clinicdesk.insurance.x12.show import show

from .clearinghouse import answer_271
from .tr3 import validate_270

CREATED = dt.datetime(2026, 11, 23, 15, 0)
PARTNERS = e270.Partners("CLINICDESK", "CLEARINGHOUSE")
ANA = e270.Person("García", "Ana", dt.date(1980, 5, 17), "F", "W123456789")


def inquiry(**changes):
    base = dict(trace_number="CD0001", payer_name="Clearwater Health", payer_id="CWH01",
                provider_name="Riverside Medical", provider_npi="1234567893", subscriber=ANA,
                service_date=dt.date(2026, 11, 24), service_types=("30",))
    return e270.Inquiry(**(base | changes))


def test_a_270_for_the_subscriber_passes_the_tr3_map(tmp_path):
    text = e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED)
    ok, report = validate_270(text, tmp_path)
    assert ok, report


def test_a_270_for_a_dependent_passes_the_tr3_map(tmp_path):
    parent = e270.Person("Garcia", "Luis", dt.date(1975, 1, 2), "M", "W999")
    text = e270.build([inquiry(subscriber=parent, dependent=ANA, service_types=("98", "BZ"))], partners=PARTNERS,
                      control_number=8, created=CREATED)
    ok, report = validate_270(text, tmp_path)
    assert ok, report


def test_a_batch_of_270s_passes_the_tr3_map(tmp_path):
    text = e270.build([inquiry(trace_number=f"CD{i}") for i in range(3)], partners=PARTNERS, control_number=9,
                      created=CREATED)
    ok, report = validate_270(text, tmp_path)
    assert ok, report


def test_the_validator_catches_a_broken_270(tmp_path):
    text = e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED)
    broken = text.replace("NM1*IL*1*", "NM1*ZZ*1*")
    ok, report = validate_270(broken, tmp_path)
    assert not ok and report


def test_names_are_upper_case_x12_characters_without_separators():
    text = e270.build([inquiry(subscriber=e270.Person("O'Brien*Smith~", "Zoë", None, "", "W1"))],
                      partners=PARTNERS, control_number=1, created=CREATED)
    name = next(s for s in envelope.read(text).transactions[0].segments if s.id == "NM1" and s[1] == "IL")
    assert (name[3], name[4]) == ("O'BRIEN SMITH", "ZOE")


def test_the_reader_takes_the_delimiters_from_the_isa():
    text = answer_271(e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED))
    odd = text.replace("*", "|").replace("~\n", "!").replace("^", "}").replace("|:!", "|>!")
    (answer,) = e271.read(odd)
    assert answer.active and answer.first("A").service_types == ["98", "UC"]


def test_a_271_reads_into_benefits_with_decimal_money():
    (answer,) = e271.read(answer_271(e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED)))
    assert answer.trace_number == "CD0001" and answer.active and answer.plan == "GOLD PPO 2000"
    assert answer.remaining("C") == Decimal("612.45") and isinstance(answer.remaining("C"), Decimal)
    assert answer.first("B", "98", in_network=False).amount == Decimal("60")
    pcp = next(b for b in answer.benefits if b.info == "L")
    assert pcp.related == [{"entity": "P3", "name": "MARCUS WELBY", "id": "1245319599"}]
    assert answer.subscriber["family_name"] == "GARCIA"  # the LS/LE provider did not replace the patient


@pytest.mark.parametrize("text, words", [
    ("hello world", "does not start with an ISA"),
    ("", "does not start with an ISA"),
    ("ISA*00*short~", "damaged"),
])
def test_bad_input_is_one_plain_error(text, words):
    with pytest.raises(X12Error, match=words):
        envelope.read(text)


def _sample_271() -> str:
    return answer_271(e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED))


def test_truncated_and_wrong_version_files_are_refused():
    text = _sample_271()
    with pytest.raises(X12Error, match="cut short"):
        envelope.read(text[: len(text) - 40])
    with pytest.raises(X12Error, match="5010"):
        envelope.read(text.replace("*00501*", "*00401*", 1))
    with pytest.raises(X12Error, match="not 5010"):
        envelope.read(text.replace("005010X279A1", "004010X092A1"))


def test_show_prints_a_271_in_the_documented_shape():
    shown = show(_sample_271())
    assert shown["transaction"] == "271"
    assert set(shown["benefits"][0]) == {"info", "coverage_level", "service_types", "insurance_type", "plan",
                                         "period", "amount", "percent", "in_network"}
    copay = shown["benefits"][1]
    assert copay == {"info": "B", "coverage_level": "IND", "service_types": ["98"], "insurance_type": "PR",
                     "plan": None, "period": "27", "amount": "25", "percent": None, "in_network": True}
    assert shown["benefits"][3]["percent"] == "0.2" and shown["benefits"][3]["amount"] is None
    assert shown["rejections"] == []
    assert shown["subscriber"]["member_id"] == "W123456789" and shown["payer"]["id"] == "CWH01"


def test_show_prints_rejections_with_code_and_action():
    text = answer_271(e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED),
                      case="rejected")
    assert show(text)["rejections"] == [{"code": "75", "action": "C"}]


def test_show_prints_a_270():
    shown = show(e270.build([inquiry(service_types=("98", "BZ"))], partners=PARTNERS, control_number=7,
                            created=CREATED))
    assert shown["transaction"] == "270" and shown["service_types"] == ["98", "BZ"]
    assert shown["subscriber"]["member_id"] == "W123456789" and shown["trace_number"] == "CD0001"


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clinicdesk", "x12", "show", *args], capture_output=True,
                          text=True, input=stdin, timeout=120, check=False)


def test_the_command_prints_json_and_refuses_bad_input_in_one_line(tmp_path):
    good = tmp_path / "answer.271"
    good.write_text(_sample_271())
    bad = tmp_path / "not.x12"
    bad.write_text("PDF-1.4 nothing here")
    short = tmp_path / "short.271"
    short.write_text(_sample_271()[:300])
    done = _run(str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["transaction"] == "271"
    for path, words in ((bad, "does not start with an ISA"), (short, "cut short"),
                        (tmp_path / "missing.271", "cannot read")):
        failed = _run(str(path))
        assert failed.returncode == 1 and failed.stdout == ""
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0]


def test_the_command_reads_every_271_the_clearinghouse_answers(tmp_path):
    """The 271s of the suite's clearinghouse cases (except the broken one) print to the documented JSON."""
    sent = e270.build([inquiry()], partners=PARTNERS, control_number=7, created=CREATED)
    for case in ("active", "inactive", "rejected", "other-patient"):
        path = tmp_path / f"{case}.271"
        path.write_text(answer_271(sent, case=None if case == "active" else case))
        shown = json.loads(_run(str(path)).stdout)
        assert shown["transaction"] == "271" and isinstance(shown["benefits"], list)


def test_the_command_reads_standard_input():
    done = _run("-", stdin=_sample_271())
    assert done.returncode == 0 and json.loads(done.stdout)["transaction"] == "271"
