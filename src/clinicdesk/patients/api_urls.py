from django.urls import path

from clinicdesk.core.openapi import SESSION, TEXT, WRITE_AUTH, body, errors, ok, optional
from clinicdesk.core.resources import describe

from . import api

app_name = "patients-api"
urlpatterns = [
    # consent and intake form templates
    path("form-templates/publish", api.form_template_publish_view, name="form_templates-publish"),
    *api.FORM_TEMPLATES.urls(),
    # patient alerts and their kinds (#15)
    *api.ALERT_KINDS.urls(),
    path("patients/<int:patient_id>/alerts", api.patient_alerts_view, name="patient_alerts"),
    path("patient-alerts/<int:alert_id>/end", api.patient_alert_end_view, name="patient_alert_end"),
]

_TEXT = {"type": "object", "required": ["title", "body"], "additionalProperties": False,
         "properties": {"title": {"type": "string", "pattern": "^[^\u0000]*$", "maxLength": 160},
                        "body": {"type": "string", "pattern": "^[^\u0000]*$"}}}
describe("patients-form-templates", paths={
    "/api/v1/form-templates/publish": {"post": {
        "operationId": "formTemplatesPublish", "tags": ["forms"], "security": [WRITE_AUTH],
        "summary": "Publish a new version of a form (or the first version of a new one).",
        "description": "Writes one record per language given and retires the previous version (every language); "
                       "its signatures keep pointing at it. When `required`, every patient who signed an earlier "
                       "version is asked to sign again (the chart and check-in show the form as outstanding).",
        "requestBody": body("FormTemplatePublish"),
        "responses": ok("The new version, one record per language.", "FormTemplatePublished", "201")
        | errors("400", "401", "403", "415", "422")}},
}, schemas={
    "FormTemplatePublish": {
        "type": "object", "required": ["code", "required", "texts"],
        "properties": {
            "code": {"type": "string", "pattern": "^[^\u0000]*$", "maxLength": 40,
                     "description": "The form's short code: letters, digits and hyphens."},
            "required": {"type": "boolean"},
            "texts": {"type": "object", "required": ["en"], "additionalProperties": False,
                      "properties": {"en": _TEXT, "es": _TEXT}}}},
    "FormTemplatePublished": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/FormTemplate"}}}},
})

_ALERT_PATIENT = {"name": "patient_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                  "description": "The patient's id."}
_ALERT_ID = {"name": "alert_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
             "description": "The alert's id."}
_INSTANT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
describe("patients-alerts", paths={
    "/api/v1/patients/{patient_id}/alerts": {
        "get": {
            "operationId": "patientAlertsList", "tags": ["patient alerts"], "security": [SESSION],
            "summary": "A chart's alerts: active ones first, then ended ones (the history), newest first.",
            "description": "A read of the record (audited); a restricted chart after breaking the glass.",
            "parameters": [_ALERT_PATIENT],
            "responses": ok("The chart's alerts.", "PatientAlertList") | errors("401", "403", "404")},
        "post": {
            "operationId": "patientAlertAdd", "tags": ["patient alerts"], "security": [WRITE_AUTH],
            "summary": "Set an alert on a chart, with the reason (desk and clinical roles).",
            "description": "The kind must be active; a kind with `needsDetail` needs a `detail` (the interpreter's "
                           "language). The same kind and detail is not set twice while active (409 `alert-exists`).",
            "parameters": [_ALERT_PATIENT], "requestBody": body("PatientAlertAdd"),
            "responses": ok("The alert set.", "PatientAlert", "201")
            | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/patient-alerts/{alert_id}/end": {"post": {
        "operationId": "patientAlertEnd", "tags": ["patient alerts"], "security": [WRITE_AUTH],
        "summary": "End an alert (it stays in the chart's history; alerts are never deleted).",
        "parameters": [_ALERT_ID], "requestBody": body("PatientAlertEnd") | {"required": False},
        "responses": ok("The ended alert.", "PatientAlert") | errors("400", "401", "403", "404", "409", "415", "422")}},
}, schemas={
    "PatientAlertAdd": {
        "type": "object", "required": ["kind", "reason"], "additionalProperties": False,
        "properties": {"kind": {"type": "integer", "minimum": 1, "description": "An active alert kind's id."},
                       "reason": TEXT | {"maxLength": 300}, "detail": optional(TEXT | {"maxLength": 80})}},
    "PatientAlertEnd": {
        "type": "object", "additionalProperties": False,
        "properties": {"reason": optional(TEXT | {"maxLength": 300})}},
    "PatientAlert": {
        "type": "object",
        "required": ["id", "patient", "kind", "kindCode", "label", "severity", "detail", "reason", "createdAt",
                     "endedAt", "endReason", "active"],
        "properties": {"id": {"type": "integer"}, "patient": {"type": "integer"}, "kind": {"type": "integer"},
                       "kindCode": {"type": "string"}, "label": {"type": "string"},
                       "severity": {"type": "string", "enum": ["info", "warning", "danger"]},
                       "detail": {"type": "string"}, "reason": {"type": "string"},
                       "createdAt": {"type": "string", "format": "date-time"}, "endedAt": _INSTANT_OR_NULL,
                       "endReason": {"type": "string"}, "active": {"type": "boolean"}}},
    "PatientAlertList": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/PatientAlert"}}}},
})
