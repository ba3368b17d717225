"""Every write to the schedule. One path for every rule: the day view, the JSON API, series, the waitlist, the
comms offers and FHIR all call `appointment_book` and its siblings here.

By topic:
- `booking`: the plan (every rule, read only), the booking protocol (plan, lock, re-plan, write the resource
  bookings: `_occupy`, the one copy), booking and rescheduling;
- `status`: the moves (`move_refusal`, the one rule), cancel, confirm, no-show, arrival, the checklist;
- `series`: recurring series;
- `waitlist`: the waitlist;
- `availability_setup`: weekly blocks, exceptions, holidays;
- `feeds`: private calendar feeds.

Callers import from `clinicdesk.scheduling.services` (these names), not from the modules.
"""

from .availability_setup import availability_exception_add, availability_template_add, location_holiday_add
from .booking import EARLIEST, LATEST, BookingRequest, Plan, appointment_book, appointment_reschedule, staff_user
from .feeds import calendar_feed_issue, calendar_feed_revoke, feed_token_hash
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
    "ARRIVAL_STATUSES", "EARLIEST", "LATEST", "LATE_CANCEL_WINDOW", "BookingRequest", "Occurrence", "Plan",
    "SeriesResult", "appointment_arrive", "appointment_book", "appointment_cancel", "appointment_check_in",
    "appointment_checklist_mark", "appointment_confirm", "appointment_fulfil", "appointment_mark_noshow",
    "appointment_moves", "appointment_reschedule", "appointment_set_status", "arrival_day_refusal",
    "availability_exception_add", "availability_template_add", "calendar_feed_issue", "calendar_feed_revoke",
    "feed_token_hash", "location_holiday_add", "move_refusal", "series_book", "series_preview", "staff_user",
    "waitlist_add", "waitlist_remove",
]
