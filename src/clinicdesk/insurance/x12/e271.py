"""The 271 eligibility answer (005010X279A1) read into plain data.

What is kept: the trace number (TRN*2, echoing our 270), the payer, the subscriber and dependent named in the
answer, the plan dates, every EB benefit (with the HSD visit limits and MSG texts that follow it), and every AAA
rejection at any level (payer, provider, subscriber, dependent, or a benefit's inquiry). Entities named in an
LS/LE block (2120C/D: a primary care provider, another payer) are attached to their benefit, never mistaken for
the patient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import envelope
from .codes import ACTIVE_CODES, INACTIVE_CODES
from .envelope import Interchange, Transaction, X12Error

_LEVELS = {"20": "payer", "21": "provider", "22": "subscriber", "23": "dependent"}


@dataclass
class Benefit:
    info: str  # EB01
    coverage_level: str = ""  # EB02
    service_types: list[str] = field(default_factory=list)  # EB03 (repeating)
    insurance_type: str = ""  # EB04
    plan: str = ""  # EB05
    period: str = ""  # EB06
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08
    quantity_qualifier: str = ""  # EB09
    quantity: Decimal | None = None  # EB10
    authorization_required: bool | None = None  # EB11
    in_network: bool | None = None  # EB12
    level: str = "subscriber"  # subscriber or dependent
    visit_limits: list[dict[str, str]] = field(default_factory=list)  # HSD
    messages: list[str] = field(default_factory=list)  # MSG
    related: list[dict[str, str]] = field(default_factory=list)  # 2120 entities

    def as_json(self) -> dict[str, Any]:
        return {
            "info": self.info, "coverage_level": self.coverage_level or None, "service_types": self.service_types,
            "insurance_type": self.insurance_type or None, "plan": self.plan or None, "period": self.period or None,
            "amount": None if self.amount is None else str(self.amount),
            "percent": None if self.percent is None else str(self.percent),
            "in_network": self.in_network,
        }


@dataclass
class Rejection:
    code: str  # AAA03
    action: str  # AAA04
    level: str  # payer, provider, subscriber, dependent, inquiry
    valid: bool = False  # AAA01: Y the request was valid but the answer is refused

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "action": self.action}


@dataclass
class Answer:
    control_number: str = ""
    trace_number: str = ""
    payer_name: str = ""
    payer_id: str = ""
    provider_name: str = ""
    provider_npi: str = ""
    subscriber: dict[str, str] = field(default_factory=dict)
    dependent: dict[str, str] | None = None
    group_number: str = ""
    plan_number: str = ""
    dates: dict[str, str] = field(default_factory=dict)  # plan_begin, plan_end, eligibility_begin, ...
    benefits: list[Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def patient_level(self) -> str:
        return "dependent" if self.dependent is not None else "subscriber"

    @property
    def active(self) -> bool:
        """Active only when the patient's loop says so and nothing was refused."""
        if self.rejections:
            return False
        infos = {b.info for b in self.benefits if b.level == self.patient_level} or {b.info for b in self.benefits}
        return bool(infos & ACTIVE_CODES) and not (infos & INACTIVE_CODES)

    @property
    def inactive(self) -> bool:
        infos = {b.info for b in self.benefits}
        return not self.rejections and bool(infos & INACTIVE_CODES)

    @property
    def plan(self) -> str:
        for benefit in self.benefits:
            if benefit.info in ACTIVE_CODES | INACTIVE_CODES and benefit.plan:
                return benefit.plan
        return next((b.plan for b in self.benefits if b.plan), "")

    def remaining(self, info: str, *, in_network: bool | None = True, level: str = "IND") -> Decimal | None:
        """The amount still to meet (EB06 29 'remaining') for a deductible (C) or out-of-pocket (G)."""
        for benefit in self.benefits:
            if (benefit.info == info and benefit.period == "29" and benefit.amount is not None
                    and benefit.coverage_level in (level, "")
                    and (in_network is None or benefit.in_network in (in_network, None))):
                return benefit.amount
        return None

    def first(self, info: str, service_type: str | None = None, *, in_network: bool | None = True) -> Benefit | None:
        """The first benefit of a kind (B co-pay, A co-insurance), for a service type when given."""
        for benefit in self.benefits:
            if benefit.info != info or (in_network is not None and benefit.in_network not in (in_network, None)):
                continue
            if service_type is None or not benefit.service_types or service_type in benefit.service_types:
                return benefit
        return None


def _decimal(value: str, name: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise X12Error(f"{name} holds '{value}', which is not a number.") from error
    if not number.is_finite():
        raise X12Error(f"{name} holds '{value}', which is not a number.")
    return number


def _yes_no(value: str) -> bool | None:
    return {"Y": True, "N": False}.get(value)


def _date(value: str) -> str:
    """CCYYMMDD (or the first day of a CCYYMMDD-CCYYMMDD range) as an ISO date; anything else as it is."""
    first = value.split("-")[0]
    if len(first) != 8 or not first.isdigit():
        return value
    try:
        return dt.date(int(first[:4]), int(first[4:6]), int(first[6:])).isoformat()
    except ValueError:
        return value


_DATE_NAMES = {"346": "plan_begin", "347": "plan_end", "356": "eligibility_begin", "357": "eligibility_end",
               "307": "eligibility", "291": "plan", "292": "benefit", "348": "benefit_begin", "349": "benefit_end",
               "472": "service", "435": "admission", "304": "latest_visit"}


def read_transaction(transaction: Transaction, interchange: Interchange) -> Answer:
    if transaction.code != "271":
        raise X12Error(f"This is a {transaction.code} transaction, not a 271.")
    answer = Answer(control_number=transaction.control_number)
    level = ""
    person: dict[str, str] = {}
    benefit: Benefit | None = None
    in_ls = False
    related: dict[str, str] | None = None
    seen_hl = False
    for seg in transaction.segments:
        sid = seg.id
        if sid == "HL":
            seen_hl = True
            level = _LEVELS.get(seg[3], seg[3])
            benefit, in_ls = None, False
            if level == "dependent":
                answer.dependent = person = {}
            elif level == "subscriber":
                person = answer.subscriber
        elif sid == "LS":
            in_ls = True
        elif sid == "LE":
            in_ls, related = False, None
        elif in_ls:
            if sid == "NM1" and benefit is not None:
                related = {"entity": seg[1], "name": " ".join(p for p in (seg[4], seg[3]) if p).strip(),
                           "id": seg[9]}
                benefit.related.append(related)
            elif sid == "PER" and related is not None:
                related["contact"] = seg[4]
        elif sid == "NM1":
            if level == "payer":
                answer.payer_name, answer.payer_id = seg[3], seg[9]
            elif level == "provider":
                answer.provider_name, answer.provider_npi = seg[3], seg[9]
            elif level in ("subscriber", "dependent"):
                person.update({"family_name": seg[3], "given_name": seg[4], "member_id": seg[9]})
        elif sid == "TRN":
            if seg[1] == "2" or not answer.trace_number:  # 2: the trace we sent, echoed back
                answer.trace_number = seg[2] if seg[1] == "2" else answer.trace_number
        elif sid == "REF" and level in ("subscriber", "dependent") and benefit is None:
            if seg[1] == "6P":
                answer.group_number = seg[2]
            elif seg[1] == "18":
                answer.plan_number = seg[2]
        elif sid == "DMG" and level in ("subscriber", "dependent"):
            person.update({"birth_date": _date(seg[2]), "sex": seg[3]})
        elif sid == "DTP":
            if benefit is not None:
                benefit.messages.append(f"{_DATE_NAMES.get(seg[1], seg[1])}: {_date(seg[3])}")
            elif level in ("subscriber", "dependent"):
                answer.dates[_DATE_NAMES.get(seg[1], seg[1])] = _date(seg[3])
        elif sid == "AAA":
            answer.rejections.append(Rejection(code=seg[3], action=seg[4],
                                               level="inquiry" if benefit is not None else (level or "interchange"),
                                               valid=seg[1] == "Y"))
        elif sid == "EB":
            if not seg[1]:
                raise X12Error("An EB segment has no EB01 (eligibility or benefit information).")
            benefit = Benefit(
                info=seg[1], coverage_level=seg[2], service_types=envelope.repeats(seg[3], interchange.delimiters),
                insurance_type=seg[4], plan=seg[5], period=seg[6], amount=_decimal(seg[7], "EB07"),
                percent=_decimal(seg[8], "EB08"), quantity_qualifier=seg[9], quantity=_decimal(seg[10], "EB10"),
                authorization_required=_yes_no(seg[11]), in_network=_yes_no(seg[12]),
                level=level if level in ("subscriber", "dependent") else "subscriber")
            answer.benefits.append(benefit)
        elif sid == "HSD" and benefit is not None:
            benefit.visit_limits.append({"quantity_qualifier": seg[1], "quantity": seg[2], "unit": seg[3],
                                         "sample_size": seg[4], "period": seg[5], "periods": seg[6]})
        elif sid == "MSG" and benefit is not None:
            benefit.messages.append(seg[1])
    if not seen_hl:
        raise X12Error("This 271 holds no HL loops: it is not an eligibility answer.")
    return answer


def read(text: str | bytes) -> list[Answer]:
    """Every 271 answer in an interchange. Raises X12Error for anything that is not a readable 5010 271."""
    interchange = envelope.read(text)
    answers = []
    for transaction in interchange.transactions:
        if transaction.code != "271":
            raise X12Error(f"This file holds a {transaction.code} transaction, not a 271.")
        answers.append(read_transaction(transaction, interchange))
    return answers


def to_json(interchange: Interchange, transaction: Transaction) -> dict[str, Any]:
    answer = read_transaction(transaction, interchange)
    return {
        "transaction": "271", "implementation": transaction.implementation,
        "control_number": transaction.control_number, "trace_number": answer.trace_number or None,
        "payer": {"name": answer.payer_name, "id": answer.payer_id},
        "provider": {"name": answer.provider_name, "npi": answer.provider_npi},
        "subscriber": answer.subscriber, "dependent": answer.dependent,
        "group_number": answer.group_number or None, "plan_number": answer.plan_number or None,
        "dates": answer.dates, "active": answer.active, "plan": answer.plan or None,
        "benefits": [b.as_json() for b in answer.benefits],
        "rejections": [r.as_json() for r in answer.rejections],
    }
