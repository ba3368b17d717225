from django.urls import path

from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api

app_name = "comms-api"
urlpatterns = [
    *api.REMINDER_RULES.urls(),
    *api.MESSAGE_TEMPLATES.urls(),
    path("quiet-hours", api.quiet_hours, name="quiet_hours"),
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
