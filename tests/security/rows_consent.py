"""Access-matrix rows for consent to be contacted (#24 item 5): the contact-preferences screen on the chart and its
JSON API. See matrix.py for what a row means.

Reading it is a read of the record (everyone who reads charts, a restricted one only after breaking the glass);
recording a consent is the desk's (patient.write). The chart is looked up first: anyone who may not reach it gets
404, as for the patient's messages."""

from __future__ import annotations

from typing import Any

from .matrix import ADMIN, NOBODY, PATIENT_READERS, PATIENT_WRITERS, Row, api, page, public

PREFS = "/messages/patient/{ana.pk}/contact-preferences/"
HIDDEN = {"denied": 404}


def _record(w: Any) -> dict[str, Any]:
    return {"purpose": "outreach", "channel": "email", "answer": "granted", "source": "written",
            "note": "Matrix: signed form"}


ROWS: list[Row] = [
    page("GET", PREFS, 200, PATIENT_READERS, **HIDDEN),
    page("GET", "/messages/patient/{rita.pk}/contact-preferences/", 403, NOBODY, case="restricted record",
         outsider=404, who={ADMIN: 404},
         why="consent is part of the record: a restricted one needs the glass broken first"),
    page("POST", PREFS, 302, PATIENT_WRITERS, data=_record, **HIDDEN),
    api("GET", "/api/v1/patients/{ana.pk}/consent", 200, PATIENT_READERS, **HIDDEN),
    api("POST", "/api/v1/patients/{ana.pk}/consent", 201, PATIENT_WRITERS, **HIDDEN,
        body=lambda w: {"purpose": "billing", "channel": "sms", "granted": False, "source": "desk"}),
    # a patient's e-mail unsubscribe link: the signed token is the proof, as for an answer link
    public("GET", "/u/{unsubscribe_token}/", 200, case="valid token"),
    public("POST", "/u/{unsubscribe_token}/", 200, case="valid token, stop"),
    public("GET", "/u/{bad_unsubscribe_token}/", 404, case="tampered token"),
    public("POST", "/u/{bad_unsubscribe_token}/", 404, case="tampered token, stop"),
]


def objects(world: Any) -> dict[str, Any]:
    """An unsubscribe link for Ana's outreach e-mails, and the same link tampered with."""
    from clinicdesk.comms.services import unsubscribe_token

    token = unsubscribe_token(patient_id=world.objects["ana"].pk, purpose="outreach")
    return {"unsubscribe_token": token, "bad_unsubscribe_token": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")}
