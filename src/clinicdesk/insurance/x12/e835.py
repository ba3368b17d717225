"""The remittance advice, 835 (005010X221A1), read into plain data: one `Remittance` per transaction set.

What is kept: the payment (BPR: total, credit or debit, method, date; TRN: the check or EFT trace number), the
payer (1000A N1*PR with its id) and the payee (1000B N1*PE with its NPI, REF*TJ tax id), every claim payment
(2100 CLP: our claim id, the status with 22 for a reversal, charge, paid, patient responsibility, the payer's claim
control number; its claim-level CAS, each reason/amount triple an `Adjustment` of its own; the patient named in
NM1*QC; MOA/MIA remark codes; the dates), every service line (2110 SVC: the procedure as written, charge, paid,
units; its CAS and LQ*HE remark codes, AMT*B6 allowed, REF*6R our line number, DTM*472 service date) and the
provider-level adjustments (PLB). `Remittance.balanced` checks BPR02 = sum of CLP04 - sum of PLB amounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import envelope
from .envelope import Interchange, Transaction, X12Error

IMPLEMENTATION = "005010X221A1"
GROUPS = frozenset({"CO", "PR", "OA", "PI", "CR"})
REVERSAL = "22"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO contractual, PR patient responsibility, OA other, PI payer initiated, CR correction/reversal
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None

    def as_json(self) -> dict[str, str]:
        return {"group": self.group, "reason": self.reason, "amount": str(self.amount)}


@dataclass
class ServicePayment:
    code: str  # SVC01 as written (HC:99213:25)
    procedure: str
    modifiers: list[str]
    charge: Decimal
    paid: Decimal
    units: Decimal | None = None
    submitted_code: str = ""  # SVC06, when the payer paid another code than the one billed
    service_date: dt.date | None = None
    control_number: str = ""  # REF*6R: the line item control number we sent
    allowed: Decimal | None = None  # AMT*B6
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # LQ*HE: RARC codes

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "charge": str(self.charge), "paid": str(self.paid),
                "adjustments": [a.as_json() for a in self.adjustments],
                "units": None if self.units is None else str(self.units),
                "service_date": self.service_date.isoformat() if self.service_date else None,
                "control_number": self.control_number or None,
                "allowed": None if self.allowed is None else str(self.allowed), "remarks": self.remarks}


@dataclass
class ClaimPayment:
    claim_id: str  # CLP01: our patient control number (CLM01)
    status: str  # CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 19-21 forwarded, 22 reversal, 23, 25
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    claim_filing: str = ""  # CLP06
    payer_claim_number: str = ""  # CLP07
    frequency: str = ""  # CLP09
    patient: dict[str, str] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    services: list[ServicePayment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # MOA/MIA remark codes
    dates: dict[str, str] = field(default_factory=dict)  # statement_start, statement_end, received

    @property
    def reversal(self) -> bool:
        return self.status == REVERSAL

    @property
    def denied(self) -> bool:
        return self.status == "4"

    def as_json(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "status": self.status, "charge": str(self.charge),
                "paid": str(self.paid),
                "patient_responsibility": None if self.patient_responsibility is None
                else str(self.patient_responsibility),
                "adjustments": [a.as_json() for a in self.adjustments],
                "services": [s.as_json() for s in self.services],
                "payer_claim_number": self.payer_claim_number or None, "claim_filing": self.claim_filing or None,
                "patient": self.patient or None, "remarks": self.remarks, "dates": self.dates}


@dataclass(frozen=True)
class ProviderAdjustment:
    provider_id: str  # PLB01
    fiscal_date: dt.date | None  # PLB02
    reason: str  # PLB03-1: WO overpayment recovery, L6 interest, FB forwarding balance, 72 authorized return, ...
    reference: str  # PLB03-2
    amount: Decimal  # positive: taken from the payment; negative: added to it

    def as_json(self) -> dict[str, Any]:
        return {"provider_id": self.provider_id, "reason": self.reason, "reference": self.reference or None,
                "amount": str(self.amount),
                "fiscal_date": self.fiscal_date.isoformat() if self.fiscal_date else None}


@dataclass
class Remittance:
    control_number: str = ""
    total_paid: Decimal = ZERO  # BPR02
    credit_debit: str = "C"  # BPR03
    method: str = ""  # BPR04: ACH, CHK, BOP, FWT, NON
    handling: str = ""  # BPR01: I remittance with payment, H advice only, ...
    payment_date: dt.date | None = None  # BPR16
    trace_number: str = ""  # TRN02: the check or EFT number
    payer_name: str = ""
    payer_id: str = ""
    payee_name: str = ""
    payee_npi: str = ""
    payee_tax_id: str = ""
    production_date: dt.date | None = None  # DTM*405
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)

    @property
    def claims_paid(self) -> Decimal:
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def provider_adjustment_total(self) -> Decimal:
        return sum((a.amount for a in self.provider_adjustments), ZERO)

    @property
    def difference(self) -> Decimal:
        """BPR02 - (sum of CLP04 - sum of PLB): zero when the file balances."""
        return self.total_paid - (self.claims_paid - self.provider_adjustment_total)

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def _decimal(value: str, name: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise X12Error(f"{name} holds '{value}', which is not an amount.") from error
    if not number.is_finite():
        raise X12Error(f"{name} holds '{value}', which is not an amount.")
    return number


def _optional(value: str, name: str) -> Decimal | None:
    return _decimal(value, name) if value else None


def _date(value: str) -> dt.date | None:
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _cas(seg: envelope.Segment) -> list[Adjustment]:
    group = seg[1]
    if group not in GROUPS:
        raise X12Error(f"A CAS segment has group '{group}'; the 835 knows CO, PR, OA, PI and CR.")
    out = []
    for start in range(2, 20, 3):  # CAS02-04, 05-07, ... 17-19: up to six triples
        reason = seg[start]
        if not reason:
            continue
        out.append(Adjustment(group=group, reason=reason, amount=_decimal(seg[start + 1], "CAS"),
                              quantity=_optional(seg[start + 2], "CAS")))
    return out


_CLAIM_DATES = {"232": "statement_start", "233": "statement_end", "050": "received", "036": "coverage_expired",
                "150": "service_start", "151": "service_end"}


def read_transaction(transaction: Transaction, interchange: Interchange) -> Remittance:
    if transaction.code != "835":
        raise X12Error(f"This is a {transaction.code} transaction, not an 835.")
    comp = interchange.delimiters.component
    out = Remittance(control_number=transaction.control_number)
    party = ""
    claim: ClaimPayment | None = None
    service: ServicePayment | None = None
    seen_bpr = False
    for seg in transaction.segments:
        sid = seg.id
        if sid == "CLP":
            if not seg[1] or not seg[2]:
                raise X12Error("A CLP segment has no claim id or no status.")
            claim = ClaimPayment(claim_id=seg[1], status=seg[2], charge=_decimal(seg[3], "CLP03"),
                                 paid=_decimal(seg[4], "CLP04"), patient_responsibility=_optional(seg[5], "CLP05"),
                                 claim_filing=seg[6], payer_claim_number=seg[7], frequency=seg[9])
            out.claims.append(claim)
            service = None
        elif sid == "SVC":
            if claim is None:
                raise X12Error("An SVC service line stands outside any claim payment (CLP).")
            parts = seg[1].split(comp)
            service = ServicePayment(code=seg[1], procedure=parts[1] if len(parts) > 1 else parts[0],
                                     modifiers=[p for p in parts[2:6] if p], charge=_decimal(seg[2], "SVC02"),
                                     paid=_decimal(seg[3], "SVC03"), units=_optional(seg[5], "SVC05"),
                                     submitted_code=seg[6])
            claim.services.append(service)
        elif sid == "CAS":
            if service is not None:
                service.adjustments += _cas(seg)
            elif claim is not None:
                claim.adjustments += _cas(seg)
            else:
                raise X12Error("A CAS adjustment stands outside any claim payment (CLP).")
        elif sid == "LQ" and service is not None:
            if seg[1] == "HE":
                service.remarks.append(seg[2])
        elif sid == "AMT" and service is not None and seg[1] == "B6":
            service.allowed = _decimal(seg[2], "AMT02")
        elif sid == "REF" and service is not None and seg[1] == "6R":
            service.control_number = seg[2]
        elif sid == "DTM":
            if service is not None and seg[1] in ("472", "150"):
                service.service_date = _date(seg[2])
            elif claim is not None and service is None:
                date = _date(seg[2])
                claim.dates[_CLAIM_DATES.get(seg[1], seg[1])] = date.isoformat() if date else seg[2]
            elif claim is None and seg[1] == "405":
                out.production_date = _date(seg[2])
        elif sid in ("MOA", "MIA") and claim is not None:
            positions = (3, 4, 5, 6, 7) if sid == "MOA" else (5, 20, 21, 22, 23)
            claim.remarks += [seg[p] for p in positions if seg[p]]
        elif sid == "NM1" and claim is not None and service is None:
            if seg[1] == "QC" or (seg[1] == "IL" and not claim.patient):
                claim.patient = {"family_name": seg[3], "given_name": seg[4], "member_id": seg[9]}
        elif sid == "BPR":
            seen_bpr = True
            out.handling, out.total_paid = seg[1], _decimal(seg[2], "BPR02")
            out.credit_debit, out.method = seg[3], seg[4]
            out.payment_date = _date(seg[16])
        elif sid == "TRN":
            out.trace_number = seg[2]
        elif sid == "N1":
            party = seg[1]
            if party == "PR":
                out.payer_name = seg[2]
                if seg[4] and not out.payer_id:  # N103 XV (CMS plan id): the payer's id when no REF*2U follows
                    out.payer_id = seg[4]
            elif party == "PE":
                out.payee_name = seg[2]
                if seg[3] == "XX":
                    out.payee_npi = seg[4]
                elif seg[3] == "FI":
                    out.payee_tax_id = seg[4]
        elif sid == "REF" and claim is None:
            if party == "PR" and seg[1] == "2U":
                out.payer_id = seg[2]  # the additional payer identification wins over N104
            elif party == "PE" and seg[1] == "TJ":
                out.payee_tax_id = seg[2]
        elif sid == "LX":
            claim, service = None, None
        elif sid == "PLB":
            claim, service = None, None
            for start in range(3, 15, 2):
                if not seg[start]:
                    continue
                reason, _, reference = seg[start].partition(comp)
                out.provider_adjustments.append(ProviderAdjustment(
                    provider_id=seg[1], fiscal_date=_date(seg[2]), reason=reason, reference=reference,
                    amount=_decimal(seg[start + 1], "PLB")))
    if not seen_bpr:
        raise X12Error("This 835 has no BPR segment: it names no payment.")
    return out


def read(text: str | bytes) -> list[Remittance]:
    """Every 835 in an interchange. Raises X12Error for anything that is not a readable 5010 835."""
    interchange = envelope.read(text)
    remittances = []
    for transaction in interchange.transactions:
        if transaction.code != "835":
            raise X12Error(f"This file holds a {transaction.code} transaction, not an 835.")
        remittances.append(read_transaction(transaction, interchange))
    return remittances


def to_json(interchange: Interchange, transaction: Transaction) -> dict[str, Any]:
    remit = read_transaction(transaction, interchange)
    return {
        "transaction": "835", "implementation": transaction.implementation,
        "control_number": transaction.control_number,
        "total_paid": str(remit.total_paid), "credit_debit": remit.credit_debit, "method": remit.method or None,
        "payment_date": remit.payment_date.isoformat() if remit.payment_date else None,
        "check_number": remit.trace_number or None,
        "payer": {"name": remit.payer_name, "id": remit.payer_id or None},
        "payee": {"name": remit.payee_name, "npi": remit.payee_npi or None, "tax_id": remit.payee_tax_id or None},
        "claims": [c.as_json() for c in remit.claims],
        "provider_adjustments": [a.as_json() for a in remit.provider_adjustments],
        "balanced": remit.balanced, "difference": str(remit.difference),
    }
