"""The implementation acknowledgement, 999 (005010X231A1), read into plain data: which transaction sets of the
group we sent were accepted or rejected, and why (IK3 segment errors with their IK4 element errors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .envelope import Interchange, Transaction, X12Error

IMPLEMENTATION = "005010X231A1"
ACCEPTED = frozenset({"A", "E"})  # E: accepted, but errors were noted


@dataclass
class ElementError:
    position: str  # IK401: the element's position (with the component's, 2:1)
    data_element: str  # IK402
    code: str  # IK403: 1 required element missing, 7 invalid code value, ...
    bad_value: str = ""  # IK404

    def as_json(self) -> dict[str, Any]:
        return {"position": self.position, "data_element": self.data_element or None, "code": self.code,
                "bad_value": self.bad_value or None}


@dataclass
class SegmentError:
    segment: str  # IK301
    position: str  # IK302: the segment's count in the transaction set
    loop: str  # IK303
    code: str  # IK304: 1 unrecognized segment, 3 required segment missing, 8 segment has data element errors, ...
    elements: list[ElementError] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # CTX business unit identifiers (CLM01)

    def as_json(self) -> dict[str, Any]:
        return {"segment": self.segment, "position": self.position, "loop": self.loop or None, "code": self.code,
                "elements": [e.as_json() for e in self.elements], "context": self.context}


@dataclass
class SetAcknowledgement:
    code: str  # AK201: 837
    control_number: str  # AK202: the ST02 we sent
    implementation: str = ""  # AK203
    status: str = ""  # IK501: A accepted, E accepted with errors, M/R/W/X rejected
    status_errors: list[str] = field(default_factory=list)  # IK502-IK506
    errors: list[SegmentError] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    def as_json(self) -> dict[str, Any]:
        return {"transaction": self.code, "control_number": self.control_number, "status": self.status,
                "accepted": self.accepted, "status_errors": self.status_errors,
                "errors": [e.as_json() for e in self.errors]}


@dataclass
class Acknowledgement:
    control_number: str = ""
    functional_id: str = ""  # AK101: HC for claims
    group_control_number: str = ""  # AK102: the GS06 we sent
    version: str = ""  # AK103
    status: str = ""  # AK901: A accepted, E accepted with errors, P partly accepted, R rejected, M, W, X
    included: int = 0  # AK902
    received: int = 0  # AK903
    accepted_count: int = 0  # AK904
    group_errors: list[str] = field(default_factory=list)  # AK905-AK909
    sets: list[SetAcknowledgement] = field(default_factory=list)

    @property
    def accepted(self) -> list[SetAcknowledgement]:
        return [s for s in self.sets if s.accepted]

    @property
    def rejected(self) -> list[SetAcknowledgement]:
        return [s for s in self.sets if not s.accepted]


def _count(value: str, name: str) -> int:
    if not value:
        return 0
    if not value.isdigit():
        raise X12Error(f"{name} holds '{value}', which is not a count.")
    return int(value)


def read_transaction(transaction: Transaction, interchange: Interchange) -> Acknowledgement:
    if transaction.code != "999":
        raise X12Error(f"This is a {transaction.code} transaction, not a 999.")
    out = Acknowledgement(control_number=transaction.control_number)
    current: SetAcknowledgement | None = None
    error: SegmentError | None = None
    seen_ak1 = False
    for seg in transaction.segments:
        sid = seg.id
        if sid == "AK1":
            seen_ak1 = True
            out.functional_id, out.group_control_number, out.version = seg[1], seg[2], seg[3]
        elif sid == "AK2":
            current = SetAcknowledgement(code=seg[1], control_number=seg[2], implementation=seg[3])
            out.sets.append(current)
            error = None
        elif sid == "IK3" and current is not None:
            error = SegmentError(segment=seg[1], position=seg[2], loop=seg[3], code=seg[4])
            current.errors.append(error)
        elif sid == "CTX" and error is not None:
            error.context.append(seg[1])
        elif sid == "IK4" and current is not None:
            element = ElementError(position=seg[1], data_element=seg[2], code=seg[3], bad_value=seg[4])
            if error is None:
                error = SegmentError(segment="", position="", loop="", code="")
                current.errors.append(error)
            error.elements.append(element)
        elif sid == "IK5" and current is not None:
            current.status = seg[1]
            current.status_errors = [seg[p] for p in range(2, 7) if seg[p]]
            current, error = None, None
        elif sid == "AK9":
            out.status = seg[1]
            out.included, out.received = _count(seg[2], "AK902"), _count(seg[3], "AK903")
            out.accepted_count = _count(seg[4], "AK904")
            out.group_errors = [seg[p] for p in range(5, 10) if seg[p]]
    if not seen_ak1:
        raise X12Error("This 999 has no AK1 segment: it acknowledges no group.")
    return out


def to_json(interchange: Interchange, transaction: Transaction) -> dict[str, Any]:
    ack = read_transaction(transaction, interchange)
    return {"transaction": "999", "implementation": transaction.implementation,
            "control_number": transaction.control_number, "functional_id": ack.functional_id,
            "group_control_number": ack.group_control_number, "version": ack.version, "status": ack.status,
            "included": ack.included, "received": ack.received, "accepted": ack.accepted_count,
            "group_errors": ack.group_errors, "transaction_sets": [s.as_json() for s in ack.sets]}
