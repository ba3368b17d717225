"""/api/v1/ routes of the staffing app: two declared resources (shift types, skills) and three described
operations (a roster with its assignments, solving a period into a draft, publishing a draft)."""

from typing import Any

from django.urls import path

from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api, clock_api, leave_api, swap_api

app_name = "staffing-api"
urlpatterns = [
    *api.SHIFT_TYPES.urls(),
    *api.SKILLS.urls(),
    path("rosters/solve", api.roster_solve, name="roster-solve"),
    path("rosters/<int:pk>", api.roster, name="roster"),
    path("rosters/<int:pk>/publish", api.roster_publish, name="roster-publish"),
    path("leave", leave_api.leave_collection, name="leave"),
    path("leave/<int:pk>", leave_api.leave_item, name="leave-item"),
    path("leave/<int:pk>/approve", leave_api.leave_approve, name="leave-approve"),
    path("leave/<int:pk>/decline", leave_api.leave_decline, name="leave-decline"),
    path("leave/<int:pk>/cancel", leave_api.leave_cancel, name="leave-cancel"),
    path("leave/<int:pk>/cover-proposals", leave_api.leave_cover_proposals, name="leave-cover-proposals"),
    path("leave/<int:pk>/cover", leave_api.leave_cover_apply, name="leave-cover"),
    path("swaps", swap_api.swap_offer, name="swaps"),
    path("swaps/<int:pk>", swap_api.swap_item, name="swap"),
    path("swaps/<int:pk>/take", swap_api.swap_take, name="swap-take"),
    path("swaps/<int:pk>/approve", swap_api.swap_approve, name="swap-approve"),
    path("swaps/<int:pk>/decline", swap_api.swap_decline, name="swap-decline"),
    path("swaps/<int:pk>/cancel", swap_api.swap_cancel, name="swap-cancel"),
    path("open-shifts/claim", swap_api.open_shift_claim, name="open-shift-claim"),
    path("trainings", swap_api.trainings, name="trainings"),
    path("training-records", swap_api.training_record_create, name="training-records"),
    path("clock/punches", clock_api.punch_create, name="clock-punches"),
    path("clock/punches/<int:pk>/correct", clock_api.punch_correct, name="clock-punch-correct"),
    path("clock/pin", clock_api.pin_set, name="clock-pin"),
    path("clock/attendance", clock_api.attendance, name="clock-attendance"),
    path("clock/pay-period", clock_api.pay_period, name="clock-pay-period"),
]

_ID = {"type": "integer", "minimum": 1}
_INT = {"type": "integer"}
_TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
_DATE = {"type": "string", "format": "date"}
_LEAVE = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
          "description": "The leave's id."}
_SWAP = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
         "description": "The swap's id."}
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
    "/api/v1/leave": {
        "get": {"operationId": "leaveList", "tags": ["staffing"], "security": [SESSION],
                "summary": "Leave at a location (or every location the coordinator manages), for the coordinator.",
                "parameters": [{"name": "location", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                               {"name": "status", "in": "query", "schema": {
                                   "type": "string", "enum": ["requested", "approved", "declined", "cancelled"]}}],
                "responses": ok("The leave.", "LeaveList") | errors("400", "401", "403", "404", "422")},
        "post": {"operationId": "leaveAsk", "tags": ["staffing"], "security": [WRITE_AUTH],
                 "summary": "Ask for leave (one's own), or enter it for a user or practitioner (the coordinator).",
                 "description": "Whole days. Overlapping the person's requested or approved leave is refused "
                                "(422 `leave-overlaps`, naming the other leave).",
                 "requestBody": body("LeaveAsk"),
                 "responses": ok("The leave, requested.", "Leave", "201")
                 | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/leave/{pk}": {"get": {
        "operationId": "leaveRead", "tags": ["staffing"], "security": [SESSION], "summary": "One leave.",
        "parameters": [_LEAVE], "responses": ok("The leave.", "Leave") | errors("401", "403", "404")}},
    **{f"/api/v1/leave/{{pk}}/{verb}": {"post": {
        "operationId": f"leave{verb.title()}", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": summary, "parameters": [_LEAVE],
        "responses": ok("The leave.", "Leave") | errors("400", "401", "403", "404", "409", "415", "422")}}
       for verb, summary in (
           ("approve", "Approve leave: a provider's calendar is blocked; a staff member's rosters are re-solved."),
           ("decline", "Decline leave, saying why (`note`)."),
           ("cancel", "Cancel leave; a provider becomes bookable again."))},
    "/api/v1/leave/{pk}/cover-proposals": {"get": {
        "operationId": "leaveCoverProposals", "tags": ["staffing"], "security": [SESSION],
        "summary": "For a provider's approved leave: each affected appointment with a proposed new provider or time.",
        "description": "`proposal` is other-provider, same-provider-later, none (nothing free: call the patient) "
                       "or not-movable. Ids and times only.",
        "parameters": [_LEAVE], "responses": ok("The proposals.", "CoverProposals") | errors("401", "403", "404")}},
    "/api/v1/leave/{pk}/cover": {"post": {
        "operationId": "leaveCoverApply", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Move the chosen appointments, all or none (409 `cover-taken` when a time is no longer free).",
        "parameters": [_LEAVE], "requestBody": body("CoverApply"),
        "responses": ok("The appointments moved.", "CoverApplied") | errors("400", "401", "403", "404", "409", "415",
                                                                            "422")}},
    "/api/v1/swaps": {"post": {
        "operationId": "swapOffer", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Offer a shift of a published roster (one's own; the coordinator's for anyone), to a colleague "
                   "(`offeredTo`) or to anyone qualified.",
        "description": "A named colleague who may not take it is refused: 422 `swap-breaks-rule`, `rule` naming "
                       "the hard rule (one_shift_a_day, rest, succession, leave, day_off, max_consecutive_shifts, "
                       "max_weekends, max_total_minutes, certification, skills).",
        "requestBody": body("SwapOffer"),
        "responses": ok("The swap, offered.", "Swap", "201") | errors("400", "401", "403", "404", "409", "415",
                                                                      "422")}},
    "/api/v1/swaps/{pk}": {"get": {
        "operationId": "swapRead", "tags": ["staffing"], "security": [SESSION], "summary": "One swap.",
        "parameters": [_SWAP], "responses": ok("The swap.", "Swap") | errors("401", "403", "404")}},
    **{f"/api/v1/swaps/{{pk}}/{verb}": {"post": {
        "operationId": f"swap{verb.title()}", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": summary, "parameters": [_SWAP],
        "responses": ok("The swap.", "Swap") | errors("400", "401", "403", "404", "409", "415", "422")}}
       for verb, summary in (
           ("take", "Take a shift on offer; the rules are checked (422 `swap-breaks-rule` naming the rule)."),
           ("approve", "Approve a taken swap or claimed open shift (the coordinator): the roster changes."),
           ("decline", "Decline a taken swap or claim, saying why (`note`)."),
           ("cancel", "Withdraw an offer or a claim before it is decided."))},
    "/api/v1/open-shifts/claim": {"post": {
        "operationId": "openShiftClaim", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Claim an open shift (a cover need the published roster leaves short) for the coordinator to "
                   "approve.",
        "requestBody": body("OpenShiftClaim"),
        "responses": ok("The claim.", "Swap", "201") | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/trainings": {"get": {
        "operationId": "trainingList", "tags": ["staffing"], "security": [SESSION],
        "summary": "The required trainings and certifications (by role, by skill, and the shifts that need them).",
        "responses": ok("The trainings.", "TrainingList") | errors("401", "403")}},
    "/api/v1/training-records": {"post": {
        "operationId": "trainingRecordCreate", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Record a completed training (one's own; the coordinator's for anyone at their locations).",
        "requestBody": body("TrainingRecordCreate"),
        "responses": ok("The record.", "TrainingRecord", "201") | errors("400", "401", "403", "404", "415",
                                                                         "422")}},
}, schemas={
    "SwapOffer": {"type": "object", "required": ["assignment"], "properties": {
        "assignment": _ID, "offeredTo": _nullable(_ID), "note": _nullable(_TEXT | {"maxLength": 300})}},
    "OpenShiftClaim": {"type": "object", "required": ["roster", "date", "shiftType"], "properties": {
        "roster": _ID, "date": _DATE, "shiftType": _ID, "skill": _nullable(_ID)}},
    "Swap": {"type": "object", "required": ["id", "roster", "kind", "date", "shiftType", "status"], "properties": {
        "id": _ID, "roster": _ID, "kind": {"type": "string", "enum": ["offer", "open"]}, "date": _DATE,
        "shiftType": _ID, "skill": _nullable(_ID), "fromStaff": _nullable(_ID), "offeredTo": _nullable(_ID),
        "takenBy": _nullable(_ID),
        "status": {"type": "string", "enum": ["offered", "taken", "approved", "declined", "cancelled"]},
        "note": _TEXT, "decisionNote": _TEXT}},
    "TrainingList": {"type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {
            "id": _ID, "code": _TEXT, "name": _TEXT, "validMonths": _INT,
            "roles": {"type": "array", "items": _TEXT}, "skills": {"type": "array", "items": _ID},
            "shiftTypes": {"type": "array", "items": _ID}}}}}},
    "TrainingRecordCreate": {"type": "object", "required": ["user", "training", "completedOn"], "properties": {
        "user": _ID, "training": _ID, "completedOn": _DATE, "note": _nullable(_TEXT | {"maxLength": 300})}},
    "TrainingRecord": {"type": "object", "properties": {
        "id": _ID, "user": _ID, "training": _ID, "completedOn": _DATE, "validUntil": _DATE,
        "hasCertificate": {"type": "boolean"}, "note": _TEXT}},
    "Leave": {"type": "object", "required": ["id", "location", "kind", "firstDay", "lastDay", "status"],
              "properties": {
        "id": _ID, "user": _nullable(_ID), "practitioner": _nullable(_ID), "location": _ID,
        "kind": {"type": "string", "enum": ["vacation", "sick", "training", "personal"]},
        "firstDay": _DATE, "lastDay": _DATE, "note": _TEXT,
        "status": {"type": "string", "enum": ["requested", "approved", "declined", "cancelled"]},
        "decidedAt": _nullable({"type": "string", "format": "date-time"}), "decisionNote": _TEXT}},
    "LeaveList": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Leave"}}}},
    "LeaveAsk": {"type": "object", "required": ["kind", "firstDay", "lastDay"], "properties": {
        "kind": {"type": "string", "enum": ["vacation", "sick", "training", "personal"]},
        "firstDay": _DATE, "lastDay": _DATE, "note": _nullable(_TEXT | {"maxLength": 300}),
        "user": _nullable(_ID), "practitioner": _nullable(_ID), "location": _nullable(_ID)}},
    "CoverProposals": {"type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {
            "appointment": _ID, "bookedFor": {"type": "string", "format": "date-time"},
            "proposal": {"type": "string", "enum": ["other-provider", "same-provider-later", "none", "not-movable"]},
            "start": _nullable({"type": "string", "format": "date-time"}),
            "end": _nullable({"type": "string", "format": "date-time"}), "practitioner": _nullable(_ID)}}}}},
    "CoverApply": {"type": "object", "required": ["moves"], "properties": {"moves": {"type": "array", "items": {
        "type": "object", "required": ["appointment", "start", "practitioner"], "properties": {
            "appointment": _ID, "start": {"type": "string", "format": "date-time"}, "practitioner": _ID}}}}},
    "CoverApplied": {"type": "object", "properties": {"moved": {"type": "array", "items": _ID}}},
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


# --- time and attendance (#20 item 7) --------------------------------------------------------------------------------
_DATETIME = {"type": "string", "format": "date-time"}
_PUNCH = {"type": "object", "properties": {
    "id": _ID, "staffMember": _ID, "location": _ID, "assignment": _nullable(_ID), "clockIn": _DATETIME,
    "clockOut": _nullable(_DATETIME), "minutes": _INT, "corrected": {"type": "boolean"}}}
_CLOCK_QUERY = [{"name": "location", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}},
                {"name": "date", "in": "query", "schema": _DATE,
                 "description": "A day (default: today at the location)."}]
describe("staffing-clock", paths={
    "/api/v1/clock/punches": {"post": {
        "operationId": "clockPunch", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Clock in or out: oneself, or a colleague at a shared desk by `staffId` and `pin`.",
        "description": "A clock-in is matched to the day's published shift. Clocking in twice is refused "
                       "(409 `already-clocked-in`), as is clocking out when not in (409 `not-clocked-in`). A wrong "
                       "staff ID or PIN is 422 `wrong-pin` and writes nothing; five in 15 minutes lock the PIN "
                       "(429 `pin-locked`).",
        "requestBody": body("ClockPunch"),
        "responses": ok("Clocked in.", "Punch", "201") | ok("Clocked out.", "Punch")
        | errors("400", "401", "403", "404", "409", "415", "422")
        | {"429": {"description": "Too many wrong PINs: `pin-locked` or `clock-locked`."}}}},
    "/api/v1/clock/punches/{pk}/correct": {"post": {
        "operationId": "clockPunchCorrect", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Correct a punch's times (the practice coordinator), with a reason kept in the audit trail.",
        "parameters": [{"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                        "description": "The punch's id."}],
        "requestBody": body("PunchCorrection"),
        "responses": ok("The corrected punch.", "Punch") | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/clock/pin": {"post": {
        "operationId": "clockPinSet", "tags": ["staffing"], "security": [WRITE_AUTH],
        "summary": "Set a time clock PIN (4 to 8 digits): one's own, or the coordinator's for their staff.",
        "requestBody": body("ClockPin"),
        "responses": {"204": {"description": "The PIN is set."}}
        | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/clock/attendance": {"get": {
        "operationId": "clockAttendance", "tags": ["staffing"], "security": [SESSION],
        "summary": "Rostered vs clocked at a location on a day: late, left early, missed, open (the coordinator).",
        "parameters": _CLOCK_QUERY,
        "responses": ok("The day's attendance.", "Attendance") | errors("401", "403", "404", "422")}},
    "/api/v1/clock/pay-period": {"get": {
        "operationId": "clockPayPeriod", "tags": ["staffing"], "security": [SESSION],
        "summary": "Hours per person in the pay period holding `date`: regular, overtime (over 40 hours a week), "
                   "late and missed shifts (the coordinator).",
        "parameters": _CLOCK_QUERY,
        "responses": ok("The pay period.", "PayPeriodHours") | errors("401", "403", "404", "422")}},
}, schemas={
    "ClockPunch": {"type": "object", "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["in", "out"]}, "staffId": _nullable(_ID),
        "pin": _nullable(_TEXT | {"maxLength": 8})}},
    "ClockPin": {"type": "object", "required": ["staffMember", "pin"], "properties": {
        "staffMember": _ID, "pin": _TEXT | {"maxLength": 8}}},
    "PunchCorrection": {"type": "object", "required": ["clockIn", "reason"], "properties": {
        "clockIn": _DATETIME, "clockOut": _nullable(_DATETIME), "reason": _TEXT | {"maxLength": 300}}},
    "Punch": _PUNCH,
    "Attendance": {"type": "object", "properties": {"location": _ID, "date": _DATE, "items": {
        "type": "array", "items": {"type": "object", "properties": {
            "staffMember": _ID, "name": _TEXT, "date": _DATE, "assignment": _nullable(_ID),
            "shiftType": _nullable(_ID), "shiftStart": _nullable(_DATETIME), "shiftEnd": _nullable(_DATETIME),
            "lateMinutes": _INT, "earlyMinutes": _INT, "missed": {"type": "boolean"}, "open": {"type": "boolean"},
            "punches": {"type": "array", "items": _PUNCH}}}}}},
    "PayPeriodHours": {"type": "object", "properties": {"location": _ID, "periodStart": _DATE, "periodEnd": _DATE,
                                                        "items": {"type": "array", "items": {
        "type": "object", "properties": {
            "staffMember": _ID, "name": _TEXT, "regularHours": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
            "overtimeHours": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"}, "lateShifts": _INT,
            "leftEarlyShifts": _INT, "missedShifts": _INT, "openPunches": _INT}}}}},
})
