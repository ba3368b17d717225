"""Every front-desk write: arrivals, check-in, the patient flow, walk-ins, check-out with follow-up,
visitors, calls and triage slips, tasks. Each service checks the permission at the location, validates
before writing, audits in the same transaction, and moves appointment statuses only through
scheduling's own services.

common: who may work the desk; visits: arrivals and the flow; desk_log: visitors, calls, slips, tasks."""

from .common import (
    CHASE_ITEMS,
    DEFAULT_ESCALATION_MINUTES,
    PRIMARY_CARE,
    escalation_minutes,
    local_today,
    may_work_the_desk,
)
from .desk_log import (
    NO_SHOW_ACTOR,
    call_record,
    chase_task_create,
    no_show_task_create,
    slip_answer,
    slip_close,
    slips_escalate_due,
    task_create,
    task_set_status,
    visitor_sign_in,
    visitor_sign_out,
)
from .visits import (
    CONFIRMATION_TICKS,
    expected_copay,
    expected_copay_with_source,
    follow_up_book,
    self_arrival,
    visit_arrive,
    visit_check_in,
    visit_check_out,
    visit_follow_appointment,
    visit_leave,
    visit_provider_start,
    visit_ready_for_checkout,
    visit_room,
    walk_in_add,
)

__all__ = [
    "CHASE_ITEMS",
    "CONFIRMATION_TICKS",
    "DEFAULT_ESCALATION_MINUTES",
    "NO_SHOW_ACTOR",
    "PRIMARY_CARE",
    "call_record",
    "chase_task_create",
    "escalation_minutes",
    "expected_copay",
    "expected_copay_with_source",
    "follow_up_book",
    "local_today",
    "may_work_the_desk",
    "no_show_task_create",
    "self_arrival",
    "slip_answer",
    "slip_close",
    "slips_escalate_due",
    "task_create",
    "task_set_status",
    "visit_arrive",
    "visit_check_in",
    "visit_check_out",
    "visit_follow_appointment",
    "visit_leave",
    "visit_provider_start",
    "visit_ready_for_checkout",
    "visit_room",
    "visitor_sign_in",
    "visitor_sign_out",
    "walk_in_add",
]
