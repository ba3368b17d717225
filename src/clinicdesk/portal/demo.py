"""The demo practice's portal: follow-ups and new-patient visits bookable online (issue #23)."""

from __future__ import annotations

from clinicdesk.core import clock
from clinicdesk.scheduling.models import AppointmentType

from .models import PortalBookingRule, WhoMayBook


def portal_demo() -> int:
    """Let patients book the demo's follow-ups (established patients) and new-patient visits online."""
    made = 0
    for kind in AppointmentType.objects.filter(active=True).order_by("pk"):
        code = kind.code.lower()
        if "follow" not in code and not kind.new_patient:
            continue
        _rule, created = PortalBookingRule.objects.get_or_create(appointment_type=kind, defaults={
            "bookable": True, "who": WhoMayBook.NEW if kind.new_patient else WhoMayBook.ESTABLISHED,
            "max_days_ahead": 60, "min_notice_hours": 24, "max_open_bookings": 2, "updated_at": clock.now()})
        made += int(created)
    return made
