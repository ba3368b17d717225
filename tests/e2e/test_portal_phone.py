"""The patient portal on a 360 x 740 phone, in English and in Spanish: sign in by the e-mail link (read from the
outbox), book a visit, write to the practice and read the staff's answer; axe finds nothing serious or critical."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.portal.models import PortalBookingRule, PortalMessage
from clinicdesk.portal.services import portal_message_answer
from clinicdesk.scheduling.models import Appointment
from tests.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)
from tests.portal.helpers import sent_link

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("PORTAL_SHOTS", "/tmp/h/shots_portal"))
ANSWER = {"en": "Yes, bring your list of medicines.", "es": "Sí, traiga su lista de medicamentos."}


def _blocking(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
            if v.get("impact") in {"serious", "critical"}]


def _shot(page, language: str, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{language}_{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_patient_signs_in_books_and_messages_on_a_phone(browser, live_server, page_problems, language):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    doctor = PractitionerFactory(first_name="Grace", last_name="Hopper")
    weekly_availability(doctor, location, effective_from=dt.date(2020, 1, 1))
    kind = AppointmentTypeFactory(code="check-up", name="Check-up", patient_facing_name="Check-up",
                                  patient_facing_name_es="Chequeo", duration_minutes=20)
    PortalBookingRule.objects.create(appointment_type=kind, bookable=True, max_days_ahead=30, min_notice_hours=24,
                                     max_open_bookings=2)
    patient = PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz", email="rosa@example.org",
                             birth_date=dt.date(1950, 3, 9), preferred_language=language)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                  locale="en-US", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.on("console", page_problems.on_console)
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    try:
        page.goto("/portal/")
        if language == "es":
            page.locator(".portal-lang button").click()
            expect(page.locator("html")).to_have_attribute("lang", "es")
        _shot(page, language, "1_sign_in")
        assert _blocking(page) == []
        page.fill("#id_contact", "rosa@example.org")
        page.locator("main button.primary").click()
        expect(page.locator("#sent-notice")).to_be_visible()

        page.goto(f"/portal/sign-in/link/{sent_link(patient)}/")
        page.fill("#id_birth_date", "1950-03-09")
        _shot(page, language, "2_birth_date")
        assert _blocking(page) == []
        page.locator("main button.primary").click()
        page.wait_for_url("**/portal/home/")
        _shot(page, language, "3_home")
        assert _blocking(page) == []

        page.goto("/portal/book/")
        expect(page.locator("#visit-kinds")).to_contain_text("Chequeo" if language == "es" else "Check-up")
        page.locator("#visit-kinds a").first.click()
        expect(page.locator("#options li").first).to_be_visible()
        _shot(page, language, "4_options")
        assert _blocking(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("main form button.primary").first.click()
        expect(page.locator("#visit-facts")).to_be_visible()
        _shot(page, language, "5_booked")
        assert _blocking(page) == []
        assert Appointment.objects.filter(patient=patient, status="booked").count() == 1

        page.goto("/portal/messages/")
        page.select_option("#id_topic", "appointment")
        page.fill("#id_body", "¿Traigo mis medicinas?" if language == "es" else "Should I bring my medicines?")
        page.locator("main button.primary").click()
        expect(page.locator("#thread")).to_be_visible()
        message = PortalMessage.objects.get(patient=patient)
        portal_message_answer(actor=clerk, message_id=message.pk, body=ANSWER[language])
        page.reload()
        expect(page.locator("#thread")).to_contain_text(ANSWER[language])
        _shot(page, language, "6_messages")
        assert _blocking(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width} px wide on a 360 px phone"
        page_problems.assert_none()
    finally:
        context.close()
