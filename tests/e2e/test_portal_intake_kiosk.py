"""Intake before the visit and the waiting-room kiosk on a 360 px phone, in English and Spanish: the patient sends
their history and signs a form, checks in at the kiosk (a co-pay sends them to the desk), and the desk accepts the
history into the chart at desktop size; axe finds nothing serious or critical."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Coverage, FormTemplate, Payer
from clinicdesk.portal.actor import COOKIE_NAME
from clinicdesk.portal.decorators import LANGUAGE_COOKIE
from clinicdesk.portal.models import IntakeSubmission
from clinicdesk.portal.services import kiosk
from clinicdesk.scheduling.models import Appointment
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory, PractitionerFactory, UserFactory
from tests.portal.helpers import portal_session_key

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("PORTAL_INTAKE_SHOTS", "/tmp/h/shots_intake"))


def _blocking(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
            if v.get("impact") in {"serious", "critical"}]


def _shot(page, language: str, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{language}_{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_intake_kiosk_and_the_desks_review(browser, live_server, page_problems, sign_in_as, language):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, language=language)
    doctor = PractitionerFactory(first_name="Grace", last_name="Hopper")
    patient = PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz", email="rosa@example.org",
                             birth_date=dt.date(1950, 3, 9), preferred_language=language)
    payer = Payer.objects.create(name="Harbor Health")
    Coverage.objects.create(patient=patient, payer=payer, member_id="HH100", start_date=dt.date(2020, 1, 1),
                            copay_primary=25)
    FormTemplate.objects.create(code="e2e-consent", version=1, language=language, title="Consentimiento"
                                if language == "es" else "Consent to treat", body="…", required=True)
    visit = AppointmentFactory(location=location, patient=patient, practitioner=doctor,
                               start=clock.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=5))
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="en-US",
                                is_mobile=True, has_touch=True)
    phone.add_cookies([{"name": COOKIE_NAME, "value": portal_session_key(patient, language=language),
                        "url": f"{live_server.url}/portal/"},
                       {"name": LANGUAGE_COOKIE, "value": language, "url": f"{live_server.url}/portal/"},
                       {"name": kiosk.KIOSK_COOKIE, "value": kiosk.kiosk_enable(actor=clerk, location_id=location.pk),
                        "url": f"{live_server.url}/portal/kiosk/"}])
    page = phone.new_page()
    page.on("console", page_problems.on_console)
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    try:
        page.goto("/portal/intake/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.fill("#id_problems", "Asma" if language == "es" else "Asthma")
        page.locator("#intake-history button").click()
        expect(page.locator("#intake-history .message.info")).to_be_visible()
        form = page.locator("#intake-forms form").first
        form.locator("input[type=text]").fill("Rosa Diaz")
        form.locator("input[type=checkbox]").check()
        form.locator("button").click()
        expect(page.locator("#intake-forms .message.success")).to_be_visible()
        _shot(page, language, "1_intake")
        assert _blocking(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.goto(f"/portal/kiosk/{location.pk}/")
        _shot(page, language, "2_kiosk_find")
        assert _blocking(page) == []
        page.fill("#id_family_name", "diaz")
        page.fill("#id_birth_date", "1950-03-09")
        page.locator("main button.primary").click()
        expect(page.locator("main h1")).to_contain_text("Rosa")
        expect(page.locator("main .message.warning")).to_contain_text("$25")
        _shot(page, language, "3_kiosk_visit")
        assert _blocking(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("main form button.primary").click()
        expect(page.locator("[data-kiosk-done]")).to_be_visible()
        _shot(page, language, "4_kiosk_done")
        assert _blocking(page) == []
        assert Appointment.objects.get(pk=visit.pk).status == "arrived"
        page_problems.assert_none()
    finally:
        phone.close()

    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="en-US")
    page = desk.new_page()
    try:
        sign_in_as(page, clerk)
        page.goto("/portal/staff/intake/")
        page.locator("#portal-intake a").first.click()
        expect(page.locator("#intake-diff")).to_be_visible()
        _shot(page, language, "5_staff_review")
        assert _blocking(page) == []
        page.locator("button[name=decision][value=accept]").click()
        page.wait_for_url("**/portal/staff/intake/")
        assert IntakeSubmission.objects.filter(status="accepted").count() == 1
    finally:
        desk.close()
