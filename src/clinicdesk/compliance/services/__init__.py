"""Compliance services (issue #21): incidents, complaints and grievances, patient rights requests and
disclosures, breaches."""

from .breaches import breach_clocks, breach_close, breach_log, breach_notice_record
from .grievances import (
    complaint_escalate,
    complaint_log,
    complaint_resolve,
    grievance_acknowledge,
    grievance_answer,
    grievance_clocks,
    grievance_mark,
)
from .incidents import corrective_action_add, corrective_action_done, incident_close, incident_report, incident_review
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
    "authorization_problems", "breach_clocks", "breach_close", "breach_log", "breach_notice_record",
    "complaint_escalate", "complaint_log", "complaint_resolve", "corrective_action_add", "corrective_action_done",
    "disclosure_record", "grievance_acknowledge", "grievance_answer", "grievance_clocks", "grievance_mark",
    "incident_close", "incident_report", "incident_review", "request_due", "rights_request_close",
    "rights_request_fulfil", "rights_request_log", "rights_request_start",
]
