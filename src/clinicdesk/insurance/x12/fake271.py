"""Made-up 271 answers built from 270 requests: what a clearinghouse would send back, without a network.

The tests' local clearinghouse (tests/insurance/clearinghouse.py) answers with these, and the demo practice stores
them through the same path as a real exchange (insurance/demo.py). What is answered depends on the member id asked
about (so that one batch can hold every case): INACT... inactive coverage, REJ... an AAA rejection (subscriber not
found: 75, correct and resend: C), SLOW... (the test server's time-out case), BAD... a malformed 271 (cut short),
OTHER... a 271 for another patient, anything else: active coverage with co-pay, co-insurance, deductible and
out-of-pocket remaining, visit limits. `case` forces one case for every transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid

from . import e270, envelope

NOW = dt.datetime(2026, 11, 23, 15, 0)


def case_for(member_id: str) -> str:
    for prefix, case in (("INACT", "inactive"), ("REJ", "rejected"), ("SLOW", "slow"), ("BAD", "malformed"),
                         ("OTHER", "other-patient")):
        if member_id.upper().startswith(prefix):
            return case
    return "active"


def _person_segments(person: dict[str, str], entity: str, with_id: bool) -> list[list[str]]:
    rows = [["NM1", entity, "1", person.get("family_name", ""), person.get("given_name", ""), "", "", "",
             "MI" if with_id else "", person.get("member_id", "") if with_id else ""]]
    if person.get("birth_date"):
        rows.append(["DMG", "D8", person["birth_date"].replace("-", ""), person.get("sex", "")])
    return rows


def benefits(case: str, level_rows: list[list[str]]) -> None:
    if case == "inactive":
        level_rows.append(["EB", "6", "IND", "30"])
        level_rows.append(["MSG", "COVERAGE TERMINATED 20260930"])
        return
    level_rows += [
        ["EB", "1", "FAM", "30", "PR", "GOLD PPO 2000"],
        ["EB", "B", "IND", "98", "PR", "", "27", "25", "", "", "", "", "Y"],
        ["EB", "B", "IND", "98", "PR", "", "27", "60", "", "", "", "", "N"],
        ["EB", "A", "IND", "98^UC", "PR", "", "", "", "0.2", "", "", "", "Y"],
        ["EB", "C", "IND", "30", "PR", "", "23", "1500", "", "", "", "", "Y"],
        ["EB", "C", "IND", "30", "PR", "", "29", "612.45", "", "", "", "", "Y"],
        ["EB", "G", "IND", "30", "PR", "", "23", "6000", "", "", "", "", "Y"],
        ["EB", "G", "IND", "30", "PR", "", "29", "4321.10", "", "", "", "", "Y"],
        ["EB", "F", "IND", "PT", "PR", "", "23", "", "", "VS", "20", "", "Y"],
        ["HSD", "VS", "20", "", "", "23"],
        ["MSG", "PHYSICAL THERAPY LIMITED TO 20 VISITS PER CALENDAR YEAR"],
        ["EB", "L", "", "30"],
        ["LS", "2120"],
        ["NM1", "P3", "1", "WELBY", "MARCUS", "", "", "", "XX", "1245319599"],
        ["LE", "2120"],
    ]


def answer_271(request_270: str, *, case: str | None = None, created: dt.datetime | None = None) -> str:
    """The 271 interchange answering every 270 transaction in `request_270` (dated `created`, NOW by default)."""
    now = created or NOW
    interchange = envelope.read(request_270)
    transactions = []
    broken = False
    for transaction in interchange.transactions:
        asked = e270.read_transaction(transaction, interchange)
        which = case or case_for(asked.subscriber.get("member_id", ""))
        broken = broken or which == "malformed"
        rows: list[list[str]] = [
            ["BHT", "0022", "11", uuid.uuid4().hex[:20].upper(), now.strftime("%Y%m%d"), now.strftime("%H%M")],
            ["HL", "1", "", "20", "1"],
            ["NM1", "PR", "2", asked.payer_name, "", "", "", "", "PI", asked.payer_id],
            ["HL", "2", "1", "21", "1"],
            ["NM1", "1P", "2", asked.provider_name, "", "", "", "", "XX", asked.provider_npi],
            ["HL", "3", "2", "22", "1" if asked.dependent else "0"],
        ]
        trace = asked.trace_number
        subscriber = dict(asked.subscriber)
        dependent = dict(asked.dependent) if asked.dependent is not None else None
        if which == "other-patient":
            trace = "CD" + uuid.uuid4().hex[:18].upper()
            (dependent or subscriber).update({"family_name": "SOMEONE", "given_name": "ELSE"})
        patient_rows: list[list[str]] = []
        if dependent is None:
            rows.append(["TRN", "2", trace, "9877281234"])
            rows += _person_segments(subscriber, "IL", True)
            patient_rows = rows
        else:
            rows += _person_segments(subscriber, "IL", True)
            rows.append(["HL", "4", "3", "23", "0"])
            rows.append(["TRN", "2", trace, "9877281234"])
            rows += _person_segments(dependent, "03", False)
            patient_rows = rows
        if which == "rejected":
            # AAA sits right after the NM1 (and before DMG) in 2100C/D
            index = max(i for i, r in enumerate(patient_rows) if r[0] == "NM1")
            patient_rows.insert(index + 1, ["AAA", "N", "", "75", "C"])
        else:
            patient_rows.append(["DTP", "346", "D8", "20260101"])
            benefits(which, patient_rows)
        transactions.append(("271", rows))
    text = envelope.write(sender_id=interchange.receiver_id, receiver_id=interchange.sender_id,
                          control_number=int(interchange.control_number), functional_id="HB",
                          application_sender=interchange.receiver_id, application_receiver=interchange.sender_id,
                          implementation=e270.IMPLEMENTATION, transactions=transactions, created=now)
    if broken:
        return text[: len(text) // 2]  # cut short: no IEA
    return text
