"""/api/v1/ routes of the practice set-up: five declared resources and the opening-hours operation."""

from typing import Any

from django.urls import path

from clinicdesk.core.openapi import LOCAL_TIME, SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api

app_name = "practice-api"
urlpatterns = [
    *api.ORGANIZATIONS.urls(),
    *api.LOCATIONS.urls(),
    path("locations/<int:pk>/hours", api.location_hours, name="location-hours"),
    *api.PRACTITIONERS.urls(),
    *api.ROOMS.urls(),
    *api.EQUIPMENT.urls(),
]

_PERIOD: dict[str, Any] = {
    "type": "object", "required": ["weekday", "opens", "closes"],
    "description": "One opening period at the location, in its time zone; a day with a lunch break has two.",
    "properties": {"weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 Monday ... 6 Sunday."},
                   "opens": LOCAL_TIME, "closes": LOCAL_TIME}}
_LOCATION_ID = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                "description": "The location's id."}

describe("practice", paths={"/api/v1/locations/{pk}/hours": {
    "get": {"operationId": "locationHoursRead", "tags": ["practice"], "security": [SESSION],
            "summary": "A location's weekly opening hours.", "parameters": [_LOCATION_ID],
            "responses": ok("The week, in order of weekday and opening time.", "LocationHours")
            | errors("401", "403", "404")},
    "put": {"operationId": "locationHoursSet", "tags": ["practice"], "security": [WRITE_AUTH],
            "summary": "Replace a location's weekly opening hours with the periods sent (none: closed all week).",
            "description": "Each period closes after it opens; periods on the same weekday may not overlap "
                           "(touching is fine: 08:00-12:00 and 12:00-13:00). A refused week changes nothing.",
            "parameters": [_LOCATION_ID], "requestBody": body("LocationHoursSet"),
            "responses": ok("The week as it now is.", "LocationHours")
            | errors("400", "401", "403", "404", "415", "422")}}},
    schemas={
        "LocationHoursSet": {"type": "object", "required": ["hours"], "properties": {
            "hours": {"type": "array", "maxItems": 100, "items": _PERIOD}}},
        "LocationHours": {"type": "object", "required": ["location", "hours"], "properties": {
            "location": {"type": "integer", "minimum": 1}, "hours": {"type": "array", "items": _PERIOD}}},
    })
