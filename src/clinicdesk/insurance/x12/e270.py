"""The 270 eligibility inquiry (005010X279A1): built from plain data, and read back (for `x12 show` and the
local clearinghouse the tests run).

Loops written: 2000A/2100A information source (the payer, NM1*PR with its payer id), 2000B/2100B information
receiver (the practice, NM1*1P with its NPI), 2000C/2100C subscriber (TRN trace, NM1*IL with the member id, DMG,
DTP*291 the date of service, EQ per service type) and, for a dependent, 2000D/2100D (TRN, NM1*03, DMG, DTP, EQ),
in which case the subscriber loop carries no EQ (TR3 1.4.7: the patient's loop asks).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import envelope
from .envelope import Interchange, Transaction

IMPLEMENTATION = "005010X279A1"
DEFAULT_SERVICE_TYPE = "30"  # health benefit plan coverage


@dataclass(frozen=True)
class Person:
    family_name: str
    given_name: str
    birth_date: dt.date | None = None
    sex: str = ""  # F, M or U
    member_id: str = ""


@dataclass(frozen=True)
class Inquiry:
    trace_number: str  # our reference, echoed in the 271's TRN*2
    payer_name: str
    payer_id: str
    provider_name: str
    provider_npi: str
    subscriber: Person
    dependent: Person | None = None  # the patient, when not the subscriber
    service_date: dt.date | None = None
    service_types: Sequence[str] = (DEFAULT_SERVICE_TYPE,)
    group_number: str = ""
    originator_id: str = "9999999999"  # TRN03: '9' + 9 digits, the practice's own id


@dataclass(frozen=True)
class Partners:
    sender_id: str
    receiver_id: str
    usage: str = "P"


_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !&'()+,-./;?=%@[]_{}|<>#$\"")


def _clean(text: str, width: int) -> str:
    """Upper case ASCII (accents folded: García -> GARCIA), X12 basic and extended characters only; the
    separators we write (* : ^ ~) never reach an element."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    value = "".join(ch if ch in _ALLOWED else " " for ch in folded.upper())
    return " ".join(value.split())[:width]


def _dmg(person: Person) -> list[str] | None:
    if person.birth_date is None:
        return None
    return ["DMG", "D8", person.birth_date.strftime("%Y%m%d"), person.sex if person.sex in ("F", "M", "U") else ""]


def segments(inquiry: Inquiry, *, created: dt.datetime) -> list[list[str]]:
    """The 270's segments between ST and SE."""
    service_types = list(dict.fromkeys(inquiry.service_types)) or [DEFAULT_SERVICE_TYPE]
    sub, dep = inquiry.subscriber, inquiry.dependent
    rows: list[list[str]] = [
        ["BHT", "0022", "13", _clean(inquiry.trace_number, 50), created.strftime("%Y%m%d"), created.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", _clean(inquiry.payer_name, 60), "", "", "", "", "PI", _clean(inquiry.payer_id, 80)],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", _clean(inquiry.provider_name, 60), "", "", "", "", "XX", inquiry.provider_npi],
        ["HL", "3", "2", "22", "1" if dep else "0"],
    ]
    trace = ["TRN", "1", _clean(inquiry.trace_number, 50), inquiry.originator_id]

    def ask(person: Person, entity: str, with_id: bool) -> list[list[str]]:
        name = ["NM1", entity, "1", _clean(person.family_name, 60), _clean(person.given_name, 35)]
        if with_id:
            name += ["", "", "", "MI", _clean(person.member_id, 80)]
        out = [name]
        if with_id and inquiry.group_number:
            out.append(["REF", "6P", _clean(inquiry.group_number, 50)])
        if (dmg := _dmg(person)) is not None:
            out.append(dmg)
        return out

    def service(rows_: list[list[str]]) -> None:
        if inquiry.service_date:
            rows_.append(["DTP", "291", "D8", inquiry.service_date.strftime("%Y%m%d")])
        for code in service_types:
            rows_.append(["EQ", code])

    if dep is None:
        rows.append(trace)
        rows += ask(sub, "IL", True)
        service(rows)
    else:
        rows += ask(sub, "IL", True)
        rows.append(["HL", "4", "3", "23", "0"])
        rows.append(trace)
        rows += ask(dep, "03", False)
        service(rows)
    return rows


def build(inquiries: Sequence[Inquiry], *, partners: Partners, control_number: int, created: dt.datetime) -> str:
    """One interchange holding one 270 transaction per inquiry."""
    return envelope.write(
        sender_id=partners.sender_id, receiver_id=partners.receiver_id, control_number=control_number,
        functional_id="HS", application_sender=partners.sender_id, application_receiver=partners.receiver_id,
        implementation=IMPLEMENTATION, created=created, usage=partners.usage,
        transactions=[("270", segments(inquiry, created=created)) for inquiry in inquiries])


# --- reading (show, and the clearinghouse the tests run) -----------------------------------------------------

@dataclass
class ReadInquiry:
    trace_number: str = ""
    payer_name: str = ""
    payer_id: str = ""
    provider_name: str = ""
    provider_npi: str = ""
    subscriber: dict[str, str] = field(default_factory=dict)
    dependent: dict[str, str] | None = None
    service_date: str = ""
    service_types: list[str] = field(default_factory=list)


def _date(value: str) -> str:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date().isoformat()
    except ValueError:
        return value


def read_transaction(transaction: Transaction, interchange: Interchange) -> ReadInquiry:
    out = ReadInquiry()
    level = ""
    person: dict[str, str] = {}
    for seg in transaction.segments:
        if seg.id == "HL":
            level = seg[3]
            if level == "23":
                out.dependent = person = {}
            elif level == "22":
                person = out.subscriber
        elif seg.id == "NM1":
            if level == "20":
                out.payer_name, out.payer_id = seg[3], seg[9]
            elif level == "21":
                out.provider_name, out.provider_npi = seg[3], seg[9]
            elif level in ("22", "23"):
                person.update({"family_name": seg[3], "given_name": seg[4], "member_id": seg[9]})
        elif seg.id == "TRN":
            out.trace_number = seg[2]
        elif seg.id == "DMG" and level in ("22", "23"):
            person.update({"birth_date": _date(seg[2]), "sex": seg[3]})
        elif seg.id == "DTP" and seg[1] == "291":
            out.service_date = _date(seg[3].split("-")[0])
        elif seg.id == "EQ":
            out.service_types += envelope.repeats(seg[1], interchange.delimiters)
    return out


def to_json(interchange: Interchange, transaction: Transaction) -> dict[str, object]:
    read = read_transaction(transaction, interchange)
    return {
        "transaction": "270", "implementation": transaction.implementation,
        "control_number": transaction.control_number, "trace_number": read.trace_number,
        "payer": {"name": read.payer_name, "id": read.payer_id},
        "provider": {"name": read.provider_name, "npi": read.provider_npi},
        "subscriber": read.subscriber, "dependent": read.dependent,
        "service_date": read.service_date or None, "service_types": read.service_types,
    }
