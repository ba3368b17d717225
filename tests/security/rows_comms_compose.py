"""Access-matrix rows for correspondence (#24): letters and messages written by staff, the compose templates and
the incoming-mail log. See matrix.py for what a row means.

Who: correspondence.write (the front desk, patient and practice coordinators, billing) writes to patients and works
the incoming mail of their own locations; practice.admin (the practice coordinator, the system administrator)
edits the templates, which belong to the whole practice. Pages that work at one location are asked with
?location=<Downtown>: a user of another location gets 404 for the location before any permission (`outsider`).
An incoming item is hidden (404) from anyone who may not work it."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, FD, PC, PRACTICE_ADMINS, PRC, Row, page
from .world import upload

WRITERS = frozenset({FD, PC, PRC, BILL})
MSG = "/messages"
AT = "?location={home.pk}"
HIDDEN = {"denied": 404}


def _compose(w: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), "channel": "sms", "patient": [str(w.objects["ana"].pk)],
            "template": str(w.objects["compose_sms"].pk), "batch": "matrix-compose"}


def _template_form(**changes: Any) -> dict[str, Any]:
    return {"name": "Matrix letter", "purpose": "general", "channel": "letter",
            "body_en": "Dear {{ patient.first_name }}", "body_es": "Estimado/a {{ patient.first_name }}", **changes}


def _incoming(w: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), "medium": "fax", "kind": "referral", "sender": "Matrix Cardiology",
            "received_on": "2026-11-20", "file": upload("fax.pdf")}


ROWS: list[Row] = [
    page("GET", f"{MSG}/compose/{AT}", 200, WRITERS, outsider=404),
    page("POST", f"{MSG}/compose/", 302, WRITERS, outsider=404, data=_compose),
    page("GET", f"{MSG}/sent/{AT}", 200, WRITERS, outsider=404),
    page("GET", f"{MSG}/compose/templates/", 200, PRACTICE_ADMINS, elsewhere=None),
    page("GET", f"{MSG}/compose/templates/new/", 200, PRACTICE_ADMINS, elsewhere=None),
    page("POST", f"{MSG}/compose/templates/new/", 302, PRACTICE_ADMINS, elsewhere=None,
         data=lambda w: _template_form()),
    page("GET", f"{MSG}/compose/templates/{{compose_sms.pk}}/", 200, PRACTICE_ADMINS, elsewhere=None),
    page("POST", f"{MSG}/compose/templates/{{compose_sms.pk}}/", 302, PRACTICE_ADMINS, elsewhere=None,
         data=lambda w: {"body_en": "Call {{ practice.phone }}", "body_es": "Llame al {{ practice.phone }}",
                         "active": "on"}),
    page("GET", f"{MSG}/incoming/{AT}", 200, WRITERS, outsider=404),
    page("GET", f"{MSG}/incoming/new/{AT}", 200, WRITERS, outsider=404),
    page("POST", f"{MSG}/incoming/new/", 302, WRITERS, outsider=404, data=_incoming),
    page("GET", f"{MSG}/incoming/{{incoming.pk}}/", 200, WRITERS, **HIDDEN),
    page("POST", f"{MSG}/incoming/{{incoming.pk}}/", 302, WRITERS, **HIDDEN,
         data=lambda w: {"kind": "referral", "pool": "records", "patient": str(w.objects["ana"].pk)}),
    page("POST", f"{MSG}/incoming/{{incoming.pk}}/done/", 302, WRITERS, **HIDDEN),
    page("GET", f"{MSG}/incoming/{{incoming.pk}}/files/{{incoming_file.pk}}/", 200, WRITERS, **HIDDEN),
]


def objects(world: Any) -> dict[str, Any]:
    """The shipped SMS template, and a fax logged at Downtown with its scan."""
    import datetime as dt

    from clinicdesk.comms.incoming import incoming_log
    from clinicdesk.comms.models import ComposeTemplate

    item = incoming_log(actor=world.users[PC], location_id=world.home.pk, medium="fax", kind="referral",
                        sender="Matrix Cardiology", received_on=dt.date(2026, 11, 20), upload=upload("fax.pdf"))
    return {"compose_sms": ComposeTemplate.objects.get(seed_key="please-call-sms"), "incoming": item,
            "incoming_file": item.files.get()}
