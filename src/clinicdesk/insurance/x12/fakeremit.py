"""Made-up payer answers to our claims, without a network: an 835 remittance, a 999 acknowledgement and a 277CA
claim acknowledgement, written from plain data. The tests, the benchmark and the demo use them; real files come
from the clearinghouse. Everything written here passes pyx12's validator (see the tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from . import envelope
from .e835 import Adjustment, ClaimPayment, ProviderAdjustment, ServicePayment
from .e837p import _money, _number

NOW = dt.datetime(2026, 12, 1, 9, 30)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Parties:
    payer_name: str = "CLEARWATER HEALTH"
    payer_id: str = "CWH01"
    payer_tax_id: str = "1512345678"  # TRN03: '1' + the payer's EIN
    payee_name: str = "RIVERSIDE MEDICAL"
    payee_npi: str = "1234567893"
    payee_tax_id: str = "123456789"
    sender_id: str = "CLEARHOUSE"
    receiver_id: str = "RIVERSIDE"


def _cas(adjustments: Sequence[Adjustment]) -> list[list[str]]:
    rows: list[list[str]] = []
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            row = ["CAS", group]
            for item in items[start:start + 6]:
                row += [item.reason, _money(item.amount), "" if item.quantity is None else _number(item.quantity)]
            rows.append(row)
    return rows


def claim_payment_rows(claim: ClaimPayment) -> list[list[str]]:
    rows = [["CLP", claim.claim_id, claim.status, _money(claim.charge), _money(claim.paid),
             "" if claim.patient_responsibility is None else _money(claim.patient_responsibility),
             claim.claim_filing or "12", claim.payer_claim_number or f"PCN{claim.claim_id}", "11",
             claim.frequency or "1"]]
    rows += _cas(claim.adjustments)
    patient = claim.patient or {"family_name": "DOE", "given_name": "JANE", "member_id": "W1"}
    rows.append(["NM1", "QC", "1", patient.get("family_name", ""), patient.get("given_name", ""), "", "", "",
                 "MI", patient.get("member_id", "W1")])
    if claim.remarks:
        rows.append(["MOA", "", "", *claim.remarks[:5]])
    if claim.dates.get("received"):
        rows.append(["DTM", "050", claim.dates["received"].replace("-", "")])
    for service in claim.services:
        rows.append(["SVC", service.code, _money(service.charge), _money(service.paid), "",
                     "" if service.units is None else _number(service.units)])
        if service.service_date:
            rows.append(["DTM", "472", service.service_date.strftime("%Y%m%d")])
        rows += _cas(service.adjustments)
        if service.control_number:
            rows.append(["REF", "6R", service.control_number])
        if service.allowed is not None:
            rows.append(["AMT", "B6", _money(service.allowed)])
        for remark in service.remarks:
            rows.append(["LQ", "HE", remark])
    return rows


def remittance(claims: Sequence[ClaimPayment], *, provider_adjustments: Sequence[ProviderAdjustment] = (),
               total_paid: Decimal | None = None, check_number: str = "EFT0001", method: str = "ACH",
               parties: Parties = Parties(), control_number: int = 1, created: dt.datetime = NOW) -> str:
    """An 835 paying `claims`; BPR02 is the balanced total (sum of CLP04 - sum of PLB) unless `total_paid` says
    otherwise (an unbalanced file)."""
    if total_paid is None:
        total_paid = (sum((c.paid for c in claims), ZERO)
                      - sum((a.amount for a in provider_adjustments), ZERO))
    day = created.strftime("%Y%m%d")
    if total_paid == 0:
        bpr = ["BPR", "H", "0", "C", "NON"] + [""] * 11 + [day]
    elif method == "CHK":
        bpr = ["BPR", "I", _money(total_paid), "C", "CHK"] + [""] * 11 + [day]
    else:
        bpr = ["BPR", "I", _money(total_paid), "C", "ACH", "CCP", "01", "011000015", "DA", "123456789",
               parties.payer_tax_id, "", "01", "021000021", "DA", "987654321", day]
    rows: list[list[str]] = [
        bpr,
        ["TRN", "1", check_number, parties.payer_tax_id],
        ["DTM", "405", day],
        ["N1", "PR", parties.payer_name],
        ["N3", "100 PAYER WAY"],
        ["N4", "HARTFORD", "CT", "061011234"],
        ["REF", "2U", parties.payer_id],
        ["PER", "BL", "EDI SUPPORT", "TE", "8005551234"],
        ["N1", "PE", parties.payee_name, "XX", parties.payee_npi],
        ["REF", "TJ", parties.payee_tax_id],
    ]
    if claims:
        rows.append(["LX", "1"])
        for claim in claims:
            rows += claim_payment_rows(claim)
    for start in range(0, len(provider_adjustments), 6):
        chunk = provider_adjustments[start:start + 6]
        first = chunk[0]
        row = ["PLB", first.provider_id or parties.payee_npi,
               (first.fiscal_date or created.date()).strftime("%Y%m%d")]
        for item in chunk:
            row += [f"{item.reason}:{item.reference}" if item.reference else item.reason, _money(item.amount)]
        rows.append(row)
    return envelope.write_plain(sender_id=parties.sender_id, receiver_id=parties.receiver_id,
                          control_number=control_number, functional_id="HP", application_sender=parties.sender_id,
                          application_receiver=parties.receiver_id, implementation="005010X221A1",
                          transactions=[("835", rows)], created=created, implementation_in_st=False)


def paid_claim(claim_id: str, charge: Decimal, paid: Decimal, *, patient: Decimal = ZERO, procedure: str = "99213",
               status: str = "1", service_date: dt.date = dt.date(2026, 11, 20)) -> ClaimPayment:
    """A claim paid with the rest written off by contract (CO 45) and the patient's share as PR 2 (co-insurance)."""
    contractual = charge - paid - patient
    adjustments = [Adjustment("CO", "45", contractual)] if contractual else []
    if patient:
        adjustments.append(Adjustment("PR", "2", patient))
    service = ServicePayment(code=f"HC:{procedure}", procedure=procedure, modifiers=[], charge=charge, paid=paid,
                             units=Decimal(1), service_date=service_date, allowed=paid + patient,
                             adjustments=adjustments)
    return ClaimPayment(claim_id=claim_id, status=status, charge=charge, paid=paid, patient_responsibility=patient,
                        services=[service])


# --- 999 ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SetError:
    segment: str  # IK301
    position: int  # IK302: the segment's position in the transaction set
    loop: str = ""  # IK303
    code: str = "8"  # IK304: 8 segment has data element errors
    element: int = 0  # IK401
    data_element: str = ""  # IK402
    element_code: str = "7"  # IK403: 7 invalid code value
    bad_value: str = ""  # IK404


@dataclass(frozen=True)
class SetAnswer:
    control_number: str  # AK202: the ST02 we sent
    errors: Sequence[SetError] = field(default_factory=tuple)
    code: str = "837"


def acknowledgement_999(answers: Sequence[SetAnswer], *, group_control_number: str, functional_id: str = "HC",
                        implementation: str = "005010X222A1", parties: Parties = Parties(), control_number: int = 1,
                        created: dt.datetime = NOW) -> str:
    rows: list[list[str]] = [["AK1", functional_id, group_control_number, implementation]]
    accepted = 0
    for answer in answers:
        rows.append(["AK2", answer.code, answer.control_number, implementation])
        for error in answer.errors:
            rows.append(["IK3", error.segment, str(error.position), error.loop, error.code])
            if error.element:
                rows.append(["IK4", str(error.element), error.data_element, error.element_code, error.bad_value])
        if answer.errors:
            rows.append(["IK5", "R", "5"])
        else:
            rows.append(["IK5", "A"])
            accepted += 1
    count = len(answers)
    status = "A" if accepted == count else ("R" if accepted == 0 else "P")
    rows.append(["AK9", status, str(count), str(count), str(accepted)])
    return envelope.write_plain(sender_id=parties.sender_id, receiver_id=parties.receiver_id,
                          control_number=control_number, functional_id="FA", application_sender=parties.sender_id,
                          application_receiver=parties.receiver_id, implementation="005010X231A1",
                          transactions=[("999", rows)], created=created)


# --- 277CA ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimAnswer:
    claim_id: str  # our CLM01, echoed in TRN*2
    charge: Decimal
    category: str = "A2"  # A1/A2 accepted, A3/A6/A7/A8 rejected
    status: str = "20"  # claim status code
    entity: str = ""  # STC01-3, the entity the status is about
    payer_claim_number: str = ""  # REF*1K
    family_name: str = "DOE"
    given_name: str = "JANE"
    member_id: str = "W1"
    service_date: dt.date = dt.date(2026, 11, 20)
    extra: Sequence[tuple[str, str]] = ()  # more (category, status) pairs, STC10/STC11


def claim_acknowledgement_277ca(answers: Sequence[ClaimAnswer], *, batch_reference: str = "000000012",
                                parties: Parties = Parties(), control_number: int = 1,
                                created: dt.datetime = NOW) -> str:
    day = created.strftime("%Y%m%d")
    accepted = [a for a in answers if a.category in ("A1", "A2", "A5")]
    rejected = [a for a in answers if a not in accepted]
    rows: list[list[str]] = [
        ["BHT", "0085", "08", batch_reference, day, created.strftime("%H%M"), "TH"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", parties.payer_name, "", "", "", "", "PI", parties.payer_id],
        ["TRN", "1", f"R{batch_reference}"],
        ["DTP", "050", "D8", day],
        ["DTP", "009", "D8", day],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", parties.payee_name, "", "", "", "", "46", parties.receiver_id],
        ["TRN", "2", batch_reference],
        ["STC", "A1:19", day, "WQ", _money(sum((a.charge for a in answers), ZERO))],
        ["QTY", "90", str(len(accepted))] if accepted else [],
        ["QTY", "AA", str(len(rejected))] if rejected else [],
        ["AMT", "YU", _money(sum((a.charge for a in accepted), ZERO))] if accepted else [],
        ["AMT", "YY", _money(sum((a.charge for a in rejected), ZERO))] if rejected else [],
        ["HL", "3", "2", "19", "1"],
        ["NM1", "85", "2", parties.payee_name, "", "", "", "", "XX", parties.payee_npi],
        ["TRN", "1", "0"],
        ["STC", "A1:19:85", "", "WQ", _money(sum((a.charge for a in answers), ZERO))],
    ]
    rows = [r for r in rows if r]
    for number, answer in enumerate(answers, start=4):
        ok = answer in accepted
        status = ":".join(p for p in (answer.category, answer.status, answer.entity) if p)
        stc = ["STC", status, day, "WQ" if ok else "U", _money(answer.charge)]
        if answer.extra:
            stc += ["", "", "", "", "", ":".join(answer.extra[0])]
            if len(answer.extra) > 1:
                stc.append(":".join(answer.extra[1]))
        rows += [
            ["HL", str(number), "3", "PT"],
            ["NM1", "QC", "1", answer.family_name, answer.given_name, "", "", "", "MI", answer.member_id],
            ["TRN", "2", answer.claim_id],
            stc,
        ]
        if answer.payer_claim_number:
            rows.append(["REF", "1K", answer.payer_claim_number])
        rows.append(["DTP", "472", "D8", answer.service_date.strftime("%Y%m%d")])
    return envelope.write_plain(sender_id=parties.sender_id, receiver_id=parties.receiver_id,
                          control_number=control_number, functional_id="HN", application_sender=parties.sender_id,
                          application_receiver=parties.receiver_id, implementation="005010X214",
                          transactions=[("277", rows)], created=created)
