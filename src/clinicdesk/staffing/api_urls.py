"""/api/v1/ routes of the staffing app: two declared resources (shift types, skills) and three described
operations (a roster with its assignments, solving a period into a draft, publishing a draft)."""

from typing import Any

from django.urls import path

from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api

app_name = "staffing-api"
urlpatterns = [
    *api.SHIFT_TYPES.urls(),
    *api.SKILLS.urls(),
    path("rosters/solve", api.roster_solve, name="roster-solve"),
    path("rosters/<int:pk>", api.roster, name="roster"),
    path("rosters/<int:pk>/publish", api.roster_publish, name="roster-publish"),
]

_ID = {"type": "integer", "minimum": 1}
_INT = {"type": "integer"}
_TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
_DATE = {"type": "string", "format": "date"}
_ROSTER = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
           "description": "The roster's id."}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


describe("staffing", paths={
    "/api/v1/rosters/{pk}": {"get": {
        "operationId": "rosterRead", "tags": ["staffing"], "security": [SESSION],
        "summary": "A roster with its assignments (a draft only for the practice coordinator).",
        "parameters": [_ROSTER], "responses": ok("The roster.", "Roster") | errors("401", "403", "404")}},
    "/api/v1/rosters/solve": {"post": {
        "operationId": "rosterSolve", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Solve a location's 4-week period (starting on a Monday) into its draft roster.",
        "description": "Runs the CP-SAT engine for up to `seconds` (default 10). When the period has a published "
                       "roster, the draft changes as little of it as it can and `changes` counts the differences. "
                       "Contracts nobody can meet are refused (409 `roster-infeasible`).",
        "requestBody": body("RosterSolve"),
        "responses": ok("The draft roster.", "Roster", "201")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/rosters/{pk}/publish": {"post": {
        "operationId": "rosterPublish", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Publish a draft roster; the period's published roster, if any, is superseded.",
        "parameters": [_ROSTER],
        "responses": ok("The published roster.", "Roster") | errors("401", "403", "404", "409")}},
}, schemas={
    "RosterSolve": {"type": "object", "required": ["location", "periodStart"], "properties": {
        "location": _ID, "periodStart": _DATE | {"description": "A Monday."},
        "seconds": {"type": "integer", "minimum": 1, "maximum": 120}}},
    "Roster": {"type": "object", "required": ["id", "location", "periodStart", "periodEnd", "status",
                                              "assignments"], "properties": {
        "id": _ID, "location": _ID, "periodStart": _DATE, "periodEnd": _DATE,
        "status": {"type": "string", "enum": ["draft", "published", "superseded"]},
        "objective": _nullable(_INT),
        "breakdown": {"type": "object", "additionalProperties": _INT,
                      "description": "The cost of each soft rule: shift_on_requests, shift_off_requests, "
                                     "cover_under, cover_over, changes."},
        "solverStatus": _TEXT, "solvedAt": _nullable({"type": "string", "format": "date-time"}),
        "basedOn": _nullable(_ID), "changes": _nullable(_INT),
        "assignments": {"type": "array", "items": {"type": "object", "properties": {
            "staffMember": _ID, "date": _DATE, "shiftType": _ID, "code": _TEXT}}}}},
})
