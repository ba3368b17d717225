"""The portal's JSON API under /api/v1/portal/patients/<patient_id>/ (portal/api.py): the patient's own data or an
authorized dependent's, with the portal's session cookie; any other patient's id answers 404."""

from django.urls import path

from clinicdesk.core.openapi import PORTAL_SESSION, PORTAL_WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api

app_name = "portal-api"
urlpatterns = [
    path("portal/patients/<int:patient_id>", api.summary, name="summary"),
    path("portal/patients/<int:patient_id>/appointments", api.appointments, name="appointments"),
    path("portal/patients/<int:patient_id>/appointments/<int:appointment_id>/cancel", api.appointment_cancel,
         name="appointment-cancel"),
    path("portal/patients/<int:patient_id>/booking-options", api.booking_options, name="booking-options"),
    path("portal/patients/<int:patient_id>/messages", api.messages, name="messages"),
    path("portal/patients/<int:patient_id>/account", api.account, name="account"),
]

_BASE = "/api/v1/portal/patients/{patient_id}"
_PATIENT = {"name": "patient_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": "The signed-in patient's id, or a dependent's they hold a proxy authorization for."}
_AUTH = ("Authenticated by the patient portal's session cookie (not the staff session); audited with the patient "
         "as the actor. Another patient's id answers 404.")


def _get(op: str, summary: str, schema: str, *, extra: list | None = None) -> dict:
    return {"get": {"operationId": op, "tags": ["portal"], "security": [PORTAL_SESSION], "summary": summary,
                    "description": _AUTH, "parameters": [_PATIENT, *(extra or [])],
                    "responses": ok(summary, schema) | errors("401", "404")}}


def _post(op: str, summary: str, schema_in: str, schema_out: str, *, status: str = "201",
          extra: list | None = None) -> dict:
    return {"post": {"operationId": op, "tags": ["portal"], "security": [PORTAL_WRITE_AUTH], "summary": summary,
                     "description": _AUTH, "parameters": [_PATIENT, *(extra or [])],
                     **({"requestBody": body(schema_in)} if schema_in else {}),
                     "responses": ok(summary, schema_out, status) | errors("400", "401", "403", "404", "409", "415",
                                                                           "422", "429")}}


_APPOINTMENT = {"name": "appointment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                "description": "One of the patient's appointments."}
_TYPE = {"name": "appointmentType", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "A visit kind's id: its free times are listed too."}
_OBJECT = {"type": "object"}
describe("portal-api", paths={
    _BASE: _get("portalSummary", "The patient's profile summary and the people they may act for.", "PortalSummary"),
    f"{_BASE}/appointments": _get("portalAppointments", "Upcoming visits.", "PortalAppointments")
    | _post("portalBook", "Book a visit at a time from booking-options.", "PortalBook", "PortalAppointment"),
    f"{_BASE}/appointments/{{appointment_id}}/cancel": _post(
        "portalCancel", "Cancel one of the patient's visits.", "", "PortalAppointment", status="200",
        extra=[_APPOINTMENT]),
    f"{_BASE}/booking-options": _get("portalBookingOptions", "Kinds of visit bookable online (and free times).",
                                     "PortalBookingOptions", extra=[_TYPE]),
    f"{_BASE}/messages": _get("portalMessages", "Messages about the patient, newest first.", "PortalMessages")
    | _post("portalMessageSend", "Write to the practice.", "PortalMessageSend", "PortalMessageSent"),
    f"{_BASE}/account": _get("portalAccount", "Balance, co-pays, payment plan and online payments.", "PortalAccount"),
}, schemas={
    "PortalSummary": _OBJECT, "PortalAppointments": _OBJECT, "PortalAppointment": _OBJECT,
    "PortalBookingOptions": _OBJECT, "PortalMessages": _OBJECT, "PortalMessageSent": _OBJECT,
    "PortalAccount": _OBJECT,
    "PortalBook": {"type": "object", "required": ["appointmentType", "option"],
                   "properties": {"appointmentType": {"type": "integer"}, "option": {"type": "string"}}},
    "PortalMessageSend": {"type": "object", "required": ["topic", "body"],
                          "properties": {"topic": {"type": "string", "enum": ["appointment", "billing", "refill",
                                                                              "clinical", "records", "other"]},
                                         "body": {"type": "string"}}},
})
