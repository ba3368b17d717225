"""A patient walks through the clinic: arrival, check-in with the co-pay, rooming, the provider, check-out
with a follow-up booked; a second browser (another member of staff) watches the flow board change without
reloading."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clinicdesk.billing.models import LedgerEntry
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Visit, VisitStatus
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.scheduling.models import Appointment
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    weekly_availability,
)

from .conftest import PageProblems

pytestmark = pytest.mark.e2e
LIVE_MS = 10_000  # the board polls every 3 seconds


def _column(page, key: str):
    return page.locator(f'[data-column="{key}"]')


def test_patient_walks_through_while_a_second_window_watches_the_board(page, page_problems, browser, sign_in_as,
                                                                       live_server):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    provider = PractitionerFactory(first_name="Grace", last_name="Hopper", specialty="Family Medicine")
    weekly_availability(provider, location, start=dt.time(0), end=dt.time(23, 55),
                        effective_from=dt.date(2020, 1, 1))
    RoomFactory(location=location, name="Exam 1")
    kind = AppointmentTypeFactory(code="follow-up", duration_minutes=20)
    patient = PatientFactory(home_location=location, family_name="Quintero", given_name="Marisol")
    payer = Payer.objects.create(name="Acme Health")
    Coverage.objects.create(patient=patient, payer=payer, member_id="M1", start_date=dt.date(2020, 1, 1),
                            copay_primary=Decimal("25.00"))
    now = clock.now()
    start = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=5)
    appointment = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                     appointment_type=kind, start=start)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Dana")
    watcher = UserFactory(role=Role.NURSE, location=location, first_name="Nia")

    # The second window: a nurse keeps the flow board open.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(LIVE_MS)
    context.set_default_navigation_timeout(LIVE_MS * 2)
    page.set_default_navigation_timeout(LIVE_MS * 2)
    board = context.new_page()
    board_problems = PageProblems()
    board.on("console", board_problems.on_console)
    board.on("pageerror", lambda error: board_problems.page_errors.append(str(error)))
    try:
        sign_in_as(board, watcher)
        board.goto(f"/frontdesk/board/?location={location.pk}")
        board.evaluate("window.__notReloaded = true")
        expect(_column(board, "waiting")).not_to_contain_text("Quintero")

        # 1. Arrival: the desk marks the patient arrived; the board shows them waiting, with a running timer.
        sign_in_as(page, clerk)
        page.goto(f"/frontdesk/?location={location.pk}")
        row = page.locator(f'tr[data-appointment="{appointment.pk}"]')
        row.get_by_role("button", name="Arrived").click()
        expect(page.locator(".messages")).to_contain_text("Marked arrived.")
        expect(_column(board, "waiting")).to_contain_text("Quintero", timeout=LIVE_MS)
        expect(_column(board, "waiting").locator(".timer")).to_have_text(re.compile(r"^\d+ min$"), timeout=LIVE_MS)

        # 2. Check-in: confirm what is on file, then take the expected co-pay in cash.
        page.locator(f'tr[data-appointment="{appointment.pk}"]').get_by_role("link", name="Check in").click()
        expect(page.locator("#expected-copay")).to_have_text("$25.00")
        page.get_by_label("Demographics confirmed").check()
        page.get_by_label("Insurance card seen").check()
        page.get_by_label("Photo ID seen").check()
        page.get_by_role("button", name="Check in").click()
        expect(page.locator(".messages")).to_contain_text("Checked in.")
        expect(page.locator("body")).to_contain_text("verified today")
        expect(page.get_by_label("Amount")).to_have_value("25.00")
        page.get_by_label("Method").select_option("cash")
        page.get_by_role("button", name="Collect payment").click()
        expect(page.locator(".messages")).to_contain_text("Payment of $25.00 recorded")
        expect(page.locator(".receipt")).to_contain_text("Receipt R")
        assert LedgerEntry.objects.get().amount == Decimal("-25.00")

        # 3. Rooming, provider, ready for check-out: each step appears on the other window by itself.
        page.goto(f"/frontdesk/board/?location={location.pk}")
        card = page.locator("[data-visit]").filter(has_text="Quintero")
        card.get_by_label("Room", exact=True).select_option(label="Exam 1")
        card.get_by_role("button", name="Room").click()
        expect(_column(board, "roomed")).to_contain_text("Exam 1", timeout=LIVE_MS)
        page.locator("[data-visit]").filter(has_text="Quintero").get_by_role("button", name="Provider in").click()
        expect(_column(board, "provider")).to_contain_text("Quintero", timeout=LIVE_MS)
        page.locator("[data-visit]").filter(has_text="Quintero").get_by_role(
            "button", name="Ready for check-out").click()
        expect(_column(board, "checkout")).to_contain_text("Quintero", timeout=LIVE_MS)

        # 4. Check-out: the follow-up in one step (first available, two weeks out), then check out.
        page.locator("[data-visit]").filter(has_text="Quintero").get_by_role("link", name="Check out").click()
        page.get_by_label("In how many weeks").fill("2")
        page.get_by_role("button", name="Book first available").click()
        expect(page.locator(".messages")).to_contain_text("Follow-up booked")
        expect(page.locator("#follow-up-booked")).to_contain_text("Hopper")
        page.get_by_role("button", name="Check out").click()
        expect(page.locator("#visit-status")).to_have_text("Checked out")
        expect(_column(board, "done")).to_contain_text("Quintero", timeout=LIVE_MS)
        expect(_column(board, "checkout")).not_to_contain_text("Quintero")

        assert board.evaluate("window.__notReloaded") is True
        visit = Visit.objects.get()
        assert visit.status == VisitStatus.CHECKED_OUT
        assert visit.arrived_at <= visit.checked_in_at <= visit.roomed_at <= visit.provider_at <= visit.checked_out_at
        follow_up = Appointment.objects.exclude(pk=appointment.pk).get()
        assert visit.follow_up == follow_up
        assert follow_up.start.date() >= (now + dt.timedelta(days=13)).date()
        page_problems.assert_none()
        board_problems.assert_none()
    finally:
        context.close()
