"""/api/v1/ routes of the compliance app: the dashboard of clocks, complaints and grievances, incidents."""

from typing import Any

from django.urls import path

from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import MAX_ID, describe

from . import api
from .models import Channel, ComplaintTopic, GrievanceBasis, IncidentKind, Recurrence, Severity

app_name = "compliance-api"
urlpatterns = [
    path("compliance-dashboard/<int:location_id>", api.dashboard, name="compliance-dashboard"),
    path("complaints", api.complaints, name="complaints"),
    path("complaints/<int:pk>/grievance", api.grievance, name="complaint-grievance"),
    path("incidents", api.incidents, name="incidents"),
]

_ID = {"type": "integer", "minimum": 1}
_INT = {"type": "integer"}
_TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
_DATE = {"type": "string", "format": "date"}
_MOMENT = {"type": "string", "format": "date-time"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


_CLOCK = {"type": "object", "properties": {
    "area": {"type": "string", "enum": ["complaint", "grievance", "request", "incident", "breach", "calendar"]},
    "reference": _TEXT, "what": _TEXT, "dueOn": _nullable(_DATE), "doneOn": _nullable(_DATE),
    "state": {"type": "string", "enum": ["overdue", "soon", "ok", "open", "late"]}, "daysLeft": _nullable(_INT)}}

describe("compliance", paths={
    "/api/v1/compliance-dashboard/{location_id}": {"get": {
        "operationId": "complianceDashboardRead", "tags": ["compliance"], "security": [SESSION],
        "summary": "Open compliance items at a location with their clocks (grievance letters, rights requests, "
                   "corrective actions, breach notices), and items done after their deadline in the last 90 days.",
        "parameters": [{"name": "location_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 0}, "description": "The location's id."}],
        "responses": ok("The dashboard.", "ComplianceDashboard") | errors("401", "403", "404")}},
    "/api/v1/complaints": {"post": {
        "operationId": "complaintCreate", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Log a complaint (any staff member at the location). Abuse or neglect, or highLevel, is "
                   "escalated to the practice coordinator at once.",
        "requestBody": body("ComplaintCreate"),
        "responses": ok("The complaint.", "Complaint", "201") | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/complaints/{pk}/grievance": {"post": {
        "operationId": "complaintGrievanceMark", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Mark a complaint a grievance (CMS definition): the 7-day acknowledgement and 30-day "
                   "resolution clocks start from the day it was received.",
        "parameters": [{"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                        "description": "The complaint's id."}],
        "requestBody": body("GrievanceMark"),
        "responses": ok("The complaint.", "Complaint") | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/incidents": {"post": {
        "operationId": "incidentCreate", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Report a patient safety or workplace incident (any staff member at the location).",
        "requestBody": body("IncidentCreate"),
        "responses": ok("The incident.", "Incident", "201") | errors("400", "401", "403", "404", "415", "422")}},
}, schemas={
    "ComplianceDashboard": {"type": "object", "required": ["location", "today", "counts", "open", "late"],
                            "properties": {"location": _ID, "today": _DATE,
                                           "counts": {"type": "object", "additionalProperties": _INT},
                                           "open": {"type": "array", "items": _CLOCK},
                                           "late": {"type": "array", "items": _CLOCK}}},
    "ComplaintCreate": {"type": "object", "required": ["location", "patientMrn", "channel", "topic", "summary"],
                        "properties": {"location": _ID, "patientMrn": _TEXT | {"maxLength": 12},
                                       "channel": {"type": "string", "enum": list(Channel.values)},
                                       "topic": {"type": "string", "enum": list(ComplaintTopic.values)},
                                       "summary": _TEXT | {"maxLength": 4000}, "highLevel": {"type": "boolean"},
                                       "receivedAt": _nullable(_MOMENT),
                                       "idempotencyKey": _nullable(_TEXT | {"maxLength": 64})}},
    "GrievanceMark": {"type": "object", "required": ["basis"], "properties": {
        "basis": {"type": "string", "enum": list(GrievanceBasis.values)}}},
    "Complaint": {"type": "object", "required": ["id", "reference", "status"], "properties": {
        "id": _ID, "reference": _TEXT, "location": _ID, "patient": _ID, "channel": _TEXT, "topic": _TEXT,
        "status": _TEXT, "receivedAt": _MOMENT, "highLevel": {"type": "boolean"}, "escalated": {"type": "boolean"},
        "acknowledgementDue": _nullable(_DATE), "acknowledgementSent": _nullable(_DATE),
        "resolutionDue": _nullable(_DATE), "resolutionSent": _nullable(_DATE)}},
    "IncidentCreate": {"type": "object", "required": ["location", "kind", "severity", "what", "place", "occurredAt"],
                       "properties": {"location": _ID, "kind": {"type": "string", "enum": list(IncidentKind.values)},
                                      "severity": {"type": "string", "enum": list(Severity.values)},
                                      "what": _TEXT | {"maxLength": 2000}, "place": _TEXT | {"maxLength": 120},
                                      "occurredAt": _MOMENT, "staffInvolved": _nullable(_TEXT),
                                      "patientMrn": _nullable(_TEXT), "idempotencyKey": _nullable(_TEXT)}},
    "Incident": {"type": "object", "required": ["id", "reference", "status"], "properties": {
        "id": _ID, "reference": _TEXT, "location": _ID, "kind": _TEXT, "severity": _TEXT, "status": _TEXT,
        "occurredAt": _MOMENT, "place": _TEXT, "patient": _nullable(_ID)}},
})

from . import api_program  # noqa: E402

urlpatterns += [
    path("compliance-calendar/<int:location_id>", api_program.calendar, name="compliance-calendar"),
    path("compliance-duties", api_program.duties, name="compliance-duties"),
    path("compliance-occurrences/<int:pk>/complete", api_program.occurrence_complete,
         name="compliance-occurrence-complete"),
    path("policy-versions/<int:pk>/acknowledge", api_program.policy_acknowledge, name="policy-acknowledge"),
]
_PK = [{"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
        "description": "The record's id."}]
_OCCURRENCE = {"type": "object", "required": ["id", "duty", "dueOn"], "properties": {
    "id": _ID, "duty": _ID, "dueOn": _DATE, "owner": _ID, "doneOn": _nullable(_DATE), "evidenceNote": _TEXT,
    "escalated": {"type": "boolean"}}}

describe("compliance-program", paths={
    "/api/v1/compliance-calendar/{location_id}": {"get": {
        "operationId": "complianceCalendarRead", "tags": ["compliance"], "security": [SESSION],
        "summary": "The compliance calendar at a location: open duty occurrences and review dates due within 30 "
                   "days or overdue, overdue first.",
        "parameters": [{"name": "location_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 0}, "description": "The location's id."}],
        "responses": ok("The calendar.", "ComplianceCalendar") | errors("401", "403", "404")}},
    "/api/v1/compliance-duties": {"post": {
        "operationId": "complianceDutyCreate", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Add a recurring duty at a location; answers its first occurrence.",
        "requestBody": body("ComplianceDutyCreate"),
        "responses": ok("The first occurrence.", "ComplianceOccurrence", "201")
        | errors("400", "401", "403", "404", "415", "422")}},
    "/api/v1/compliance-occurrences/{pk}/complete": {"post": {
        "operationId": "complianceOccurrenceComplete", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Record a duty done with its evidence; the next occurrence opens. 409 when already done.",
        "parameters": _PK, "requestBody": body("ComplianceOccurrenceComplete"),
        "responses": ok("The occurrence.", "ComplianceOccurrence")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/policy-versions/{pk}/acknowledge": {"post": {
        "operationId": "policyVersionAcknowledge", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "The signed-in staff member acknowledges a policy version they are asked to (404 when not "
                   "asked; 409 when already acknowledged or superseded).",
        "parameters": _PK,
        "responses": ok("The acknowledgement.", "PolicyAcknowledgement")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
}, schemas={
    "ComplianceCalendar": {"type": "object", "required": ["location", "today", "due"], "properties": {
        "location": _ID, "today": _DATE, "due": {"type": "array", "items": {"type": "object", "properties": {
            "area": _TEXT, "title": _TEXT, "owner": _TEXT, "dueOn": _DATE,
            "state": {"type": "string", "enum": ["overdue", "soon", "ok"]}, "daysLeft": _INT,
            "escalated": {"type": "boolean"}, "occurrence": _nullable(_ID)}}}}},
    "ComplianceDutyCreate": {"type": "object", "required": ["location", "title", "owner", "recurrence", "startsOn"],
                             "properties": {"location": _ID, "title": _TEXT | {"maxLength": 160, "minLength": 1},
                                            "owner": _ID, "startsOn": _DATE,
                                            "recurrence": {"type": "string", "enum": list(Recurrence.values)}}},
    "ComplianceOccurrenceComplete": {"type": "object", "required": ["doneOn", "evidenceNote"], "properties": {
        "doneOn": _DATE, "evidenceNote": _TEXT | {"maxLength": 500, "minLength": 1}}},
    "ComplianceOccurrence": _OCCURRENCE,
    "PolicyAcknowledgement": {"type": "object", "required": ["version"], "properties": {
        "version": _ID, "acknowledgedAt": _nullable(_MOMENT)}},
})

from . import api_clia  # noqa: E402

urlpatterns += [
    path("clia-qc/<int:location_id>", api_clia.qc_state, name="clia-qc"),
    path("clia-qc-runs", api_clia.qc_runs, name="clia-qc-runs"),
    path("clia-qc-runs/<int:pk>/correct", api_clia.qc_correct, name="clia-qc-correct"),
    path("clia-patient-tests", api_clia.patient_tests, name="clia-patient-tests"),
    path("clia-log/<int:location_id>", api_clia.log, name="clia-log"),
]
_LOCATION = [{"name": "location_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
              "description": "The location's id."}]
_QC_RUN = {"type": "object", "required": ["id", "test", "lot", "passed"], "properties": {
    "id": _ID, "test": _ID, "lot": _TEXT, "lotExpiresOn": _DATE, "runOn": _DATE, "performedAt": _MOMENT,
    "performedBy": _ID, "passed": {"type": "boolean"}, "results": {"type": "array", "items": {
        "type": "object", "properties": {"level": _TEXT, "value": _TEXT, "inRange": {"type": "boolean"}}}}}}
_PATIENT_TEST = {"type": "object", "required": ["id", "test", "patient", "lot"], "properties": {
    "id": _ID, "test": _ID, "patient": _ID, "lot": _TEXT, "value": _nullable(_TEXT), "reading": _nullable(_TEXT),
    "performedAt": _MOMENT, "performedBy": _ID, "qcRun": _ID}}

describe("compliance-clia", paths={
    "/api/v1/clia-qc/{location_id}": {"get": {
        "operationId": "cliaQcStateRead", "tags": ["compliance"], "security": [SESSION],
        "summary": "CLIA at a location: the certificate, whether patient testing is allowed, and today's QC state of "
                   "every waived test and kit lot in stock (ready, needs-qc, locked, expired) with the reason.",
        "parameters": _LOCATION, "responses": ok("The QC state.", "CliaQcState") | errors("401", "403", "404")}},
    "/api/v1/clia-qc-runs": {"post": {
        "operationId": "cliaQcRunCreate", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Record a QC run of a waived test on a kit lot: a reading for every control level (low/high as "
                   "decimal strings, or positive/negative). An out-of-range run locks the lot out of patient "
                   "testing; 409 while a failed run awaits its corrective action or without CLIA competency.",
        "requestBody": body("CliaQcRunCreate"),
        "responses": ok("The run.", "CliaQcRun", "201") | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/clia-qc-runs/{pk}/correct": {"post": {
        "operationId": "cliaQcRunCorrect", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Record the corrective action after an out-of-range QC run; a new run must then pass.",
        "parameters": _PK, "requestBody": body("CliaQcCorrection"),
        "responses": ok("The corrective action.", "CliaQcCorrectionRecorded", "201")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/clia-patient-tests": {"post": {
        "operationId": "cliaPatientTestCreate", "tags": ["compliance"], "security": [WRITE_AUTH],
        "summary": "Record a waived test performed now for a patient by the caller; one kit of the lot is used "
                   "from the inventory. 409 with the reason when the certificate, the caller's competency or "
                   "today's QC does not allow it.",
        "requestBody": body("CliaPatientTestCreate"),
        "responses": ok("The test.", "CliaPatientTest", "201") | errors("400", "401", "403", "404", "409", "415",
                                                                        "422")}},
    "/api/v1/clia-log/{location_id}": {"get": {
        "operationId": "cliaLogRead", "tags": ["compliance"], "security": [SESSION],
        "summary": "The patient test log at a location, newest first, optionally between two days and for one "
                   "test (each patient on it is recorded in the audit trail).",
        "parameters": [*_LOCATION,
            {"name": "from", "in": "query", "schema": _DATE, "description": "The first day."},
            {"name": "to", "in": "query", "schema": _DATE, "description": "The last day."},
            {"name": "test", "in": "query", "schema": _ID, "description": "One waived test."}],
        "responses": ok("The log.", "CliaLog") | errors("400", "401", "403", "404", "422")}},
}, schemas={
    "CliaQcState": {"type": "object", "required": ["location", "today", "lots"], "properties": {
        "location": _ID, "today": _DATE, "testingAllowed": {"type": "boolean"}, "problem": _nullable(_TEXT),
        "certificate": _nullable({"type": "object", "properties": {
            "number": _TEXT, "kind": _TEXT, "effectiveOn": _DATE, "expiresOn": _DATE}}),
        "lots": {"type": "array", "items": {"type": "object", "properties": {
            "test": _ID, "lot": _TEXT, "state": {"type": "string", "enum": ["ready", "needs-qc", "locked",
                                                                            "expired"]},
            "expiresOn": _nullable(_DATE), "onHand": _INT, "reason": _nullable(_TEXT),
            "lastRun": _nullable(_ID)}}}}},
    "CliaQcRunCreate": {"type": "object", "required": ["test", "lot", "results"], "properties": {
        "test": _ID, "lot": _TEXT | {"maxLength": 40, "minLength": 1},
        "results": {"type": "object", "additionalProperties": _TEXT}}},
    "CliaQcRun": _QC_RUN,
    "CliaQcCorrection": {"type": "object", "required": ["action"], "properties": {
        "action": _TEXT | {"maxLength": 500, "minLength": 1}}},
    "CliaQcCorrectionRecorded": {"type": "object", "required": ["run", "action"], "properties": {
        "run": _ID, "action": _TEXT, "recordedAt": _MOMENT}},
    "CliaPatientTestCreate": {"type": "object", "required": ["test", "lot", "patientMrn"], "properties": {
        "test": _ID, "lot": _TEXT | {"maxLength": 40, "minLength": 1}, "patientMrn": _TEXT | {"maxLength": 12},
        "value": _TEXT | {"maxLength": 12}, "reading": {"type": "string", "enum": ["positive", "negative"]},
        "idempotencyKey": _TEXT | {"maxLength": 64}}},
    "CliaPatientTest": _PATIENT_TEST,
    "CliaLog": {"type": "object", "required": ["location", "tests"], "properties": {
        "location": _ID, "tests": {"type": "array", "items": _PATIENT_TEST}}},
})
