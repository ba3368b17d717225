from django.urls import path

from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api, campaign_api

app_name = "outreach-api"
urlpatterns = [
    *api.EVENTS.urls(),
    path("events/<int:pk>/registrations", api.registrations, name="event-registrations"),
    path("event-registrations/<int:pk>/cancel", api.registration_cancel, name="event-registration-cancel"),
    path("event-registrations/<int:pk>/attendance", api.attendance, name="event-registration-attendance"),
    *campaign_api.urlpatterns,  # outreach campaigns (#24 item 4)
]

_ID = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
_EVENT = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
          "description": "The event's id."}
_REGISTRATION = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                 "description": "The registration's id."}
_WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422")

describe("outreach-registrations", paths={
    "/api/v1/events/{pk}/registrations": {
        "get": {"operationId": "eventRegistrationsList", "tags": ["outreach"], "security": [SESSION],
                "summary": "Who is registered for an event: places first, then the waitlist in its order, then "
                           "cancelled registrations.", "parameters": [_EVENT],
                "responses": ok("The registrations.", "EventRegistrationList") | errors("401", "403", "404")},
        "post": {"operationId": "eventRegistrationCreate", "tags": ["outreach"], "security": [WRITE_AUTH],
                 "summary": "Register a patient (`patient`) or a contact who is not a patient (`givenName`, "
                            "`familyName`, `phone` or `email`, `language`, `consent`).",
                 "description": "A place when one is free, else a waitlist place (`status` `waitlisted`): an event "
                                "is never over-booked. Refusals: 409 `already-registered`, `event-cancelled`, "
                                "`event-over`, `event-full` (a walk-in with no place free); 422 `patients-only` (a "
                                "contact at a patients-only event), `invalid-contact`, `person-required`.",
                 "parameters": [_EVENT], "requestBody": body("EventRegistrationCreate"),
                 "responses": ok("The registration.", "EventRegistration", "201") | errors(*_WRITE_ERRORS)}},
    "/api/v1/event-registrations/{pk}/cancel": {"post": {
        "operationId": "eventRegistrationCancel", "tags": ["outreach"], "security": [WRITE_AUTH],
        "summary": "Cancel a registration; a freed place goes to the first on the waitlist.",
        "parameters": [_REGISTRATION],
        "responses": ok("The registration, cancelled.", "EventRegistration") | errors("401", "403", "404")}},
    "/api/v1/event-registrations/{pk}/attendance": {"post": {
        "operationId": "eventRegistrationAttendance", "tags": ["outreach"], "security": [WRITE_AUTH],
        "summary": "Mark someone with a place present (or not) at the door.",
        "description": "409 `no-place`: someone on the waitlist or cancelled cannot be marked present.",
        "parameters": [_REGISTRATION], "requestBody": body("EventAttendance"),
        "responses": ok("The registration.", "EventRegistration") | errors(*_WRITE_ERRORS)}},
}, schemas={
    "EventRegistration": {"type": "object", "required": ["id", "event", "status", "patient", "contact", "walkIn",
                                                          "attended"], "properties": {
        "id": _ID, "event": _ID, "status": {"type": "string", "enum": list(api.REGISTRATION_STATUSES)},
        "patient": {"oneOf": [_ID, {"type": "null"}]},
        "contact": {"oneOf": [{"type": "object", "properties": {"givenName": _TEXT, "familyName": _TEXT,
                                                                "consent": {"type": "boolean"}}},
                              {"type": "null"}]},
        "walkIn": {"type": "boolean"}, "attended": {"type": "boolean"}}},
    "EventRegistrationList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/EventRegistration"}}}},
    "EventRegistrationCreate": {"type": "object", "description": "Members not listed are ignored; null is the "
                                                                 "same as leaving a member out.",
                                "properties": {f.name: f.schema(output=False) for f in api.REGISTER_FIELDS}},
    "EventAttendance": {"type": "object", "required": ["present"],
                        "properties": {f.name: f.schema(output=False) for f in api.ATTENDANCE_FIELDS}},
})
