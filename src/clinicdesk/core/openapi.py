"""The OpenAPI 3.1 description of the internal JSON API (/api/v1/), served at /api/v1/openapi.json.

It is data, not code: no app is imported (core imports none), so the scheduling statuses are spelled out
here and a test holds them equal to `AppointmentStatus`; another test holds every /api/v1 URL pattern and
its allowed methods equal to the operations described, and the Schemathesis suite (tests/fuzz) checks
every answer against it. Change an API view, change this document in the same commit.

Authentication is the web session: the `sessionid` cookie of a signed-in user. Writes (POST) also need
Django's CSRF pair: the `csrftoken` cookie and the same value in the `X-CSRFToken` header. Bodies are
`application/json` (UTF-8); any other content type is a 415. Errors are RFC 9457 problem details
(`application/problem+json`).
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings

from .permissions import Role

VERSION = "1.0.0"
PROBLEM_JSON = "application/problem+json"
# FHIR R4 Appointment.status, as scheduling.models.AppointmentStatus holds them (a test keeps them equal).
APPOINTMENT_STATUSES = ("proposed", "pending", "booked", "arrived", "checked-in", "fulfilled", "cancelled",
                        "noshow", "entered-in-error", "waitlist")
MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField)
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "A record id."}
INSTANT = {"type": "string", "format": "date-time",
           "description": "ISO 8601 date-time with a UTC offset, e.g. 2026-11-24T09:00:00-05:00; years 1900 to "
                          "8999 (UTC)."}
TEXT = {"type": "string", "pattern": "^[^\u0000]*$", "description": "Any text without NUL characters."}
LOCAL_TIME = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
              "description": "A wall-clock time at the location, HH:MM (no offset)."}

SESSION: dict[str, list[str]] = {"session": []}
WRITE_AUTH: dict[str, list[str]] = {"session": [], "csrfCookie": [], "csrfHeader": []}
# The patient portal's API (/api/v1/portal/...): the portal's own session cookie, never the staff session.
PORTAL_SESSION_COOKIE = getattr(settings, "PORTAL_SESSION_COOKIE", "clinicdesk_portal")  # as portal.actor reads it
PORTAL_SESSION: dict[str, list[str]] = {"portalSession": []}
PORTAL_WRITE_AUTH: dict[str, list[str]] = {"portalSession": [], "csrfCookie": [], "csrfHeader": []}

def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


_RESPONSES: dict[str, dict[str, Any]] = {
    "400": _problem("The request could not be read (e.g. a body over the upload limit)."),
    "401": _problem("Not signed in."),
    "403": _problem("Not allowed: the role lacks the permission, or (POST) the CSRF token is missing or wrong."),
    "404": _problem("No such record, or not one the caller may see (the two look the same)."),
    "409": _problem("A conflict: `slot-taken`, `patient-overlap`, `room-taken`, `no-room-free`, `equipment-taken`, "
                    "`no-equipment-free`, `idempotency-key-reused`, or a status change the appointment's state does "
                    "not allow (`invalid-transition`, `not-movable`)."),
    "415": _problem("The body is not `application/json` (a form, multipart or text, or no Content-Type): "
                    "`unsupported-media-type`."),
    "422": _problem("Invalid input: `code` says which rule, `errors` names the fields."),
    "429": _problem("Too many attempts in a short time: wait and try again (`rate-limited`, `pin-locked`, "
                    "`clock-locked`)."),
}


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional member: null means the same as leaving it out."""
    kind = schema["type"]
    optional = schema | {"type": [*(kind if isinstance(kind, list) else [kind]), "null"]}
    if "enum" in schema:
        optional["enum"] = [*schema["enum"], None]
    return optional


def _ok(description: str, schema_name: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description,
                     "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/{status}"} for status in statuses}


def _body(schema_name: str) -> dict[str, Any]:
    return {"required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


_APPOINTMENT_ID = {"name": "appointment_id", "in": "path", "required": True,
                   "schema": {"type": "integer", "minimum": 0}, "description": "The appointment's id."}
_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")


def _instance_post(summary: str, body: str, description: str) -> dict[str, Any]:
    return {"post": {
        "operationId": summary, "summary": description, "tags": ["appointments"], "security": [WRITE_AUTH],
        "parameters": [_APPOINTMENT_ID], "requestBody": _body(body),
        "responses": _ok("The appointment as it now is.", "Appointment") | _errors(*_WRITE_ERRORS)}}


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document.", "tags": ["meta"], "security": [{}],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/api/v1/me": {"get": {
        "operationId": "me", "summary": "Who is signed in: role, language, screens and locations.",
        "tags": ["session"], "security": [SESSION],
        "responses": _ok("The signed-in user.", "Me") | _errors("401")}},
    "/api/v1/appointments": {"post": {
        "operationId": "appointmentBook", "tags": ["appointments"], "security": [WRITE_AUTH],
        "summary": "Book an appointment (every resource it needs, or nothing).",
        "description": "With an `Idempotency-Key`, a retry returns the first booking (201 again); the same key "
                       "for a different booking is a 409 `idempotency-key-reused`.",
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                        "description": "Any string without NUL; the first 80 characters (trimmed) are kept.",
                        "schema": TEXT}],
        "requestBody": _body("BookingRequest"),
        "responses": _ok("Booked (or the first booking, replayed).", "Appointment", "201") | _errors(*_WRITE_ERRORS)}},
    "/api/v1/appointments/search": {"post": {
        "operationId": "appointmentSearch", "tags": ["appointments"], "security": [WRITE_AUTH],
        "summary": "First-available search: ranked options with the reasons for each.",
        "description": "A POST so that the patient id stays out of URLs and logs. Shows no patient data.",
        "requestBody": _body("SearchRequest"),
        "responses": _ok("Up to `limit` options, best first.", "SearchResult")
        | _errors("400", "401", "403", "415", "422")}},
    "/api/v1/appointments/{appointment_id}": {"get": {
        "operationId": "appointmentRead", "tags": ["appointments"], "security": [SESSION],
        "summary": "One appointment.", "parameters": [_APPOINTMENT_ID],
        "responses": _ok("The appointment.", "Appointment") | _errors("401", "403", "404")}},
    "/api/v1/appointments/{appointment_id}/reschedule": _instance_post(
        "appointmentReschedule", "RescheduleRequest", "Move to a new start (and optionally provider or room)."),
    "/api/v1/appointments/{appointment_id}/cancel": _instance_post(
        "appointmentCancel", "CancelRequest", "Cancel, with a reason (late when within 24 hours of the start)."),
    "/api/v1/appointments/{appointment_id}/status": _instance_post(
        "appointmentSetStatus", "StatusRequest", "Change the status, as the state machine allows."),
}

_NAMED = {"type": "object", "required": ["id", "name"],
          "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object", "description": "RFC 9457 problem details.", "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string", "description": "urn:clinicdesk:problem:<code>, or about:blank."},
            "title": {"type": "string"}, "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "A stable machine code, e.g. slot-taken."},
            "errors": {"type": "object", "description": "Messages per input field.",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        }},
    "Appointment": {
        "type": "object",
        "required": ["id", "status", "start", "end", "patient", "practitioner", "location", "room",
                     "appointmentType", "overbooked", "cancelReason", "lateCancel"],
        "properties": {
            "id": {"type": "integer"}, "status": {"type": "string", "enum": list(APPOINTMENT_STATUSES)},
            "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
            "patient": {"type": "integer"}, "practitioner": {"type": "integer"}, "location": {"type": "integer"},
            "room": {"type": ["integer", "null"]}, "appointmentType": {"type": "integer"},
            "overbooked": {"type": "boolean"}, "cancelReason": {"type": ["string", "null"]},
            "lateCancel": {"type": "boolean"},
        }},
    "BookingRequest": {
        "type": "object", "required": ["patient", "practitioner", "location", "appointmentType", "start"],
        "description": "Members not listed are ignored; null is the same as leaving a member out.",
        "properties": {
            "patient": ID, "practitioner": ID, "location": ID, "appointmentType": ID, "start": INSTANT,
            "end": _optional(INSTANT | {"description": "When given it must be start + the type's duration."}),
            "room": _optional(ID | {"description": "Without it a free room of the type's kind is assigned."}),
            "equipment": _optional({"type": "array", "items": ID, "description": "Missing kinds are assigned."}),
            "overbook": _optional({"type": "boolean", "description": "Book over a taken slot (needs the permission "
                                                                     "and a reason)."}),
            "overbookReason": _optional(TEXT),
            "note": _optional(TEXT | {"description": "At most 300 characters are kept."}),
        }},
    "SearchRequest": {
        "type": "object", "required": ["appointmentType", "location"],
        "description": "Members not listed are ignored; null is the same as leaving a member out.",
        "properties": {
            "appointmentType": ID, "location": ID,
            "practitioners": _optional({"type": "array", "items": ID,
                                        "description": "Only these (default: all who take the type)."}),
            "patient": _optional(ID | {"description": "Their own bookings are avoided."}),
            "from": _optional({"type": "string", "format": "date", "description": "First day (default and "
                               "earliest: today at the location); years 1900 to 8999."}),
            "to": _optional({"type": "string", "format": "date", "description": "Last day (at most 92 days after "
                             "`from` are searched); years 1900 to 8999."}),
            "weekdays": _optional({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6},
                                   "description": "Only these weekdays, 0 = Monday."}),
            "earliest": _optional(LOCAL_TIME), "latest": _optional(LOCAL_TIME),
            "preferredPractitioners": _optional({"type": "array", "items": ID}),
            "prefer": _optional({"type": "string", "enum": ["", "morning", "afternoon"]}),
            "limit": _optional({"type": "integer", "description": "How many options (clamped to 1-50; default 10)."}),
        }},
    "SearchResult": {
        "type": "object", "required": ["options"],
        "properties": {"options": {"type": "array", "items": {
            "type": "object",
            "required": ["rank", "start", "end", "practitioner", "location", "room", "equipment", "score", "reasons"],
            "properties": {
                "rank": {"type": "integer", "minimum": 1},
                "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
                "practitioner": _NAMED, "location": _NAMED, "room": {"oneOf": [_NAMED, {"type": "null"}]},
                "equipment": {"type": "array", "items": _NAMED}, "score": {"type": "number"},
                "reasons": {"type": "array", "items": {"type": "string"}},
            }}}}},
    "RescheduleRequest": {
        "type": "object", "required": ["start"],
        "description": "Members not listed are ignored; null is the same as leaving a member out.",
        "properties": {"start": INSTANT, "practitioner": _optional(ID), "room": _optional(ID),
                       "reason": _optional(TEXT)}},
    "CancelRequest": {
        "type": "object", "required": ["reason"], "description": "Members not listed are ignored.",
        "properties": {"reason": TEXT | {"description": "Not blank; at most 200 characters are kept."}}},
    "StatusRequest": {
        "type": "object", "required": ["status"],
        "description": "Members not listed are ignored. Cancelling has its own call (it needs a reason).",
        "properties": {"status": {"type": "string", "enum": list(APPOINTMENT_STATUSES)},
                       "note": _optional(TEXT)}},
    "Me": {
        "type": "object", "required": ["username", "role", "language", "screens", "locations"],
        "properties": {
            "username": {"type": "string"}, "role": {"type": "string", "enum": [r.value for r in Role]},
            "language": {"type": "string"}, "screens": {"type": "array", "items": {"type": "string"}},
            "locations": {"type": "array", "items": {
                "type": "object", "required": ["id", "code", "name", "timeZone"],
                "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
                               "timeZone": {"type": "string"}}}},
        }},
}


def _csrf_header() -> str:
    """settings.CSRF_HEADER_NAME is a WSGI META key (HTTP_X_CSRFTOKEN); the header on the wire is X-CSRFToken."""
    name = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    return "X-CSRFToken" if name == "X-CSRFTOKEN" else name


# The helpers apps use to hand-describe their operations (core.resources.describe).
ok, errors, body, optional = _ok, _errors, _body, _optional


def _registered() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The operations and schemas the apps declared (core.resources), and their tags."""
    from .resources import described, registered

    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags: list[str] = []
    for resource in registered():
        paths |= resource.openapi_paths(ok=_ok, errors=_errors, body=_body, session=[SESSION], write=[WRITE_AUTH])
        schemas |= resource.openapi_schemas()
        tags.append(resource.tag)
    for extra_paths, extra_schemas in described():
        paths |= extra_paths
        schemas |= extra_schemas
        tags += [tag for operations in extra_paths.values() for op in operations.values() for tag in op["tags"]]
    return paths, schemas, tags


def document() -> dict[str, Any]:
    """A fresh copy of the whole document (callers may change it)."""
    extra_paths, extra_schemas, extra_tags = _registered()
    tags = ["appointments", "session", "meta"]
    tags += sorted(set(extra_tags) - set(tags))
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "Clinicdesk internal API", "version": VERSION,
                 "description": __doc__.split("\n\n", 1)[1].strip() if __doc__ else ""},
        "paths": PATHS | extra_paths,
        "components": {
            "schemas": SCHEMAS | extra_schemas,
            "responses": _RESPONSES,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME,
                            "description": "The session of a signed-in user (sign in at /accounts/login/)."},
                "portalSession": {"type": "apiKey", "in": "cookie", "name": PORTAL_SESSION_COOKIE,
                                  "description": "A patient's portal session (sign in at /portal/ by a one-time link "
                                                 "or code); separate from the staff session."},
                "csrfCookie": {"type": "apiKey", "in": "cookie", "name": settings.CSRF_COOKIE_NAME,
                               "description": "Django's CSRF cookie: 32 or 64 letters and digits."},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": _csrf_header(),
                               "description": "The same value as the CSRF cookie."},
            },
        },
        "tags": [{"name": tag} for tag in tags],
    })
