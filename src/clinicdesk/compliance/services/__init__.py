"""Compliance services (issue #21): incidents, complaints and grievances, patient rights requests and
disclosures, breaches; the compliance calendar, OSHA, the HIPAA program and the policy manual."""

from .breaches import breach_clocks, breach_close, breach_log, breach_notice_record
from .calendar import builtin_duties_ensure, duties_escalate_overdue, duty_add, occurrence_complete
from .clia import (
    clia_certificate_set,
    patient_test_record,
    qc_correction_record,
    qc_run_record,
    waived_test_add,
)
from .grievances import (
    complaint_escalate,
    complaint_log,
    complaint_resolve,
    grievance_acknowledge,
    grievance_answer,
    grievance_clocks,
    grievance_mark,
)
from .hipaa import baa_add, officer_set, risk_assessment_complete, risk_assessment_start, risk_item_update
from .incidents import corrective_action_add, corrective_action_done, incident_close, incident_report, incident_review
from .osha import injury_case_record, safety_document_add, safety_document_reviewed, sharps_injury_log
from .policies import policy_acknowledge, policy_add, policy_publish, policy_remind, policy_reminders_due
from .rights import (
    authorization_problems,
    disclosure_record,
    request_due,
    rights_request_close,
    rights_request_fulfil,
    rights_request_log,
    rights_request_start,
)

__all__ = [
    "authorization_problems",
    "baa_add",
    "breach_clocks",
    "breach_close",
    "breach_log",
    "breach_notice_record",
    "builtin_duties_ensure",
    "clia_certificate_set",
    "complaint_escalate",
    "complaint_log",
    "complaint_resolve",
    "corrective_action_add",
    "corrective_action_done",
    "disclosure_record",
    "duties_escalate_overdue",
    "duty_add",
    "grievance_acknowledge",
    "grievance_answer",
    "grievance_clocks",
    "grievance_mark",
    "incident_close",
    "incident_report",
    "incident_review",
    "injury_case_record",
    "occurrence_complete",
    "officer_set",
    "patient_test_record",
    "policy_acknowledge",
    "policy_add",
    "policy_publish",
    "policy_remind",
    "policy_reminders_due",
    "qc_correction_record",
    "qc_run_record",
    "request_due",
    "rights_request_close",
    "rights_request_fulfil",
    "rights_request_log",
    "rights_request_start",
    "risk_assessment_complete",
    "risk_assessment_start",
    "risk_item_update",
    "safety_document_add",
    "safety_document_reviewed",
    "sharps_injury_log",
    "waived_test_add",
]
