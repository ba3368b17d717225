"""The scheduling JSON API (/api/v1/appointments...). Session sign-in with the CSRF header, like the
pages. Errors are RFC 9457 problem details: 409 `slot-taken` when someone else was faster, 422 for
bad input, 404 for what is missing or not the caller's. Every call goes to the same services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, idempotency_key, json_body
from clinicdesk.core.dates import day_in_range
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.openapi import ID, INSTANT, MAX_ID, SESSION, TEXT, WRITE_AUTH, body, errors, ok, optional
from clinicdesk.practice.selectors import locations_for

from .models import Appointment, WaitlistEntry
from .search import SearchQuery
from .selectors import appointment_detail, slots_search, waitlist_for
from .services import (
    BookingRequest,
    Occurrence,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
    series_book,
    series_preview,
    waitlist_add,
    waitlist_remove,
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


_idempotency_key = idempotency_key  # core.api: the one reading of the header


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


# --- the waitlist and recurring series (#14) -----------------------------------------------------

def waitlist_json(e: WaitlistEntry) -> dict[str, Any]:
    return {
        "id": e.pk, "status": e.status, "patient": e.patient_id, "appointmentType": e.appointment_type_id,
        "location": e.location_id, "practitioners": sorted(p.pk for p in e.practitioners.all()),
        "weekdays": list(e.weekdays), "earliest": e.earliest_time.strftime("%H:%M") if e.earliest_time else None,
        "latest": e.latest_time.strftime("%H:%M") if e.latest_time else None, "noticeHours": e.notice_hours,
        "priority": e.priority, "note": e.note, "createdAt": e.created_at.isoformat(),
    }


def _bounded(data: dict[str, Any], name: str, low: int, high: int, default: int) -> int:
    value = _int(data, name, required=False)
    if value is None:
        return default
    if not low <= value <= high:
        raise ValidationFailed("bad-field", _("'%(name)s' must be from %(low)s to %(high)s.") % {
                               "name": name, "low": low, "high": high},
                               fields={name: [_("From %(low)s to %(high)s.") % {"low": low, "high": high}]})
    return value


def _query_location(request: HttpRequest) -> Any:
    """`?location=<id>`: one of the caller's locations (another one looks missing)."""
    value = request.GET.get("location") or ""
    if not value.isdigit():
        raise ValidationFailed("bad-field", _("'%(name)s' must be a record id.") % {"name": "location"},
                               fields={"location": [_("Not a record id.")]})
    location = next((loc for loc in locations_for(request.user) if str(loc.pk) == value), None)
    if location is None:
        raise NotFound()
    return location


@require_http_methods(["GET", "POST"])
@api_login_required
def waitlist(request: HttpRequest) -> JsonResponse:
    """GET ?location=<id>: who is waiting there. POST: add {patient, appointmentType, [location, practitioners,
    weekdays, earliest, latest, noticeHours, priority, note]}."""
    if request.method == "GET":
        entries = waitlist_for(actor=request.user, location=_query_location(request))
        return JsonResponse({"items": [waitlist_json(e) for e in entries]})
    data = _body(request)
    entry = waitlist_add(
        actor=request.user, patient_id=_id(data, "patient") or 0,
        appointment_type_id=_id(data, "appointmentType") or 0, location_id=_id(data, "location", required=False),
        practitioner_ids=_ints(data, "practitioners"), weekdays=_weekdays(data),
        earliest_time=_time(data, "earliest"), latest_time=_time(data, "latest"),
        notice_hours=_bounded(data, "noticeHours", 0, 336, 24), priority=_bounded(data, "priority", 0, 100, 0),
        note=_text(data, "note"))
    return JsonResponse(waitlist_json(entry), status=201)


@require_POST
@api_login_required
def waitlist_entry_remove(request: HttpRequest, entry_id: int) -> JsonResponse:
    entry = waitlist_remove(actor=request.user, entry_id=entry_id)
    return JsonResponse(waitlist_json(entry))


def _series(data: dict[str, Any]) -> tuple[BookingRequest, int, int]:
    booking = BookingRequest(
        patient_id=_id(data, "patient") or 0, practitioner_id=_id(data, "practitioner") or 0,
        location_id=_id(data, "location") or 0, appointment_type_id=_id(data, "appointmentType") or 0,
        start=_moment(data, "start") or dt.datetime.min, room_id=_id(data, "room", required=False),
        note=_text(data, "note"))
    return booking, _bounded(data, "intervalDays", 1, 90, 7), _bounded(data, "count", 1, 52, 8)


def occurrence_json(o: Occurrence) -> dict[str, Any]:
    return {"index": o.index, "start": o.start.isoformat(), "fits": o.ok, "code": o.code or None,
            "detail": o.detail or None}


@require_POST
@api_login_required
def series_check(request: HttpRequest) -> JsonResponse:
    """Every visit of a series checked, nothing booked."""
    booking, interval, count = _series(_body(request))
    occurrences = series_preview(actor=request.user, request=booking, interval_days=interval, count=count)
    return JsonResponse({"occurrences": [occurrence_json(o) for o in occurrences]})


@require_POST
@api_login_required
def series(request: HttpRequest) -> JsonResponse:
    """Book a series. `allOrNothing` (default true): any visit that does not fit refuses the whole series (409
    `series-conflicts`); false books the visits that fit and lists the skipped ones."""
    data = _body(request)
    booking, interval, count = _series(data)
    whole = True if data.get("allOrNothing") is None else _flag(data, "allOrNothing")
    result = series_book(actor=request.user, request=booking, interval_days=interval, count=count,
                         all_or_nothing=whole, idempotency_key=_idempotency_key(request))
    return JsonResponse({"series": result.series.pk, "booked": [appointment_json(a) for a in result.booked],
                         "skipped": [occurrence_json(o) for o in result.skipped]}, status=201)


_IDEMPOTENCY_HEADER = {"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": "Any string without NUL; the first 80 characters (trimmed) are kept. A retry "
                                      "with the same key returns the first result.", "schema": TEXT}
_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")
_LOCAL_TIME = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}
_SERIES_MEMBERS: dict[str, Any] = {
    "patient": ID, "practitioner": ID, "location": ID, "appointmentType": ID,
    "start": INSTANT | {"description": "The first visit; the others keep its wall-clock time at the location."},
    "room": optional(ID), "note": optional(TEXT),
    "intervalDays": optional({"type": "integer", "minimum": 1, "maximum": 90,
                              "description": "Days between visits (7: weekly; default 7)."}),
    "count": optional({"type": "integer", "minimum": 1, "maximum": 52, "description": "Visits (default 8)."}),
}
_OCCURRENCE = {"type": "object", "required": ["index", "start", "fits", "code", "detail"], "properties": {
    "index": {"type": "integer", "minimum": 0}, "start": {"type": "string", "format": "date-time"},
    "fits": {"type": "boolean"},
    "code": {"type": ["string", "null"], "description": "Why it does not fit: slot-taken, location-closed "
                                                        "(a holiday), outside-availability (away), ..."},
    "detail": {"type": ["string", "null"]}}}

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/waitlist": {
        "get": {"operationId": "waitlistList", "tags": ["waitlist"], "security": [SESSION],
                "summary": "Who is waiting at a location, best first.",
                "parameters": [{"name": "location", "in": "query", "required": True,
                                "schema": {"type": "integer", "minimum": 1}, "description": "The location's id."}],
                "responses": ok("The waiting entries.", "WaitlistEntryList") | errors("401", "403", "404", "422")},
        "post": {"operationId": "waitlistAdd", "tags": ["waitlist"], "security": [WRITE_AUTH],
                 "summary": "Put a patient on the waitlist with what would suit them.",
                 "requestBody": body("WaitlistAdd"),
                 "responses": ok("The new entry.", "WaitlistEntry", "201") | errors(*_WRITE_ERRORS)}},
    "/api/v1/waitlist/{entry_id}/remove": {"post": {
        "operationId": "waitlistRemove", "tags": ["waitlist"], "security": [WRITE_AUTH],
        "summary": "Take an entry off the waitlist.",
        "parameters": [{"name": "entry_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 0}, "description": "The entry's id."}],
        "responses": ok("The entry, removed.", "WaitlistEntry") | errors("401", "403", "404")}},
    "/api/v1/appointments/series/preview": {"post": {
        "operationId": "seriesPreview", "tags": ["appointments"], "security": [WRITE_AUTH],
        "summary": "Check every visit of a recurring series (nothing is booked): which fit, why the others do not.",
        "requestBody": body("SeriesRequest"),
        "responses": ok("Every visit, in order.", "SeriesPreview") | errors("400", "401", "403", "415", "422")}},
    "/api/v1/appointments/series": {"post": {
        "operationId": "seriesBook", "tags": ["appointments"], "security": [WRITE_AUTH],
        "summary": "Book a recurring series.",
        "description": "With `allOrNothing` (the default) a visit that does not fit refuses the whole series: 409 "
                       "`series-conflicts` naming the visits, nothing booked. With false the visits that fit are "
                       "booked and the others listed under `skipped` (409 when none fits).",
        "parameters": [_IDEMPOTENCY_HEADER], "requestBody": body("SeriesBook"),
        "responses": ok("The series booked (or the first one, replayed).", "SeriesResult", "201")
        | errors(*_WRITE_ERRORS)}},
}

OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "WaitlistEntry": {"type": "object", "required": [
        "id", "status", "patient", "appointmentType", "location", "practitioners", "weekdays", "earliest", "latest",
        "noticeHours", "priority", "note", "createdAt"], "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["waiting", "offered", "booked", "removed"]},
        "patient": {"type": "integer"}, "appointmentType": {"type": "integer"},
        "location": {"type": ["integer", "null"], "description": "null: any location."},
        "practitioners": {"type": "array", "items": {"type": "integer"}, "description": "Empty: any provider."},
        "weekdays": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}},
        "earliest": {"type": ["string", "null"]}, "latest": {"type": ["string", "null"]},
        "noticeHours": {"type": "integer"}, "priority": {"type": "integer"}, "note": {"type": "string"},
        "createdAt": {"type": "string", "format": "date-time"}}},
    "WaitlistEntryList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/WaitlistEntry"}}}},
    "WaitlistAdd": {
        "type": "object", "required": ["patient", "appointmentType"],
        "description": "Members not listed are ignored; null is the same as leaving a member out.",
        "properties": {
            "patient": ID, "appointmentType": ID,
            "location": optional(ID | {"description": "Leave out for any location."}),
            "practitioners": optional({"type": "array", "items": ID, "description": "Leave out for any provider."}),
            "weekdays": optional({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6},
                                  "description": "0 = Monday; leave out for any day."}),
            "earliest": optional(_LOCAL_TIME), "latest": optional(_LOCAL_TIME),
            "noticeHours": optional({"type": "integer", "minimum": 0, "maximum": 336,
                                     "description": "Notice the patient needs (default 24)."}),
            "priority": optional({"type": "integer", "minimum": 0, "maximum": 100,
                                  "description": "Higher is offered first (default 0)."}),
            "note": optional(TEXT | {"description": "At most 200 characters are kept."}),
        }},
    "SeriesRequest": {"type": "object", "required": ["patient", "practitioner", "location", "appointmentType", "start"],
                      "description": "Members not listed are ignored; null is the same as leaving a member out.",
                      "properties": _SERIES_MEMBERS},
    "SeriesBook": {"type": "object", "required": ["patient", "practitioner", "location", "appointmentType", "start"],
                   "description": "Members not listed are ignored; null is the same as leaving a member out.",
                   "properties": _SERIES_MEMBERS | {"allOrNothing": optional({
                       "type": "boolean", "description": "Refuse the whole series when a visit does not fit "
                                                         "(default true)."})}},
    "SeriesPreview": {"type": "object", "required": ["occurrences"], "properties": {
        "occurrences": {"type": "array", "items": _OCCURRENCE}}},
    "SeriesResult": {"type": "object", "required": ["series", "booked", "skipped"], "properties": {
        "series": {"type": "integer"},
        "booked": {"type": "array", "items": {"$ref": "#/components/schemas/Appointment"}},
        "skipped": {"type": "array", "items": _OCCURRENCE}}},
}
