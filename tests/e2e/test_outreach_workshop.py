"""Workshops in a browser, in English and Spanish (#24 item 3): a coordinator creates a bilingual workshop, registers
a patient and a contact, and ticks the patient at the door. Each screen is photographed (under the test
artifacts, and CLINICDESK_SHOTS when set)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.outreach.models import Event, Registration
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {
    "en": {"list": "Workshops and events", "new": "New event", "save": "Save", "search": "Search",
           "register": "Register", "door": "Attendance at the door", "present": "1 of 2 present"},
    "es": {"list": "Talleres y eventos", "new": "Nuevo evento", "save": "Guardar", "search": "Buscar",
           "register": "Registrar", "door": "Asistencia en la puerta", "present": "1 de 2 presentes"},
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_creates_a_workshop_registers_people_and_takes_attendance(page, page_problems, sign_in_as,
                                                                                   lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York", address_line="1 Main St")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, language=lang)
    PatientFactory(home_location=location, given_name="Lucía", family_name="Reyes", preferred_language="es")
    words = WORDS[lang]
    folder = ARTIFACTS / lang / "outreach"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    sign_in_as(page, coordinator)

    page.goto(f"/outreach/?location={location.pk}")
    expect(page.locator("h1")).to_have_text(words["list"])
    page.get_by_role("link", name=words["new"]).click()
    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    page.select_option("#id_kind", "diabetes")
    page.fill("#id_title_en", "Living well with diabetes")
    page.fill("#id_title_es", "Vivir bien con diabetes")
    page.fill("#id_description_en", "Meal planning and blood sugar checks.")
    page.fill("#id_description_es", "Planificación de comidas y control del azúcar.")
    page.fill("#id_day", day)
    page.fill("#id_time", "18:00")
    page.fill("#id_capacity", "12")
    page.fill("#id_place", "Community room")
    page.screenshot(path=str(folder / "event-form.png"), full_page=True)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("h1")).to_have_text("Vivir bien con diabetes" if lang == "es" else "Living well with diabetes")

    page.fill("#patient-q", "Reyes")
    page.locator("form[role=search]").get_by_role("button", name=words["search"]).click()
    page.locator("#found").get_by_role("button", name=words["register"]).click()
    page.fill("#id_contact-given_name", "Rosa")
    page.fill("#id_contact-family_name", "Delgado")
    page.fill("#id_contact-email", "rosa@example.org")
    page.check("#id_contact-consent")
    page.locator("#contact-form").get_by_role("button", name=words["register"]).click()
    expect(page.locator("#confirmed tbody tr")).to_have_count(2)
    page.screenshot(path=str(folder / "event-page.png"), full_page=True)

    page.get_by_role("link", name=words["door"]).click()
    page.locator("#door").get_by_role("button", name="Reyes").click()
    expect(page.locator("#present-count")).to_have_text(words["present"])
    page.screenshot(path=str(folder / "door.png"), full_page=True)
    page.goto(f"/outreach/?location={location.pk}")
    page.screenshot(path=str(folder / "event-list.png"), full_page=True)

    event = Event.objects.get()
    assert event.taken == 2
    assert Registration.objects.filter(event=event, attended=True).count() == 1
    page_problems.assert_none()
