"""The practice's side of the portal, in English and Spanish: the portal messages inbox and answer, the online
booking rules and the proxy authorizations; axe finds nothing serious or critical."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.portal import services
from tests.factories import AppointmentTypeFactory, LocationFactory, PatientFactory, UserFactory
from tests.portal.helpers import actor_for

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("PORTAL_SHOTS", "/tmp/h/shots_portal"))


def _blocking(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
            if v.get("impact") in {"serious", "critical"}]


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_answer_portal_messages_and_set_the_rules(page, page_problems, sign_in_as, language):
    page.set_viewport_size({"width": 1400, "height": 900})
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, language=language)
    AppointmentTypeFactory(code="check-up", name="Check-up", duration_minutes=20)
    parent = PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz")
    child = PatientFactory(home_location=location, given_name="Tomas", family_name="Diaz",
                           birth_date=dt.date(2019, 1, 1))
    services.proxy_authorize(actor=coordinator, proxy_id=parent.pk, dependent_id=child.pk, kind="parent-of-minor",
                             valid_from=dt.date(2026, 1, 1))
    message = services.portal_message_send(actor=actor_for(parent), topic="clinical", body="Tomas has a rash.")
    sign_in_as(page, coordinator)
    shots = SHOTS if SHOTS.parent.exists() else None

    for name, path in (("staff_inbox", "/portal/staff/inbox/"), ("staff_rules", "/portal/staff/booking-rules/"),
                       ("staff_proxies", "/portal/staff/proxies/"),
                       ("staff_message", f"/portal/staff/inbox/{message.pk}/")):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{language}_{name}.png"), full_page=True)
        assert _blocking(page) == [], name
    page.fill("#id_body", "Please send a photo.")
    page.locator("main button.primary").click()
    page.wait_for_url("**/portal/staff/inbox/")
    expect(page.locator("main")).not_to_contain_text("Rosa")
    page_problems.assert_none()
