"""The claim acknowledgement, 277CA (005010X214), read into plain data: for each claim of a batch we sent (TRN*2
echoes our CLM01), whether the payer took it into adjudication or rejected it, with the STC status codes (the
category: A1/A2 accepted, A3/A6/A7/A8 rejected; the status code; the entity it is about) and the payer's claim
number (REF*1K). Statuses of the batch (2200B) and the billing provider (2200C) are kept too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .envelope import Interchange, Transaction, X12Error

IMPLEMENTATION = "005010X214"
ACCEPTED_CATEGORIES = frozenset({"A1", "A2", "A5"})
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8", "E0", "E1", "E2", "E3", "E4"})


@dataclass(frozen=True)
class Status:
    category: str  # STC01-1 (or STC10-1, STC11-1)
    code: str  # STC01-2
    entity: str = ""  # STC01-3
    date: dt.date | None = None  # STC02
    action: str = ""  # STC03: WQ accepted, U rejected
    amount: Decimal | None = None  # STC04: the charge

    @property
    def rejected(self) -> bool:
        return self.category in REJECTED_CATEGORIES

    def as_json(self) -> dict[str, Any]:
        return {"category": self.category, "code": self.code, "entity": self.entity or None}


@dataclass
class ClaimStatus:
    claim_id: str = ""  # TRN02: our CLM01
    payer_claim_number: str = ""  # REF*1K
    clearinghouse_trace: str = ""  # REF*D9
    patient: dict[str, str] = field(default_factory=dict)
    statuses: list[Status] = field(default_factory=list)
    service_date: str = ""

    @property
    def rejected(self) -> bool:
        return any(s.rejected for s in self.statuses)

    @property
    def accepted(self) -> bool:
        return not self.rejected and any(s.category in ACCEPTED_CATEGORIES for s in self.statuses)

    @property
    def charge(self) -> Decimal | None:
        return next((s.amount for s in self.statuses if s.amount is not None), None)

    def as_json(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "accepted": self.accepted, "rejected": self.rejected,
                "payer_claim_number": self.payer_claim_number or None,
                "charge": None if self.charge is None else str(self.charge), "patient": self.patient or None,
                "service_date": self.service_date or None, "statuses": [s.as_json() for s in self.statuses]}


@dataclass
class ClaimAcknowledgement:
    control_number: str = ""
    reference: str = ""  # BHT03
    batch_reference: str = ""  # 2200B TRN*2: the BHT03 of our 837
    payer_name: str = ""
    payer_id: str = ""
    batch_statuses: list[Status] = field(default_factory=list)
    provider_statuses: list[Status] = field(default_factory=list)
    claims: list[ClaimStatus] = field(default_factory=list)

    @property
    def accepted(self) -> list[ClaimStatus]:
        return [c for c in self.claims if c.accepted]

    @property
    def rejected(self) -> list[ClaimStatus]:
        return [c for c in self.claims if c.rejected]


def _date(value: str) -> dt.date | None:
    first = value.split("-")[0]
    try:
        return dt.datetime.strptime(first, "%Y%m%d").date() if len(first) == 8 else None
    except ValueError:
        return None


def _amount(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise X12Error(f"STC04 holds '{value}', which is not an amount.") from error


def _statuses(seg: Any, comp: str) -> list[Status]:
    date, action, amount = _date(seg[2]), seg[3], _amount(seg[4])
    out = []
    for position in (1, 10, 11):
        value = seg[position]
        if not value:
            continue
        parts = ([*value.split(comp), "", "", ""])[:3]
        out.append(Status(category=parts[0], code=parts[1], entity=parts[2], date=date, action=action,
                          amount=amount if position == 1 else None))
    return out


def read_transaction(transaction: Transaction, interchange: Interchange) -> ClaimAcknowledgement:
    if transaction.code != "277":
        raise X12Error(f"This is a {transaction.code} transaction, not a 277.")
    comp = interchange.delimiters.component
    out = ClaimAcknowledgement(control_number=transaction.control_number)
    level = ""
    claim: ClaimStatus | None = None
    in_service = False
    seen_hl = False
    for seg in transaction.segments:
        sid = seg.id
        if sid == "BHT":
            out.reference = seg[3]
        elif sid == "HL":
            seen_hl, level, in_service = True, seg[3], False
            claim = None
            if level == "PT":
                claim = ClaimStatus()
                out.claims.append(claim)
        elif sid == "SVC":
            in_service = True  # 2220D: line statuses are not the claim's
        elif sid == "NM1":
            if level == "20":
                out.payer_name, out.payer_id = seg[3], seg[9]
            elif claim is not None and seg[1] == "QC":
                claim.patient = {"family_name": seg[3], "given_name": seg[4], "member_id": seg[9]}
        elif sid == "TRN":
            if claim is not None:
                claim.claim_id = seg[2]
            elif level == "21":
                out.batch_reference = seg[2]
        elif sid == "STC" and not in_service:
            statuses = _statuses(seg, comp)
            if claim is not None:
                claim.statuses += statuses
            elif level == "21":
                out.batch_statuses += statuses
            elif level == "19":
                out.provider_statuses += statuses
        elif sid == "REF" and claim is not None and not in_service:
            if seg[1] == "1K":
                claim.payer_claim_number = seg[2]
            elif seg[1] == "D9":
                claim.clearinghouse_trace = seg[2]
        elif sid == "DTP" and claim is not None and seg[1] == "472" and not in_service:
            found = _date(seg[3])
            claim.service_date = found.isoformat() if found else seg[3]
    if not seen_hl:
        raise X12Error("This 277 holds no HL loops: it is not a claim acknowledgement.")
    return out


def to_json(interchange: Interchange, transaction: Transaction) -> dict[str, Any]:
    ack = read_transaction(transaction, interchange)
    return {"transaction": "277CA" if transaction.implementation.startswith("005010X214") else "277",
            "implementation": transaction.implementation, "control_number": transaction.control_number,
            "reference": ack.reference, "batch_reference": ack.batch_reference or None,
            "payer": {"name": ack.payer_name, "id": ack.payer_id or None},
            "batch_statuses": [s.as_json() for s in ack.batch_statuses],
            "accepted": len(ack.accepted), "rejected": len(ack.rejected),
            "claims": [c.as_json() for c in ack.claims]}
