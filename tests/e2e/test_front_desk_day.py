"""The front desk's day in the browser, in English and in Spanish: arrivals → check-in → collect the co-pay →
flow board → check-out. Each step is photographed and checked with axe (nothing serious or critical).

Screenshots are test artifacts: `var/test-artifacts/<lang>/front-desk-day/NN-<step>.png` under the checkout
(ignored by git; CI can upload the folder), or under $CLINICDESK_TEST_ARTIFACTS when that is set.
Selectors here are language-neutral (form actions, field names), so one walk serves both languages; the words
are checked in each language where it matters (durations, money)."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Visit, VisitStatus
from clinicdesk.patients.models import Coverage, Payer
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

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "var" /
                 "test-artifacts")
WORDS = {  # what the screens say, per language, where the walk checks words
    "en": {"minutes": re.compile(r"^\d+ min$"), "copay": "$25.00"},
    "es": {"minutes": re.compile(r"^\d+ min$"), "copay": "25,00"},
}


class Steps:
    def __init__(self, page, lang: str) -> None:
        self.page, self.number = page, 0
        self.folder = ARTIFACTS / lang / "front-desk-day"
        self.folder.mkdir(parents=True, exist_ok=True)

    def check(self, name: str) -> None:
        """Photograph the step and hold axe to zero serious or critical violations on it."""
        self.number += 1
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=str(self.folder / f"{self.number:02d}-{name}.png"), full_page=True)
        blocking, report = _blocking_violations(self.page)
        assert not blocking, f"{name}:\n{report}"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_front_desk_day_from_arrival_to_check_out(page, page_problems, sign_in_as, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    provider = PractitionerFactory(first_name="Grace", last_name="Hopper", specialty="Family Medicine")
    weekly_availability(provider, location, start=dt.time(0), end=dt.time(23, 55), effective_from=dt.date(2020, 1, 1))
    RoomFactory(location=location, name="Exam 1")
    kind = AppointmentTypeFactory(code="follow-up", duration_minutes=20)
    patient = PatientFactory(home_location=location, family_name="Quintero", given_name="Marisol")
    Coverage.objects.create(patient=patient, payer=Payer.objects.create(name="Acme Health"), member_id="M1",
                            start_date=dt.date(2020, 1, 1), copay_primary=Decimal("25.00"))
    start = clock.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=5)
    appointment = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                     appointment_type=kind, start=start)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                       patient=PatientFactory(home_location=location, family_name="Abernathy-Montgomery"),
                       start=start + dt.timedelta(minutes=40))
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Dana", language=lang)
    words = WORDS[lang]
    steps = Steps(page, lang)
    sign_in_as(page, clerk)
    row = page.locator(f'tr[data-appointment="{appointment.pk}"]')

    # 1. Arrivals: every status a coloured pill with words; mark the patient arrived; the wait is a duration.
    page.goto(f"/frontdesk/?location={location.pk}")
    expect(row.locator(".pill.status")).to_be_visible()
    steps.check("arrivals")
    row.locator("form[action$='/arrive'] button").click()
    expect(row.locator("time.timer")).to_have_text(words["minutes"])
    expect(row.locator("time.timer")).to_have_attribute("datetime", re.compile(r"^PT(\d+H)?\d+M$"))
    steps.check("arrived")

    # 2. Check-in: confirm what is on file.
    row.locator("a[href$='/check-in']").click()
    for name in ("demographics", "insurance", "photo_id"):
        page.locator(f"input[name={name}]").check()
    page.locator("form:has(input[name=photo_id]) button[type=submit]").click()
    expect(page.locator("#expected-copay")).to_contain_text(words["copay"])
    steps.check("checked-in")

    # 3. Collect the co-pay in cash.
    payment = page.locator("form.payment")
    payment.locator("select[name=method]").select_option("cash")
    payment.locator("button[type=submit]").click()
    expect(page.locator(".receipt")).to_contain_text(words["copay"])
    steps.check("collected")

    # 4. The flow board: waiting (a duration), rooming, provider, ready for check-out.
    page.goto(f"/frontdesk/board/?location={location.pk}")
    card = page.locator("[data-visit]").filter(has_text="Quintero")
    expect(card.locator("time.timer")).to_have_text(words["minutes"])
    expect(card.locator(".pill.status")).to_be_visible()
    steps.check("board-waiting")
    card.locator("select[name=room]").select_option(label="Exam 1")
    card.locator("form[action*='/move/room'] button").click()
    page.locator("[data-visit]").filter(has_text="Quintero").locator("form[action*='/move/provider'] button").click()
    page.locator("[data-visit]").filter(has_text="Quintero").locator("form[action*='/move/ready'] button").click()
    expect(page.locator('[data-column="checkout"]')).to_contain_text("Quintero")
    steps.check("board-ready")

    # 5. Check-out.
    page.locator("[data-visit]").filter(has_text="Quintero").locator("a[href$='/check-out']").click()
    steps.check("check-out")
    page.locator("form[action*='/move/checkout'] button").click()
    expect(page.locator("#visit-status")).not_to_be_empty()
    assert Visit.objects.get(appointment=appointment).status == VisitStatus.CHECKED_OUT
    steps.check("checked-out")
    page.goto(f"/frontdesk/board/?location={location.pk}")
    expect(page.locator('[data-column="done"]')).to_contain_text("Quintero")
    steps.check("board-done")
    page_problems.assert_none()
