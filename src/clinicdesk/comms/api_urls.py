from django.urls import path

from clinicdesk.core.openapi import SESSION, TEXT, WRITE_AUTH, body, errors, ok, optional
from clinicdesk.core.resources import describe

from . import api

app_name = "comms-api"
urlpatterns = [
    *api.REMINDER_RULES.urls(),
    *api.MESSAGE_TEMPLATES.urls(),
    path("quiet-hours", api.quiet_hours, name="quiet_hours"),
    path("patients/<int:patient_id>/consent", api.patient_consent, name="patient_consent"),
]

_HOUR = {"type": "integer", "minimum": 0, "maximum": 23, "description": "An hour of the day, 0 to 23."}
describe("comms-quiet-hours", paths={
    "/api/v1/quiet-hours": {
        "get": {"operationId": "quietHoursRead", "tags": ["messages"], "security": [SESSION],
                "summary": "The practice's quiet hours for patient messages.",
                "responses": ok("The quiet hours.", "QuietHours") | errors("401", "403")},
        "put": {"operationId": "quietHoursSet", "tags": ["messages"], "security": [WRITE_AUTH],
                "summary": "Change the quiet hours: no message goes out from `startHour` until `endHour` in each "
                           "patient's time zone (the same hour twice: none).",
                "requestBody": body("QuietHours"),
                "responses": ok("The quiet hours as they now are.", "QuietHours")
                | errors("400", "401", "403", "415", "422")}},
}, schemas={
    "QuietHours": {"type": "object", "required": ["startHour", "endHour"],
                   "properties": {"startHour": _HOUR, "endHour": _HOUR}},
})

_PATIENT = {"name": "patient_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
            "description": "The patient's id."}
_PURPOSES = ["appointment", "billing", "outreach"]
_CHANNELS = ["sms", "email", "voicemail", "letter"]
_SOURCES = ["desk", "portal", "sms-keyword", "email-link", "written"]
describe("comms-consent", paths={
    "/api/v1/patients/{patient_id}/consent": {
        "get": {"operationId": "patientConsentRead", "tags": ["messages"], "security": [SESSION],
                "summary": "Whether the patient may be contacted for each purpose by each channel, with the reason in "
                           "words when not, and the history of consent records (newest first).",
                "description": "A read of the record (audited); a restricted chart after breaking the glass.",
                "parameters": [_PATIENT],
                "responses": ok("The consent state and history.", "PatientConsent") | errors("401", "403", "404")},
        "post": {"operationId": "patientConsentRecord", "tags": ["messages"], "security": [WRITE_AUTH],
                 "summary": "Record a consent granted or withdrawn for one purpose on one channel.",
                 "description": "Records are never changed: the latest one for a purpose and channel decides. "
                                "Granting on a channel the chart has not agreed to turns the chart's opt-in on. "
                                "Outreach and marketing need a granted record; appointment and billing messages "
                                "follow the chart's opt-in unless withdrawn.",
                 "parameters": [_PATIENT], "requestBody": body("PatientConsentRecordAdd"),
                 "responses": ok("The record written.", "PatientConsentRecord", "201")
                 | errors("400", "401", "403", "404", "415", "422")}},
}, schemas={
    "PatientConsentRecordAdd": {
        "type": "object", "required": ["purpose", "channel", "granted", "source"], "additionalProperties": False,
        "properties": {"purpose": {"type": "string", "enum": _PURPOSES},
                       "channel": {"type": "string", "enum": _CHANNELS}, "granted": {"type": "boolean"},
                       "source": {"type": "string", "enum": _SOURCES},
                       "note": optional(TEXT | {"maxLength": 300})}},
    "PatientConsentRecord": {
        "type": "object",
        "required": ["id", "patient", "forAddress", "purpose", "purposeLabel", "channel", "channelLabel", "granted",
                     "source", "sourceLabel", "note", "at", "recordedBy"],
        "properties": {"id": {"type": "integer"}, "patient": {"type": ["integer", "null"]},
                       "forAddress": {"type": "boolean", "description": "Recorded for the phone number or e-mail "
                                                                        "address rather than the chart."},
                       "purpose": {"type": "string", "enum": _PURPOSES}, "purposeLabel": {"type": "string"},
                       "channel": {"type": "string", "enum": _CHANNELS}, "channelLabel": {"type": "string"},
                       "granted": {"type": "boolean"}, "source": {"type": "string", "enum": _SOURCES},
                       "sourceLabel": {"type": "string"}, "note": {"type": "string"},
                       "at": {"type": "string", "format": "date-time"},
                       "recordedBy": {"type": ["string", "null"], "description": "Null: the patient (a reply or "
                                                                                 "a link)."}}},
    "PatientConsent": {
        "type": "object", "required": ["patient", "current", "history"],
        "properties": {
            "patient": {"type": "integer"},
            "current": {"type": "array", "items": {
                "type": "object",
                "required": ["purpose", "purposeLabel", "channel", "channelLabel", "allowed", "words", "recorded"],
                "properties": {"purpose": {"type": "string", "enum": _PURPOSES}, "purposeLabel": {"type": "string"},
                               "channel": {"type": "string", "enum": _CHANNELS}, "channelLabel": {"type": "string"},
                               "allowed": {"type": "boolean"}, "words": {"type": "string"},
                               "recorded": {"type": ["boolean", "null"],
                                            "description": "The latest record's answer; null: none recorded."}}}},
            "history": {"type": "array", "items": {"$ref": "#/components/schemas/PatientConsentRecord"}}}},
})
