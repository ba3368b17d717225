"""Writes of the patient portal (issue #23), one module per topic:

- `signin`: sign-in by link or code, portal sessions, language, the chart acted for;
- `proxies`: proxy authorizations recorded by staff;
- `booking`: self-booking under the practice's rules (the desk's own search and `appointment_book`);
- `messages`: secure messages;
- `intake`: demographics, insurance, history and consent forms as pending changes staff review;
- `kiosk`: the waiting-room tablet (find today's visit, confirm, sign, arrive through the desk's one path).

Every write is audited with the patient (`PatientActor`, `patient:<id>`) or, before sign-in, with no actor.
"""

from .booking import (
    bookable_rule,
    booking_rule_save,
    option_value,
    portal_appointment_book,
    portal_appointment_cancel,
    portal_appointment_reschedule,
    portal_options,
    portal_waitlist_join,
)
from .common import OPEN_STATUSES, TooManyRequests
from .messages import MESSAGE_INTAKE, portal_message_answer, portal_message_send, portal_messages_mark_read
from .proxies import proxy_authorize, proxy_revoke
from .signin import (
    CHALLENGE_MINUTES,
    MAX_FAILURES,
    PER_CONTACT,
    PER_IP,
    WINDOW,
    SignedIn,
    dependents_of,
    portal_language_set,
    portal_session_resume,
    portal_sign_in_check,
    portal_sign_in_confirm,
    portal_sign_in_request,
    portal_sign_out,
    portal_subject_choose,
)

__all__ = [
    "CHALLENGE_MINUTES", "MAX_FAILURES", "MESSAGE_INTAKE", "OPEN_STATUSES", "PER_CONTACT", "PER_IP", "WINDOW",
    "SignedIn", "TooManyRequests", "bookable_rule", "booking_rule_save", "dependents_of", "option_value",
    "portal_appointment_book", "portal_appointment_cancel", "portal_appointment_reschedule", "portal_language_set",
    "portal_message_answer", "portal_message_send", "portal_messages_mark_read", "portal_options",
    "portal_session_resume", "portal_sign_in_check", "portal_sign_in_confirm", "portal_sign_in_request",
    "portal_sign_out", "portal_subject_choose", "portal_waitlist_join", "proxy_authorize", "proxy_revoke",
]
