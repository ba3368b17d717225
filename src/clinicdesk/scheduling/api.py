"""The scheduling JSON API (/api/v1/appointments...). Session sign-in with the CSRF header, like the
pages. Errors are RFC 9457 problem details: 409 `slot-taken` when someone else was faster, 422 for
bad input, 404 for what is missing or not the caller's. Every call goes to the same services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.dates import day_in_range
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.openapi import MAX_ID

from .models import Appointment
from .search import SearchQuery
from .selectors import appointment_detail, slots_search
from .services import (
    BookingRequest,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
)

_body = json_body  # the API's one body parser: JSON only (415 for anything else), an object or a 422


# Members are typed as the OpenAPI document (core/openapi.py) says: a number in quotes, 1.5 for an id or
# "yes" for a boolean is refused with a 422 naming the member, not guessed at. Absent and null are the same.

def _missing(name: str) -> ValidationFailed:
    return ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": name},
                            fields={name: [_("Required.")]})


def _int(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("bad-field", _("'%(name)s' must be a whole number.") % {"name": name},
                               fields={name: [_("Not a number.")]})
    return value


def _id(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = _int(data, name, required=required)
    if value is not None and not 1 <= value <= MAX_ID:
        raise ValidationFailed("bad-field", _("'%(name)s' is not a record id.") % {"name": name},
                               fields={name: [_("Not a record id.")]})
    return value


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed("bad-field", _("'%(name)s' must be text.") % {"name": name},
                               fields={name: [_("Not text.")]})
    if "\x00" in value:  # no database text column holds one (PostgreSQL refuses it)
        raise ValidationFailed("bad-field", _("'%(name)s' contains a NUL character.") % {"name": name},
                               fields={name: [_("NUL character.")]})
    return value


def _idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and "\x00" in key:
        raise ValidationFailed("bad-idempotency-key", _("The Idempotency-Key header contains a NUL character."))
    return key


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationFailed("bad-field", _("'%(name)s' must be true or false.") % {"name": name},
                               fields={name: [_("Not true or false.")]})
    return value


_T = TypeVar("_T")


def _iso(value: object, name: str, parse: Callable[[str], _T], code: str, what: str, example: str) -> _T:
    """`value` read by `parse` (a `fromisoformat`), or a ValidationFailed that names the field and an example."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse(value)
    except ValueError as exc:
        raise ValidationFailed(code, _("'%(name)s' is not %(what)s.") % {"name": name, "what": what},
                               fields={name: [_("Use e.g. %(example)s.") % {"example": example}]}) from exc


def _moment(data: dict[str, Any], name: str, *, required: bool = True) -> dt.datetime | None:
    value = data.get(name)
    if value is None:
        if required:
            raise _missing(name)
        return None
    moment = _iso(value, name, dt.datetime.fromisoformat, "bad-time", _("an ISO 8601 date-time"),
                  "2026-11-24T09:00:00-05:00")
    if moment.tzinfo is None:
        raise ValidationFailed("naive-time", _("'%(name)s' needs a UTC offset.") % {"name": name},
                               fields={name: [_("Add an offset.")]})
    return moment


def _date(data: dict[str, Any], name: str) -> dt.date | None:
    value = data.get(name)
    if value is None:
        return None
    day = _iso(value, name, dt.date.fromisoformat, "bad-date", _("a date (YYYY-MM-DD)"), "2026-11-24")
    return day_in_range(day, name=name)  # the bookable years (core.dates), as on every page


def _time(data: dict[str, Any], name: str) -> dt.time | None:
    value = data.get(name)
    if value is None:
        return None
    moment = _iso(value, name, dt.time.fromisoformat, "bad-time", _("a time (HH:MM)"), "09:30")
    if moment.tzinfo is not None:  # a wall-clock time at the location: an offset would make it an instant
        raise ValidationFailed("bad-time", _("'%(name)s' is a local time (HH:MM) without an offset.") % {"name": name},
                               fields={name: [_("Leave out the offset.")]})
    return moment


def _ints(data: dict[str, Any], name: str, low: int = 1, high: int = MAX_ID,
          meaning: str = "") -> tuple[int, ...]:
    """A list of whole numbers from `low` to `high` (by default: record ids); `meaning` is translated."""
    meaning = meaning or _("record ids")
    values = data.get(name)
    if values is None:
        return ()
    if not isinstance(values, list) or any(isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high
                                           for v in values):
        raise ValidationFailed("bad-field", _("'%(name)s' must be a list of %(meaning)s.") % {
                               "name": name, "meaning": meaning},
                               fields={name: [_("Not a list of %(meaning)s.") % {"meaning": meaning}]})
    return tuple(values)


def _weekdays(data: dict[str, Any]) -> tuple[int, ...]:
    return _ints(data, "weekdays", 0, 6, _("weekdays from 0 (Monday) to 6 (Sunday)"))


def _prefer(data: dict[str, Any]) -> str:
    prefer = _text(data, "prefer")
    if prefer not in ("", "morning", "afternoon"):
        raise ValidationFailed("bad-field", _("'prefer' is morning or afternoon."),
                               fields={"prefer": [_("morning or afternoon.")]})
    return prefer


def appointment_json(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "status": a.status,
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "patient": a.patient_id,
        "practitioner": a.practitioner_id,
        "location": a.location_id,
        "room": a.room_id,
        "appointmentType": a.appointment_type_id,
        "overbooked": a.overbooked,
        "cancelReason": a.cancel_reason or None,
        "lateCancel": a.late_cancel,
    }


@require_POST
@api_login_required
def appointments(request: HttpRequest) -> JsonResponse:
    """Book: {patient, practitioner, location, appointmentType, start, [end, room, equipment, overbook,
    overbookReason, note]}; the Idempotency-Key header makes a retry return the first booking."""
    data = _body(request)
    booking = BookingRequest(
        patient_id=_id(data, "patient") or 0, practitioner_id=_id(data, "practitioner") or 0,
        location_id=_id(data, "location") or 0, appointment_type_id=_id(data, "appointmentType") or 0,
        start=_moment(data, "start") or dt.datetime.min, end=_moment(data, "end", required=False),
        room_id=_id(data, "room", required=False), equipment_ids=_ints(data, "equipment"),
        overbook=_flag(data, "overbook"), overbook_reason=_text(data, "overbookReason"), note=_text(data, "note"))
    appointment = appointment_book(actor=request.user, request=booking, idempotency_key=_idempotency_key(request))
    return JsonResponse(appointment_json(appointment), status=201)


@require_POST
@api_login_required
def search(request: HttpRequest) -> JsonResponse:
    data = _body(request)
    limit = _int(data, "limit", required=False)
    query = SearchQuery(
        appointment_type_id=_id(data, "appointmentType") or 0, location_id=_id(data, "location") or 0,
        practitioner_ids=_ints(data, "practitioners"), patient_id=_id(data, "patient", required=False),
        first_day=_date(data, "from"), last_day=_date(data, "to"), weekdays=_weekdays(data),
        earliest=_time(data, "earliest"), latest=_time(data, "latest"),
        preferred_practitioner_ids=_ints(data, "preferredPractitioners"), prefer=_prefer(data),
        limit=10 if limit is None else limit)
    options = slots_search(actor=request.user, query=query)
    return JsonResponse({"options": [o.as_dict() for o in options]})


@require_GET
@api_login_required
def appointment(request: HttpRequest, appointment_id: int) -> JsonResponse:
    return JsonResponse(appointment_json(appointment_detail(actor=request.user, appointment_id=appointment_id)))


@require_POST
@api_login_required
def reschedule(request: HttpRequest, appointment_id: int) -> JsonResponse:
    data = _body(request)
    moved = appointment_reschedule(actor=request.user, appointment_id=appointment_id,
                                   start=_moment(data, "start") or dt.datetime.min,
                                   practitioner_id=_id(data, "practitioner", required=False),
                                   room_id=_id(data, "room", required=False), reason=_text(data, "reason"))
    return JsonResponse(appointment_json(moved))


@require_POST
@api_login_required
def cancel(request: HttpRequest, appointment_id: int) -> JsonResponse:
    data = _body(request)
    cancelled = appointment_cancel(actor=request.user, appointment_id=appointment_id, reason=_text(data, "reason"))
    return JsonResponse(appointment_json(cancelled))


@require_POST
@api_login_required
def status(request: HttpRequest, appointment_id: int) -> JsonResponse:
    data = _body(request)
    changed = appointment_set_status(actor=request.user, appointment_id=appointment_id,
                                     status=_text(data, "status"), note=_text(data, "note"))
    return JsonResponse(appointment_json(changed))
