"""The professional claim, 837P (005010X222A1): a batch written from plain data, and read back for `x12 show`.

Loops written, per transaction set (at most `MAX_CLAIMS_PER_TRANSACTION` claims, the TR3's advice of 5,000):
1000A submitter (NM1*41, PER*IC), 1000B receiver (NM1*40); per billing provider 2000A (HL 20, PRV*BI) with
2010AA (NM1*85 with the NPI, N3, N4, REF*EI the tax id); per claim 2000B subscriber (HL 22, SBR with the payer
responsibility P/S/T, 18 when the subscriber is the patient) with 2010BA (NM1*IL, N3/N4/DMG when the subscriber
is the patient) and 2010BB (NM1*PR, the payer id); for a dependent 2000C (HL 23, PAT relationship) with 2010CA
(NM1*QC, N3, N4, DMG); 2300 claim (CLM with place of service, frequency 1 original / 7 replacement / 8 void,
REF*9F referral, REF*G1 prior authorization, REF*F8 the payer's claim control number for 7 and 8, HI with ABK
then up to 11 ABF diagnoses), 2310B rendering provider (NM1*82, PRV*PE), 2320 other payers for secondary and
tertiary claims (SBR, claim-level CAS, AMT*D paid, OI) with 2330A (NM1*IL) and 2330B (NM1*PR), and the 2400
lines (LX, SV1 with modifiers, units and diagnosis pointers, DTP*472 service date, REF*9F/G1) with their 2420A
rendering provider and 2430 earlier payers' line adjudication (SVD, CAS, DTP*573).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import envelope
from .e270 import _ALLOWED
from .envelope import Interchange, Transaction, X12Error

IMPLEMENTATION = "005010X222A1"
MAX_CLAIMS_PER_TRANSACTION = 5000
MAX_DIAGNOSES = 12
FREQUENCY_ORIGINAL, FREQUENCY_REPLACEMENT, FREQUENCY_VOID = "1", "7", "8"
# SBR09 claim filing indicator: CI commercial, MB Medicare part B, MC Medicaid, BL Blue Cross, HM HMO, ...
CLAIM_FILING = frozenset({"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM",
                          "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"})
RELATIONSHIPS = frozenset({"01", "19", "20", "21", "39", "40", "53", "G8"})  # PAT01, patient to subscriber


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str  # 5 or 9 digits (the billing provider needs 9)
    line2: str = ""


@dataclass(frozen=True)
class BillingProvider:
    name: str
    npi: str
    tax_id: str  # EIN, 9 digits
    address: Address
    taxonomy: str = ""  # PRV*BI*PXC
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class Person:
    family_name: str
    given_name: str
    birth_date: dt.date | None = None
    sex: str = "U"  # F, M, U
    address: Address | None = None
    member_id: str = ""


@dataclass(frozen=True)
class Payer:
    name: str
    payer_id: str
    claim_filing: str = "CI"  # SBR09


@dataclass(frozen=True)
class Subscriber:
    person: Person  # with member_id
    payer: Payer
    group_number: str = ""
    responsibility: str = "P"  # SBR01: P primary, S secondary, T tertiary


@dataclass(frozen=True)
class Provider:
    """A rendering provider (NM1*82): a person with an NPI."""
    family_name: str
    given_name: str
    npi: str
    taxonomy: str = ""


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class LinePayment:
    """What an earlier payer paid on one line (2430)."""
    payer_id: str  # the 2330B payer's id
    paid: Decimal
    procedure: str
    units: Decimal
    paid_date: dt.date
    adjustments: Sequence[Adjustment] = ()
    modifiers: Sequence[str] = ()


@dataclass(frozen=True)
class OtherPayer:
    """An earlier (or other) payer on a secondary or tertiary claim (2320/2330A/2330B)."""
    subscriber: Subscriber  # the other policy: its subscriber, payer, group, responsibility (P for the primary)
    paid: Decimal  # AMT*D
    relationship: str = "18"  # SBR02: the patient to that subscriber (18 self)
    adjustments: Sequence[Adjustment] = ()  # claim-level CAS
    paid_date: dt.date | None = None  # DTP*573 in 2330B


@dataclass(frozen=True)
class ClaimLine:
    procedure: str  # CPT/HCPCS
    charge: Decimal
    units: Decimal = Decimal(1)
    modifiers: Sequence[str] = ()  # up to 4
    pointers: Sequence[int] = (1,)  # 1-based positions in the claim's diagnoses, up to 4
    service_date: dt.date | None = None  # default: the claim's
    service_date_end: dt.date | None = None
    place_of_service: str = ""  # when it differs from the claim's
    rendering: Provider | None = None  # when it differs from the claim's
    referral_number: str = ""
    prior_authorization: str = ""
    payments: Sequence[LinePayment] = ()  # 2430, for secondary claims


@dataclass(frozen=True)
class Claim:
    claim_id: str  # CLM01, the patient control number (ours), up to 20 characters
    subscriber: Subscriber
    diagnoses: Sequence[str]  # ICD-10-CM, the principal first (dots allowed, dropped)
    lines: Sequence[ClaimLine]
    service_date: dt.date
    billing: BillingProvider
    patient: Person | None = None  # when the patient is a dependent of the subscriber
    relationship: str = "19"  # PAT01 for a dependent: 19 child, 01 spouse, ...
    place_of_service: str = "11"
    frequency: str = FREQUENCY_ORIGINAL
    payer_claim_number: str = ""  # REF*F8, required for 7 and 8
    rendering: Provider | None = None
    referral_number: str = ""  # REF*9F
    prior_authorization: str = ""  # REF*G1
    other_payers: Sequence[OtherPayer] = ()
    provider_signature: bool = True
    assignment: bool = True
    release_of_information: str = "Y"

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class Submitter:
    name: str
    submitter_id: str  # NM1*41 ... 46
    contact_name: str
    contact_phone: str  # ten digits
    receiver_name: str
    receiver_id: str  # NM1*40 ... 46
    sender_id: str = ""  # ISA06/GS02, defaults to submitter_id
    isa_receiver_id: str = ""  # ISA08/GS03, defaults to receiver_id
    usage: str = "P"


_TO_X12 = str.maketrans({chr(i): (chr(i) if chr(i) in _ALLOWED else " ") for i in range(128)})


def _clean(text: str, width: int) -> str:
    """e270's cleaning (upper case ASCII, accents folded, X12 characters only, spaces collapsed), faster: the
    batch of 10,000 claims cleans some 150,000 names and codes."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.upper().translate(_TO_X12).split())[:width]


def _money(value: Decimal) -> str:
    """X12 R: no trailing zeros after the point, no point for whole amounts, minus sign when negative."""
    quantized = value.quantize(Decimal("0.01"))
    text = format(quantized, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _d8(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _address(address: Address | None) -> list[list[str]]:
    if address is None:
        return []
    rows = [["N3", _clean(address.line1, 55)] + ([_clean(address.line2, 55)] if address.line2 else [])]
    rows.append(["N4", _clean(address.city, 30), address.state.upper()[:2], _digits(address.postal_code)[:9]])
    return rows


def _dmg(person: Person) -> list[list[str]]:
    if person.birth_date is None:
        return []
    return [["DMG", "D8", _d8(person.birth_date), person.sex if person.sex in ("F", "M", "U") else "U"]]


def _cas(adjustments: Sequence[Adjustment]) -> list[list[str]]:
    """CAS segments: one per group, up to six reason/amount/quantity triples each."""
    rows: list[list[str]] = []
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            row = ["CAS", group]
            for item in items[start:start + 6]:
                row += [item.reason, _money(item.amount),
                        "" if item.quantity is None else _number(item.quantity)]
            rows.append(row)
    return rows


def _procedure(code: str, modifiers: Sequence[str]) -> str:
    return ":".join(["HC", _clean(code, 48)] + [_clean(m, 2) for m in list(modifiers)[:4]])


def _name(person: Person | Provider, entity: str, id_qualifier: str = "", identifier: str = "") -> list[str]:
    row = ["NM1", entity, "1", _clean(person.family_name, 60), _clean(person.given_name, 35)]
    if identifier:
        row += ["", "", "", id_qualifier, _clean(identifier, 80)]
    return row


def _validate(claim: Claim) -> None:
    if not claim.lines:
        raise X12Error(f"Claim {claim.claim_id} has no service lines.")
    if len(claim.lines) > 50:
        raise X12Error(f"Claim {claim.claim_id} has {len(claim.lines)} lines; an 837P claim holds at most 50.")
    if not claim.diagnoses:
        raise X12Error(f"Claim {claim.claim_id} has no diagnosis.")
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        raise X12Error(f"Claim {claim.claim_id} has {len(claim.diagnoses)} diagnoses; at most 12 are sent.")
    if claim.frequency not in (FREQUENCY_ORIGINAL, FREQUENCY_REPLACEMENT, FREQUENCY_VOID):
        raise X12Error(f"Claim {claim.claim_id} has frequency code {claim.frequency}; 1, 7 or 8 are sent.")
    if claim.frequency != FREQUENCY_ORIGINAL and not claim.payer_claim_number:
        raise X12Error(f"Claim {claim.claim_id} replaces or voids a claim but names no payer claim number.")
    if claim.subscriber.responsibility in ("S", "T") and not claim.other_payers:
        raise X12Error(f"Claim {claim.claim_id} goes to a secondary or tertiary payer but names no earlier payer.")
    for line in claim.lines:
        if not line.pointers or any(not 1 <= p <= len(claim.diagnoses) for p in line.pointers):
            raise X12Error(f"Claim {claim.claim_id}: a line points to no diagnosis.")
        if len(line.pointers) > 4 or len(line.modifiers) > 4:
            raise X12Error(f"Claim {claim.claim_id}: a line has more than 4 diagnosis pointers or modifiers.")
        if line.units <= 0 or line.charge < 0:
            raise X12Error(f"Claim {claim.claim_id}: a line has no units or a negative charge.")


def claim_segments(claim: Claim, *, hl: int, parent_hl: int) -> tuple[list[list[str]], int]:
    """2000B (and 2000C) with the claim's 2300 loop; returns the rows and the next free HL number."""
    _validate(claim)
    sub = claim.subscriber
    dependent = claim.patient
    rows: list[list[str]] = [["HL", str(hl), str(parent_hl), "22", "1" if dependent else "0"]]
    rows.append(["SBR", sub.responsibility, "" if dependent else "18", _clean(sub.group_number, 50), "", "", "",
                 "", "", sub.payer.claim_filing])
    rows.append(_name(sub.person, "IL", "MI", sub.person.member_id))
    if dependent is None:
        rows += _address(sub.person.address)
        rows += _dmg(sub.person)
    rows.append(["NM1", "PR", "2", _clean(sub.payer.name, 60), "", "", "", "", "PI", _clean(sub.payer.payer_id, 80)])
    next_hl = hl + 1
    if dependent is not None:
        rows.append(["HL", str(next_hl), str(hl), "23", "0"])
        rows.append(["PAT", claim.relationship])
        rows.append(_name(dependent, "QC"))
        rows += _address(dependent.address)
        rows += _dmg(dependent)
        next_hl += 1
    rows.append(["CLM", _clean(claim.claim_id, 20), _money(claim.total_charge), "", "",
                 f"{claim.place_of_service}:B:{claim.frequency}", "Y" if claim.provider_signature else "N",
                 "A" if claim.assignment else "C", "Y" if claim.assignment else "N", claim.release_of_information])
    if claim.referral_number:
        rows.append(["REF", "9F", _clean(claim.referral_number, 50)])
    if claim.prior_authorization:
        rows.append(["REF", "G1", _clean(claim.prior_authorization, 50)])
    if claim.frequency != FREQUENCY_ORIGINAL:
        rows.append(["REF", "F8", _clean(claim.payer_claim_number, 50)])
    codes = [code.replace(".", "").upper().strip() for code in claim.diagnoses]
    rows.append(["HI", f"ABK:{codes[0]}"] + [f"ABF:{code}" for code in codes[1:]])
    if claim.rendering is not None:
        rows.append(_name(claim.rendering, "82", "XX", claim.rendering.npi))
        if claim.rendering.taxonomy:
            rows.append(["PRV", "PE", "PXC", claim.rendering.taxonomy])
    for other in claim.other_payers:
        osub = other.subscriber
        rows.append(["SBR", osub.responsibility, other.relationship, _clean(osub.group_number, 50), "", "", "", "",
                     "", osub.payer.claim_filing])
        rows += _cas(other.adjustments)
        rows.append(["AMT", "D", _money(other.paid)])
        rows.append(["OI", "", "", "Y", "", "", "Y"])
        rows.append(_name(osub.person, "IL", "MI", osub.person.member_id))
        rows.append(["NM1", "PR", "2", _clean(osub.payer.name, 60), "", "", "", "", "PI",
                     _clean(osub.payer.payer_id, 80)])
        if other.paid_date is not None:
            rows.append(["DTP", "573", "D8", _d8(other.paid_date)])
    for number, line in enumerate(claim.lines, start=1):
        rows.append(["LX", str(number)])
        pointers = ":".join(str(p) for p in list(line.pointers)[:4])
        rows.append(["SV1", _procedure(line.procedure, line.modifiers), _money(line.charge), "UN",
                     _number(line.units), line.place_of_service if line.place_of_service != claim.place_of_service
                     else "", "", pointers])
        start = line.service_date or claim.service_date
        if line.service_date_end and line.service_date_end != start:
            rows.append(["DTP", "472", "RD8", f"{_d8(start)}-{_d8(line.service_date_end)}"])
        else:
            rows.append(["DTP", "472", "D8", _d8(start)])
        if line.referral_number:
            rows.append(["REF", "9F", _clean(line.referral_number, 50)])
        if line.prior_authorization:
            rows.append(["REF", "G1", _clean(line.prior_authorization, 50)])
        if line.rendering is not None:
            rows.append(_name(line.rendering, "82", "XX", line.rendering.npi))
            if line.rendering.taxonomy:
                rows.append(["PRV", "PE", "PXC", line.rendering.taxonomy])
        for payment in line.payments:
            rows.append(["SVD", _clean(payment.payer_id, 80), _money(payment.paid),
                         _procedure(payment.procedure, payment.modifiers), "", _number(payment.units)])
            rows += _cas(payment.adjustments)
            rows.append(["DTP", "573", "D8", _d8(payment.paid_date)])
    return rows, next_hl


def _header(submitter: Submitter, reference: str, created: dt.datetime) -> list[list[str]]:
    return [
        ["BHT", "0019", "00", _clean(reference, 50), created.strftime("%Y%m%d"), created.strftime("%H%M"), "CH"],
        ["NM1", "41", "2", _clean(submitter.name, 60), "", "", "", "", "46", _clean(submitter.submitter_id, 80)],
        ["PER", "IC", _clean(submitter.contact_name, 60), "TE", _digits(submitter.contact_phone)],
        ["NM1", "40", "2", _clean(submitter.receiver_name, 60), "", "", "", "", "46",
         _clean(submitter.receiver_id, 80)],
    ]


def _billing_rows(provider: BillingProvider, hl: int) -> list[list[str]]:
    rows = [["HL", str(hl), "", "20", "1"]]
    if provider.taxonomy:
        rows.append(["PRV", "BI", "PXC", provider.taxonomy])
    rows.append(["NM1", "85", "2", _clean(provider.name, 60), "", "", "", "", "XX", provider.npi])
    rows += _address(provider.address)
    rows.append(["REF", "EI", _digits(provider.tax_id)])
    if provider.contact_name and provider.contact_phone:
        rows.append(["PER", "IC", _clean(provider.contact_name, 60), "TE", _digits(provider.contact_phone)])
    return rows


def transaction_segments(claims: Sequence[Claim], submitter: Submitter, *, reference: str,
                         created: dt.datetime) -> list[list[str]]:
    """One 837P transaction set's segments between ST and SE: the claims grouped under their billing provider."""
    rows = _header(submitter, reference, created)
    by_provider: dict[BillingProvider, list[Claim]] = {}
    for claim in claims:
        by_provider.setdefault(claim.billing, []).append(claim)
    hl = 1
    for provider, provider_claims in by_provider.items():
        provider_hl = hl
        rows += _billing_rows(provider, provider_hl)
        hl += 1
        for claim in provider_claims:
            claim_rows, hl = claim_segments(claim, hl=hl, parent_hl=provider_hl)
            rows += claim_rows
    return rows


def build(claims: Sequence[Claim], *, submitter: Submitter, control_number: int, created: dt.datetime,
          reference: str = "", per_transaction: int = MAX_CLAIMS_PER_TRANSACTION) -> str:
    """One interchange (one HC functional group) holding the claims, `per_transaction` claims per ST ... SE.
    Raises X12Error for a claim that cannot be written (no lines, no diagnosis, a pointer to nothing, ...)."""
    if not claims:
        raise X12Error("A claim batch needs at least one claim.")
    reference = reference or f"{control_number:09d}"
    transactions = []
    for index, start in enumerate(range(0, len(claims), per_transaction), start=1):
        chunk = claims[start:start + per_transaction]
        transactions.append(("837", transaction_segments(chunk, submitter, reference=f"{reference}-{index}"[:50]
                                                         if len(claims) > per_transaction else reference,
                                                         created=created)))
    return envelope.write_plain(
        sender_id=submitter.sender_id or submitter.submitter_id,
        receiver_id=submitter.isa_receiver_id or submitter.receiver_id, control_number=control_number,
        functional_id="HC", application_sender=submitter.sender_id or submitter.submitter_id,
        application_receiver=submitter.isa_receiver_id or submitter.receiver_id, implementation=IMPLEMENTATION,
        transactions=transactions, created=created, usage=submitter.usage)


# --- reading (show) --------------------------------------------------------------------------------------------

def _iso(value: str) -> str:
    first = value.split("-")[0]
    try:
        return dt.datetime.strptime(first, "%Y%m%d").date().isoformat()
    except ValueError:
        return value


def read_transaction(transaction: Transaction, interchange: Interchange) -> dict[str, Any]:
    """An 837P as plain data (the shape `x12 show` prints)."""
    comp = interchange.delimiters.component
    out: dict[str, Any] = {"transaction": "837P" if transaction.implementation.endswith("X222A1") else "837",
                           "implementation": transaction.implementation,
                           "control_number": transaction.control_number, "reference": "", "submitter": {},
                           "receiver": {}, "billing_providers": []}
    provider: dict[str, Any] | None = None
    subscriber: dict[str, Any] = {}
    patient: dict[str, Any] | None = None
    claim: dict[str, Any] | None = None
    line: dict[str, Any] | None = None
    other: dict[str, Any] | None = None
    level = ""
    for seg in transaction.segments:
        sid = seg.id
        if sid == "BHT":
            out["reference"] = seg[3]
        elif sid == "HL":
            level, claim, line, other = seg[3], None, None, None
            if level == "20":
                provider = {"name": "", "npi": "", "tax_id": "", "claims": []}
                out["billing_providers"].append(provider)
            elif level == "22":
                subscriber, patient = {}, None
            elif level == "23":
                patient = {}
        elif sid == "SBR":
            if claim is None:
                subscriber.update({"responsibility": seg[1], "group_number": seg[3], "claim_filing": seg[9]})
            else:
                other = {"responsibility": seg[1], "paid": None, "payer": {}, "adjustments": []}
                claim["other_payers"].append(other)
        elif sid == "PAT" and patient is not None:
            patient["relationship"] = seg[1]
        elif sid == "NM1":
            entity = seg[1]
            if entity == "41":
                out["submitter"] = {"name": seg[3], "id": seg[9]}
            elif entity == "40":
                out["receiver"] = {"name": seg[3], "id": seg[9]}
            elif entity == "85" and provider is not None:
                provider.update({"name": seg[3], "npi": seg[9]})
            elif entity == "IL" and other is None:
                subscriber.update({"family_name": seg[3], "given_name": seg[4], "member_id": seg[9]})
            elif entity == "PR" and other is None:
                subscriber["payer"] = {"name": seg[3], "id": seg[9]}
            elif entity == "PR" and other is not None:
                other["payer"] = {"name": seg[3], "id": seg[9]}
            elif entity == "QC" and patient is not None:
                patient.update({"family_name": seg[3], "given_name": seg[4]})
            elif entity == "82":
                rendering = {"family_name": seg[3], "given_name": seg[4], "npi": seg[9]}
                if line is not None:
                    line["rendering"] = rendering
                elif claim is not None:
                    claim["rendering"] = rendering
        elif sid == "REF":
            if seg[1] == "EI" and provider is not None and claim is None:
                provider["tax_id"] = seg[2]
            elif claim is not None and seg[1] in ("9F", "G1", "F8"):
                key = {"9F": "referral_number", "G1": "prior_authorization", "F8": "payer_claim_number"}[seg[1]]
                (line if line is not None else claim)[key] = seg[2]
        elif sid == "DMG":
            (patient if patient is not None else subscriber).update({"birth_date": _iso(seg[2]), "sex": seg[3]})
        elif sid == "CLM":
            place, _, frequency = ([*envelope.components(seg[5], interchange.delimiters), "", "", ""])[:3]
            claim = {"claim_id": seg[1], "charge": seg[2], "place_of_service": place, "frequency": frequency,
                     "subscriber": dict(subscriber), "patient": dict(patient) if patient is not None else None,
                     "diagnoses": [], "lines": [], "other_payers": []}
            line, other = None, None
            if provider is not None:
                provider["claims"].append(claim)
        elif sid == "HI" and claim is not None:
            for value in seg.elements:
                parts = value.split(comp)
                if len(parts) > 1 and parts[0] in ("ABK", "ABF", "BK", "BF"):
                    claim["diagnoses"].append(parts[1])
        elif sid == "CAS" and claim is not None:
            target = line.get("payments", [{}])[-1] if line is not None and line.get("payments") else other
            if target is not None:
                target.setdefault("adjustments", []).extend(_cas_triples(seg))
        elif sid == "AMT" and seg[1] == "D" and other is not None:
            other["paid"] = seg[2]
        elif sid == "LX" and claim is not None:
            line = {"number": seg[1]}
            claim["lines"].append(line)
        elif sid == "SV1" and line is not None:
            parts = seg[1].split(comp)
            line.update({"procedure": parts[1] if len(parts) > 1 else "", "modifiers": parts[2:],
                         "charge": seg[2], "units": seg[4], "place_of_service": seg[5] or None,
                         "pointers": [p for p in seg[7].split(comp) if p]})
        elif sid == "SVD" and line is not None:
            line.setdefault("payments", []).append({"payer_id": seg[1], "paid": seg[2], "adjustments": []})
        elif sid == "DTP" and line is not None and seg[1] == "472":
            line["service_date"] = _iso(seg[3])
    return out


def _cas_triples(seg: envelope.Segment) -> list[dict[str, str]]:
    out = []
    for start in range(2, 20, 3):
        reason, amount = seg[start], seg[start + 1]
        if reason:
            out.append({"group": seg[1], "reason": reason, "amount": amount})
    return out


def to_json(interchange: Interchange, transaction: Transaction) -> dict[str, Any]:
    return read_transaction(transaction, interchange)
