from django.urls import path

from clinicdesk.core.openapi import WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api

app_name = "patients-api"
urlpatterns = [
    # consent and intake form templates
    path("form-templates/publish", api.form_template_publish_view, name="form_templates-publish"),
    *api.FORM_TEMPLATES.urls(),
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
