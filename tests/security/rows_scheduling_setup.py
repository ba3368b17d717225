"""Access-matrix rows for the scheduling setup screens and API (#14). See matrix.py for what a row means.

Setting up the schedule (appointment types, weekly blocks, time away, holidays) is practice administration:
practice coordinators and system administrators, everyone else 403 (configuration holds no patient data, so a
refusal need not hide that a record exists)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .matrix import PRACTICE_ADMINS, Row, api, page

ROWS: list[Row] = []

_TYPE = "/schedule/setup/types/{st_type.pk}/"
_BLOCK = "/schedule/setup/availability/blocks/{st_template.pk}/"
_AWAY = "/schedule/setup/availability/away/{st_exception.pk}/"
_HOLIDAY = "/schedule/setup/holidays/{st_holiday.pk}/"
_KEEPS = "removing changes what can be booked from now on; appointments already booked stay"


def _type_form(w: Any, **changes: Any) -> dict[str, Any]:
    return {"code": "matrix-physical", "name": "Physical", "patient_facing_name": "Annual check-up",
            "category": "visit", "duration_minutes": "30", "buffer_before_minutes": "0",
            "buffer_after_minutes": "0", "color": "#336699", "checklist": ["photo_id"], **changes}


def _block_form(w: Any) -> dict[str, Any]:
    return {"practitioner_id": w.st_doc.pk, "location_id": w.home.pk, "weekday": "3", "start_time": "08:00",
            "end_time": "12:00", "effective_from": "2026-12-01"}


def _json_row(method: str, path: str, ok: int, body: Any = None, **kw: Any) -> Row:
    data = (lambda w: json.dumps(body(w))) if body is not None else None
    return Row(method, path, ok, PRACTICE_ADMINS, data=data, anon=401,
               content_type="application/json" if body is not None else None, **kw)


ROWS += [
    # appointment types
    page("GET", "/schedule/setup/types/", 200, PRACTICE_ADMINS),
    page("GET", "/schedule/setup/types/new/", 200, PRACTICE_ADMINS),
    page("POST", "/schedule/setup/types/new/", 302, PRACTICE_ADMINS, data=_type_form),
    page("GET", _TYPE, 200, PRACTICE_ADMINS),
    page("POST", _TYPE, 302, PRACTICE_ADMINS, data=lambda w: _type_form(w, code="matrix-type", duration_minutes="40")),
    page("POST", _TYPE + "deactivate/", 302, PRACTICE_ADMINS),
    api("GET", "/api/v1/appointment-types", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/appointment-types", 201, PRACTICE_ADMINS,
        body=lambda w: {"code": "matrix-api", "name": "API type", "patientFacingName": "Visit",
                        "durationMinutes": 15}),
    api("GET", "/api/v1/appointment-types/{st_type.pk}", 200, PRACTICE_ADMINS),
    _json_row("PATCH", "/api/v1/appointment-types/{st_type.pk}", 200, lambda w: {"durationMinutes": 25}),
    api("POST", "/api/v1/appointment-types/{st_type.pk}/deactivate", 200, PRACTICE_ADMINS),

    # weekly availability, with the calendar of what it produces
    page("GET", "/schedule/setup/availability/?practitioner={st_doc.pk}&location={home.pk}", 200, PRACTICE_ADMINS),
    page("GET", "/schedule/setup/availability/blocks/new/", 200, PRACTICE_ADMINS),
    page("POST", "/schedule/setup/availability/blocks/new/", 302, PRACTICE_ADMINS, data=_block_form),
    page("GET", _BLOCK, 200, PRACTICE_ADMINS),
    page("POST", _BLOCK, 302, PRACTICE_ADMINS,
         data=lambda w: {"weekday": "1", "start_time": "09:00", "end_time": "13:00", "effective_from": "2026-01-01",
                         "label": "Mornings"}),
    page("POST", _BLOCK + "end/", 302, PRACTICE_ADMINS, why=_KEEPS),
    api("GET", "/api/v1/availability-templates", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/availability-templates", 201, PRACTICE_ADMINS,
        body=lambda w: {"practitioner": w.st_doc.pk, "location": w.home.pk, "weekday": 4, "startTime": "08:00",
                        "endTime": "12:00", "effectiveFrom": "2026-12-01"}),
    api("GET", "/api/v1/availability-templates/{st_template.pk}", 200, PRACTICE_ADMINS),
    _json_row("PATCH", "/api/v1/availability-templates/{st_template.pk}", 200, lambda w: {"label": "Mornings"}),
    _json_row("DELETE", "/api/v1/availability-templates/{st_template.pk}", 204, why=_KEEPS),

    # time away (availability exceptions)
    page("GET", "/schedule/setup/availability/away/new/", 200, PRACTICE_ADMINS),
    page("POST", "/schedule/setup/availability/away/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"practitioner_id": w.st_doc.pk, "location_id": w.home.pk, "kind": "conference",
                         "first_day": "2026-12-14", "last_day": "2026-12-15", "reason": "Congress"}),
    page("GET", _AWAY, 200, PRACTICE_ADMINS),
    page("POST", _AWAY, 302, PRACTICE_ADMINS, why=_KEEPS),
    api("GET", "/api/v1/availability-exceptions", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/availability-exceptions", 201, PRACTICE_ADMINS,
        body=lambda w: {"practitioner": w.st_doc.pk, "kind": "meeting", "start": "2026-12-02T12:00:00-05:00",
                        "end": "2026-12-02T13:00:00-05:00"}),
    api("GET", "/api/v1/availability-exceptions/{st_exception.pk}", 200, PRACTICE_ADMINS),
    _json_row("DELETE", "/api/v1/availability-exceptions/{st_exception.pk}", 204, why=_KEEPS),

    # holidays and closures
    page("GET", "/schedule/setup/holidays/", 200, PRACTICE_ADMINS),
    page("GET", "/schedule/setup/holidays/new/", 200, PRACTICE_ADMINS),
    page("POST", "/schedule/setup/holidays/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"location_id": w.home.pk, "day": "2026-12-31", "name": "New Year's Eve"}),
    page("GET", _HOLIDAY, 200, PRACTICE_ADMINS),
    page("POST", _HOLIDAY, 302, PRACTICE_ADMINS),
    api("GET", "/api/v1/holidays", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/holidays", 201, PRACTICE_ADMINS,
        body=lambda w: {"location": w.home.pk, "day": "2027-01-01", "name": "New Year"}),
    api("GET", "/api/v1/holidays/{st_holiday.pk}", 200, PRACTICE_ADMINS),
    _json_row("DELETE", "/api/v1/holidays/{st_holiday.pk}", 204),
]


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown; {} when none."""
    from tests.factories import (
        AppointmentTypeFactory,
        AvailabilityExceptionFactory,
        AvailabilityTemplateFactory,
        LocationHolidayFactory,
        PractitionerFactory,
    )

    st_doc = PractitionerFactory(first_name="Sam", last_name="Setup", location=world.home)
    return {
        "st_doc": st_doc,
        "st_type": AppointmentTypeFactory(code="matrix-type", name="Matrix type", duration_minutes=30),
        "st_template": AvailabilityTemplateFactory(practitioner=st_doc, location=world.home, weekday=1,
                                                   start_time=dt.time(9), end_time=dt.time(13),
                                                   effective_from=dt.date(2026, 1, 1)),
        "st_exception": AvailabilityExceptionFactory(practitioner=st_doc, location=world.home, reason="Training"),
        "st_holiday": LocationHolidayFactory(location=world.home, day=dt.date(2026, 12, 24), name="Christmas Eve"),
    }
