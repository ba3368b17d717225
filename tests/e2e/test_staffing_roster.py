"""The staff roster in a browser: a coordinator solves the period's draft (time limit 1 s), reads its cost, publishes
it after the confirmation, and a front desk user then finds the shifts under "My shifts"."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.staffing import services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.models import Roster, RosterStatus
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_coordinator_solves_and_publishes_and_staff_see_their_shifts(page, page_problems, sign_in_as):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat")
    staff = [UserFactory(role=Role.FRONT_DESK if i % 2 == 0 else Role.NURSE, location=location,
                         first_name=f"Person{i}") for i in range(5)]
    start = services.period_of(timezone.localdate())
    staffing_demo(actor=coordinator, location_id=location.pk, users=staff, period_start=start, publish=False)

    sign_in_as(page, coordinator)
    page.goto(f"/staffing/?location={location.pk}")
    expect(page.get_by_text("No roster for this period yet: solve one.")).to_be_visible()
    page.get_by_label("Time limit (seconds)").fill("1")
    page.get_by_role("button", name="Solve").click()
    expect(page.get_by_text("Draft roster solved. Review it, then publish it.")).to_be_visible()
    expect(page.get_by_role("heading", name="What this roster costs")).to_be_visible()
    expect(page.get_by_role("table", name="Shifts by person and day")).to_contain_text("Person0")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Roster published: every staff member now sees their shifts.")).to_be_visible()
    assert Roster.objects.get(location=location).status == RosterStatus.PUBLISHED

    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, staff[0])
    page.goto("/staffing/mine/")
    expect(page.get_by_role("heading", name="My shifts", level=1)).to_be_visible()
    page_problems.assert_none()
