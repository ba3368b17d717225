"""The day view: book from an empty slot with the patient search in the dialog, reschedule (form and
keyboard), cancel with a reason. No CSP violation or console error along the way."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment
from tests.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

pytestmark = pytest.mark.e2e
NEW_YORK = ZoneInfo("America/New_York")


def test_book_reschedule_and_cancel_from_the_day_view(page, page_problems, sign_in_as, live_server):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    doctor = PractitionerFactory(first_name="Grace", last_name="Hopper")
    weekly_availability(doctor, location, effective_from=dt.date(2020, 1, 1))
    AppointmentTypeFactory(code="follow-up", name="Follow-up", duration_minutes=20)
    patient = PatientFactory(family_name="Quillfeather", given_name="Ottilie", home_location=location)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    day = dt.datetime.now(NEW_YORK).date() + dt.timedelta(days=1)

    sign_in_as(page, clerk)
    page.goto(f"/schedule/day/?location={location.pk}&day={day.isoformat()}")
    expect(page.get_by_role("heading", name=re.compile("Grace Hopper"))).to_be_visible()

    # Book: click the empty 10:00 slot, find the patient in the dialog, book.
    page.get_by_role("button", name=re.compile(r"Book .* 10:00 with Grace Hopper")).click()
    dialog = page.locator("#schedule-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#book-time")).to_have_value("10:00")
    dialog.get_by_label("Find the patient").fill("Quillfeather")
    dialog.get_by_label(re.compile("Quillfeather, Ottilie")).check()
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(dialog.get_by_role("status")).to_have_text("Booked.")
    appointment = Appointment.objects.get(patient=patient)
    assert appointment.start.astimezone(NEW_YORK).time() == dt.time(10)
    card = page.locator(f'#calendar .appt[data-appointment="{appointment.pk}"]')
    expect(card).to_contain_text("10:00\u201310:20")
    dialog.get_by_role("button", name="Close").click()

    # Reschedule by keyboard: focus the appointment, Alt+ArrowDown moves it 15 minutes later.
    card.focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(f'#calendar .appt[data-appointment="{appointment.pk}"]')).to_contain_text("10:15\u201310:35")
    appointment.refresh_from_db()
    assert appointment.start.astimezone(NEW_YORK).time() == dt.time(10, 15)

    # Reschedule with the form in the appointment panel.
    page.locator(f'#calendar .appt[data-appointment="{appointment.pk}"]').click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("New time").fill("11:00")
    dialog.get_by_role("button", name="Move appointment").click()
    expect(dialog.get_by_role("status")).to_have_text("Moved.")
    expect(dialog.locator(".appt-when")).to_contain_text("11:00\u201311:20")
    expect(page.locator(f'#calendar .appt[data-appointment="{appointment.pk}"]')).to_contain_text("11:00")

    # Cancel with a reason: the card leaves the grid.
    dialog.get_by_label("Reason for cancelling").fill("Patient is travelling")
    dialog.get_by_role("button", name="Cancel appointment").click()
    expect(dialog.get_by_role("status")).to_have_text("Cancelled.")
    expect(page.locator(f'#calendar .appt[data-appointment="{appointment.pk}"]')).to_have_count(0)
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Patient is travelling"
    page_problems.assert_none()
