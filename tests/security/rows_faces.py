"""Access-matrix rows for the faces screens and API (#14): the waitlist, recurring series, and charges, adjustments
and reversals on a patient account. See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import SCHEDULE_READERS, SCHEDULE_WRITERS, TOMORROW, Row, api, page

BILLERS = frozenset({"billing"})  # billing.write: charges, adjustments, reversals


def _waitlist(w: Any) -> dict[str, Any]:
    return {"at": w.home.pk, "patient": w.cy.pk, "appointment_type": w.kind.pk, "location": w.home.pk,
            "notice_hours": 24, "priority": 0}


def _series(w: Any, **extra: Any) -> dict[str, Any]:
    return {"location": w.home.pk, "patient": w.cy.pk, "practitioner": w.doc.pk, "appointment_type": w.kind.pk,
            "day": TOMORROW.isoformat(), "time": "15:00", "every": 1, "unit": "weeks", "count": 2, **extra}


def _series_api(w: Any) -> dict[str, Any]:
    return {"patient": w.cy.pk, "practitioner": w.doc.pk, "location": w.home.pk, "appointmentType": w.kind.pk,
            "start": "2026-11-24T15:00:00-05:00", "intervalDays": 7, "count": 2}


ROWS: list[Row] = [
    # the waitlist: the desk adds and removes (schedule.write); the form answers as the save does
    page("GET", "/schedule/waitlist/new/?location={home.pk}", 200, SCHEDULE_WRITERS, outsider=404),
    page("POST", "/schedule/waitlist/new/", 302, SCHEDULE_WRITERS, data=_waitlist, outsider=404,
         why="the page's location is named in the form: other locations' users do not see it (404)"),
    page("POST", "/schedule/waitlist/{faces_entry.pk}/remove/", 302, SCHEDULE_WRITERS,
         data=lambda w: {"location": w.home.pk}, outsider=404),
    api("GET", "/api/v1/waitlist?location={home.pk}", 200, SCHEDULE_READERS, outsider=404,
        why="who is waiting shows patients: schedule readers of the location; another location looks missing"),
    api("POST", "/api/v1/waitlist", 201, SCHEDULE_WRITERS, elsewhere=403,
        body=lambda w: {"patient": w.cy.pk, "appointmentType": w.kind.pk, "location": w.home.pk},
        why="the location is named in the body: an Uptown user is refused there (403)"),
    api("POST", "/api/v1/waitlist/{faces_entry.pk}/remove", 200, SCHEDULE_WRITERS),

    # recurring series: part of booking
    page("GET", "/schedule/series/?location={home.pk}", 200, SCHEDULE_WRITERS, outsider=404),
    page("POST", "/schedule/series/preview/", 200, SCHEDULE_WRITERS, data=_series, outsider=404),
    page("POST", "/schedule/series/new/", 200, SCHEDULE_WRITERS, outsider=404,
         data=lambda w: _series(w, on_conflict="all", idempotency_key="matrix-series")),
    api("POST", "/api/v1/appointments/series/preview", 200, SCHEDULE_WRITERS, elsewhere=403, body=_series_api,
        why="the location is named in the body: an Uptown user is refused there (403)"),
    api("POST", "/api/v1/appointments/series", 201, SCHEDULE_WRITERS, body=_series_api,
        why="a Downtown patient named by id is hidden from Uptown's desk (404), as in booking"),

    # the patient account: charges, adjustments, reversals (billing.write)
    page("GET", "/billing/patients/{ana.pk}/charge/", 200, BILLERS,
         why="the form opens only for those who may post, on an account they may see"),
    page("POST", "/billing/patients/{ana.pk}/charge/", 302, BILLERS,
         data=lambda w: {"location": w.home.pk, "amount": "10.00", "description": "Visit",
                         "idempotency_key": "matrix-charge"}),
    page("GET", "/billing/patients/{ana.pk}/adjustment/", 200, BILLERS),
    page("POST", "/billing/patients/{ana.pk}/adjustment/", 302, BILLERS,
         data=lambda w: {"location": w.home.pk, "amount": "-5.00", "reason": "Courtesy",
                         "idempotency_key": "matrix-adjustment"}),
    page("GET", "/billing/entries/{payment.pk}/reverse/", 200, BILLERS),
    page("POST", "/billing/entries/{payment.pk}/reverse/", 302, BILLERS,
         data=lambda w: {"reason": "Posted to the wrong chart", "confirm": "on"}),
    api("POST", "/api/v1/patients/{ana.pk}/charges", 201, BILLERS, elsewhere=403,
        body=lambda w: {"location": w.home.pk, "amount": "10.00", "description": "Visit"},
        why="the location is named in the body: Uptown's billing is refused there (403)"),
    api("POST", "/api/v1/patients/{ana.pk}/adjustments", 201, BILLERS, elsewhere=403,
        body=lambda w: {"location": w.home.pk, "amount": "-5.00", "reason": "Courtesy"}),
    api("POST", "/api/v1/ledger-entries/{payment.pk}/reverse", 201, BILLERS,
        body=lambda w: {"reason": "Posted to the wrong chart"},
        why="another location's entry looks missing (404)"),
]


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown."""
    from clinicdesk.scheduling.services import waitlist_add

    desk = world.users["front_desk"]
    entry = waitlist_add(actor=desk, patient_id=world.ben.pk, appointment_type_id=world.kind.pk,
                         location_id=world.home.pk)
    return {"faces_entry": entry}
