"""Every write to the schedule. One path for every rule: the day view, the JSON API, series, the waitlist, the
comms offers and FHIR all call `appointment_book` and its siblings here.

By topic:
- `booking`: the plan (every rule, read only), the booking protocol (plan, lock, re-plan, write the resource
  bookings: `_occupy`, the one copy), booking and rescheduling;
- `status`: the moves (`move_refusal`, the one rule), cancel, confirm, no-show, arrival, the checklist;
- `series`: recurring series;
- `waitlist`: the waitlist;
- `availability_setup`: weekly blocks, exceptions, holidays;
- `appointment_types`: appointment types (create, change, deactivate);
- `feeds`: private calendar feeds.

Callers import from `clinicdesk.scheduling.services` (these names), not from the modules.
"""

from .appointment_types import (
    APPOINTMENT_TYPE_FIELDS,
    EQUIPMENT_KIND_CHOICES,
    ROOM_KIND_CHOICES,
    appointment_type_create,
    appointment_type_deactivate,
    appointment_type_update,
)
from .availability_setup import (
    EXCEPTION_FIELDS,
    HOLIDAY_FIELDS,
    TEMPLATE_FIELDS,
    availability_exception_add,
    availability_exception_remove,
    availability_template_add,
    availability_template_remove,
    availability_template_update,
    location_holiday_add,
    location_holiday_remove,
)
from .booking import EARLIEST, LATEST, BookingRequest, Plan, appointment_book, appointment_reschedule, staff_user
from .feeds import calendar_feed_issue, calendar_feed_revoke, feed_token_hash
from .readiness import Readiness, readiness, readiness_prime
from .series import Occurrence, SeriesResult, series_book, series_preview
from .status import (
    ARRIVAL_STATUSES,
    LATE_CANCEL_WINDOW,
    appointment_arrive,
    appointment_cancel,
    appointment_check_in,
    appointment_checklist_mark,
    appointment_confirm,
    appointment_fulfil,
    appointment_mark_noshow,
    appointment_moves,
    appointment_set_status,
    arrival_day_refusal,
    move_refusal,
)
from .waitlist import waitlist_add, waitlist_remove

__all__ = [
    "APPOINTMENT_TYPE_FIELDS",
    "ARRIVAL_STATUSES",
    "EARLIEST",
    "EQUIPMENT_KIND_CHOICES",
    "EXCEPTION_FIELDS",
    "HOLIDAY_FIELDS",
    "LATEST",
    "LATE_CANCEL_WINDOW",
    "ROOM_KIND_CHOICES",
    "TEMPLATE_FIELDS",
    "BookingRequest",
    "Occurrence",
    "Plan",
    "Readiness",
    "SeriesResult",
    "appointment_arrive",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_checklist_mark",
    "appointment_confirm",
    "appointment_fulfil",
    "appointment_mark_noshow",
    "appointment_moves",
    "appointment_reschedule",
    "appointment_set_status",
    "appointment_type_create",
    "appointment_type_deactivate",
    "appointment_type_update",
    "arrival_day_refusal",
    "availability_exception_add",
    "availability_exception_remove",
    "availability_template_add",
    "availability_template_remove",
    "availability_template_update",
    "calendar_feed_issue",
    "calendar_feed_revoke",
    "feed_token_hash",
    "location_holiday_add",
    "location_holiday_remove",
    "move_refusal",
    "readiness",
    "readiness_prime",
    "series_book",
    "series_preview",
    "staff_user",
    "waitlist_add",
    "waitlist_remove",
]
