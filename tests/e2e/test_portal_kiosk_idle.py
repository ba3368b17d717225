"""The waiting-room kiosk resets after KIOSK_IDLE_SECONDS (60) without a touch (issue #23, item 5), on a 360 px
tablet-in-portrait, in English and Spanish. Playwright's clock drives the page's timers, so no test sleeps 60 s:
touches keep the visit open, a minute untouched brings back the start screen with nothing of the patient on it,
and the server has ended the visit, so Back or re-sending the old form shows nothing either."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.portal.decorators import LANGUAGE_COOKIE
from clinicdesk.portal.services import kiosk
from clinicdesk.scheduling.models import Appointment
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("PORTAL_KIOSK_SHOTS", "/tmp/h/shots_portal"))


def _shot(page, language: str, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{language}_{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kiosk_resets_after_a_minute_idle(browser, live_server, page_problems, language):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, language=language)
    doctor = PractitionerFactory(first_name="Grace", last_name="Hopper")
    rosa = PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz", email="rosa@example.org",
                          birth_date=dt.date(1950, 3, 9), preferred_language=language)
    visit = AppointmentFactory(location=location, patient=rosa, practitioner=doctor,
                               start=clock.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=5))
    tablet = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="en-US",
                                 is_mobile=True, has_touch=True)
    tablet.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": f"{live_server.url}/portal/"},
                        {"name": kiosk.KIOSK_COOKIE, "value": kiosk.kiosk_enable(actor=clerk, location_id=location.pk),
                         "url": f"{live_server.url}/portal/kiosk/"}])
    page = tablet.new_page()
    page.on("console", page_problems.on_console)
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    page.clock.install()
    try:
        start = f"/portal/kiosk/{location.pk}/"
        page.goto(start)
        expect(page.locator("body")).to_have_attribute("data-idle-seconds", "60")
        page.fill("#id_family_name", "diaz")
        page.fill("#id_birth_date", "1950-03-09")
        page.locator("main button.primary").click()
        expect(page.locator("main h1")).to_contain_text("Rosa")
        token = page.input_value("input[name=token]")
        csrf = page.input_value("input[name=csrfmiddlewaretoken]")

        # Touches keep the visit open: 40 s, a tap, 40 s more - still Rosa's visit (and the server's too).
        page.clock.fast_forward(40_000)
        with page.expect_response(lambda r: r.url.endswith(f"/portal/kiosk/{location.pk}/alive/")) as alive:
            page.locator("main input[type=text]").first.click()  # the page tells the server: the visit is in use
            page.clock.fast_forward(16_000)
        assert alive.value.status == 204
        page.clock.fast_forward(40_000)
        expect(page.locator("main h1")).to_contain_text("Rosa")

        # A minute untouched: back to the start screen, nothing of Rosa left.
        page.clock.fast_forward(61_000)
        expect(page.locator("#id_family_name")).to_be_visible()
        expect(page.locator("#id_family_name")).to_have_value("")
        assert "Rosa" not in page.content() and "Diaz" not in page.content()
        _shot(page, language, "kiosk_after_idle_reset")

        page.go_back()  # Back shows no patient
        assert "Rosa" not in page.content()
        resent = page.request.post(f"{live_server.url}/portal/kiosk/{location.pk}/check-in/",
                                   form={"token": token, "csrfmiddlewaretoken": csrf, "d-phone": "4135550199"})
        assert resent.ok and "Rosa" not in resent.text()  # the server ended the visit: "Your time ran out"
        assert page.request.post(f"{live_server.url}/portal/kiosk/{location.pk}/alive/",
                                 form={"token": token, "csrfmiddlewaretoken": csrf}).status == 404
        assert Appointment.objects.get(pk=visit.pk).status == "booked"
        page_problems.assert_none()
    finally:
        tablet.close()
