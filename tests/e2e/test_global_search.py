"""The global patient search: "/" focuses it, typing finds, clicking opens the chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_slash_focuses_search_and_a_result_opens_the_chart(page, page_problems, sign_in_as, live_server):
    location = LocationFactory(name="Downtown")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    patient = PatientFactory(family_name="Quillfeather", given_name="Ottilie", home_location=location)
    PatientFactory(family_name="Garcia", home_location=location)  # must not show up

    sign_in_as(page, clerk)
    box = page.locator("#global-search-input")
    expect(box).not_to_be_focused()

    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the "/" itself is not typed into the box

    page.keyboard.type("Quillfea")
    popup = page.locator("#global-search-results")
    result = popup.get_by_role("link", name="Quillfeather, Ottilie")
    expect(result).to_be_visible()
    expect(popup.get_by_role("row")).to_have_count(2)  # header + our one patient
    expect(popup).to_contain_text(patient.mrn)

    result.click()
    page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/patients/{patient.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quillfeather, Ottilie")
    expect(page.locator("#patient-mrn")).to_have_text(patient.mrn)
    page_problems.assert_none()
