"""GET/PATCH /api/v1/practice-settings: the practice's settings (one record, no list, no create), hand-described
for the OpenAPI document (core.resources.describe)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.permissions import Perm, require
from clinicdesk.core.resources import ApiField, describe

from .models import PracticeSettings
from .settings_selectors import practice_settings
from .settings_services import LATE_CANCEL_MAX_HOURS, practice_settings_update

FIELDS = (
    ApiField.text("shortName", max_length=60, description="How messages to patients name the practice."),
    ApiField.integer("lateCancelHours", minimum=0, maximum=LATE_CANCEL_MAX_HOURS,
                     description="A cancellation less than this many hours before the start is late."),
    ApiField.integer("recordsRetentionYears", minimum=1, maximum=100),
    ApiField.text("receiptFooter", max_length=300, description="Printed at the bottom of every receipt."),
    ApiField.choice("defaultLanguage", [code for code, _label in PracticeSettings.LANGUAGES],
                    description="For new staff accounts, new patients and pages seen before signing in."),
)


def _as_json(row: PracticeSettings) -> dict[str, Any]:
    return {f.name: f.read(row) for f in FIELDS}


@require_http_methods(["GET", "PATCH"])
@api_login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    if request.method == "PATCH":
        data = json_body(request, required=True)
        values = {f.attr: f.parse(data[f.name]) for f in FIELDS if data.get(f.name) is not None}
        return JsonResponse(_as_json(practice_settings_update(actor=request.user, **values)))
    require(request.user, Perm.PRACTICE_ADMIN)
    return JsonResponse(_as_json(practice_settings()))


app_name = "practice-settings-api"
urlpatterns = [path("practice-settings", settings_view, name="practice-settings")]

describe("practice-settings", paths={"/api/v1/practice-settings": {
    "get": {"operationId": "practiceSettingsRead", "tags": ["practice"], "security": [SESSION],
            "summary": "The practice's settings (the server's configuration while none are saved).",
            "responses": ok("The practice's settings.", "PracticeSettings") | errors("401", "403")},
    "patch": {"operationId": "practiceSettingsUpdate", "tags": ["practice"], "security": [WRITE_AUTH],
              "summary": "Change the practice's settings: only the members sent.",
              "requestBody": body("PracticeSettingsUpdate"),
              "responses": ok("The practice's settings as they now are.", "PracticeSettings")
              | errors("400", "401", "403", "415", "422")},
}}, schemas={
    "PracticeSettings": {"type": "object", "required": [f.name for f in FIELDS],
                         "properties": {f.name: f.schema(output=True) for f in FIELDS}},
    "PracticeSettingsUpdate": {"type": "object",
                               "description": "Members not listed are ignored; null is the same as leaving a "
                                              "member out.",
                               "properties": {f.name: f.schema(output=False) for f in FIELDS}},
})
