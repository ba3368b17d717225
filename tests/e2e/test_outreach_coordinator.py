"""Outreach in a browser, in English and Spanish (#24): one signed-in coordinator creates a bilingual workshop,
registers a patient and a contact and ticks the patient at the door; then, in the same session, creates a small
campaign with the filter form and its live count, chooses the cohort, leaves one patient out, approves it and sends
a wave; the patient who did not agree to outreach gets nothing. Each screen is photographed (under the test
artifacts, and CLINICDESK_SHOTS when set)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.comms.models import ConsentRecord, Message
from clinicdesk.core.permissions import Role
from clinicdesk.outreach.models import Campaign, CampaignMember, Event, MemberState, Registration
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORKSHOP_WORDS = {
    "en": {"list": "Workshops and events", "new": "New event", "save": "Save", "search": "Search",
           "register": "Register", "door": "Attendance at the door", "present": "1 of 2 present"},
    "es": {"list": "Talleres y eventos", "new": "Nuevo evento", "save": "Guardar", "search": "Buscar",
           "register": "Registrar", "door": "Asistencia en la puerta", "present": "1 de 2 presentes"},
}
CAMPAIGN_WORDS = {
    "en": {"list": "Outreach campaigns", "new": "New campaign", "save": "Save", "count": "3 patients",
           "choose": "Choose the cohort", "leave": "Leave out", "approve": "Approve after review",
           "wave": "Send a wave", "report": "Report", "queued": "Wave 1: 1 messages queued"},
    "es": {"list": "Campañas de difusión", "new": "Nueva campaña", "save": "Guardar", "count": "3 pacientes",
           "choose": "Elegir el grupo", "leave": "Excluir", "approve": "Aprobar tras la revisión",
           "wave": "Enviar una tanda", "report": "Informe", "queued": "Tanda 1: 1 mensajes en cola"},
}


def _workshop(page, page_problems, location, lang: str, folder: Path) -> None:
    """Create a bilingual workshop, register a patient and a contact, tick the patient at the door."""
    words = WORKSHOP_WORDS[lang]
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


def _campaign(page, page_problems, location, lang: str, folder: Path, ana, bea) -> None:
    """A small campaign: filter form and live count, cohort, one left out, approval, one wave, the report."""
    words = CAMPAIGN_WORDS[lang]
    page.goto(f"/outreach/campaigns/?location={location.pk}")
    expect(page.locator("h1")).to_have_text(words["list"])
    page.get_by_role("link", name=words["new"]).click()
    page.fill("#id_name", "Colorectal screening")
    page.fill("#id_purpose", "Patients aged 50 to 75")
    page.fill("#id_email_subject_en", "Time for your screening")
    page.fill("#id_email_body_en", "Dear {{ patient.first_name }}, call {{ practice.phone }} to book.")
    page.fill("#id_email_subject_es", "Hora de su prueba")
    page.fill("#id_email_body_es", "Estimado/a {{ patient.first_name }}, llame al {{ practice.phone }}.")
    page.fill("#id_cost_email", "0.01")
    page.fill("#id_age_min", "50")
    page.fill("#id_age_max", "75")
    page.locator("#id_age_max").press("Tab")
    expect(page.locator("#cohort-count")).to_contain_text(words["count"])
    page.screenshot(path=str(folder / "campaign-form.png"), full_page=True)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("h1")).to_contain_text("Colorectal screening")

    page.get_by_role("button", name=words["choose"]).click()
    expect(page.locator("#members tbody tr")).to_have_count(3)
    page.locator("#members tr", has_text="Cruz").get_by_role("button", name=words["leave"]).click()
    page.screenshot(path=str(folder / "campaign-review.png"), full_page=True)
    page.get_by_role("button", name=words["approve"]).click()
    page.fill("#id_size", "10")
    page.get_by_role("button", name=words["wave"]).click()
    expect(page.locator("#flashes")).to_contain_text(words["queued"])
    page.screenshot(path=str(folder / "campaign-wave.png"), full_page=True)
    page.get_by_role("link", name=words["report"], exact=True).click()
    expect(page.locator("#report-reach")).to_be_visible()
    page.screenshot(path=str(folder / "campaign-report.png"), full_page=True)
    page.goto(f"/outreach/campaigns/?location={location.pk}")
    page.screenshot(path=str(folder / "campaign-list.png"), full_page=True)

    campaign = Campaign.objects.get()
    assert list(Message.objects.values_list("patient_id", flat=True)) == [ana.pk]
    assert CampaignMember.objects.get(campaign=campaign, patient=bea).state == MemberState.NOT_CONTACTABLE
    assert CampaignMember.objects.filter(campaign=campaign, excluded=True).count() == 1
    page_problems.assert_none()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_runs_a_workshop_and_a_small_campaign(page, page_problems, sign_in_as, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York", address_line="1 Main St",
                               phone="(212) 555-0100")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, language=lang)
    # The workshop's patient (born 1980 by the factory: outside the campaign's 50-75 cohort).
    PatientFactory(home_location=location, given_name="Lucía", family_name="Reyes", preferred_language="es")
    # The campaign's patients.
    ana = PatientFactory(home_location=location, given_name="Ana", family_name="Alba", birth_date=dt.date(1962, 3, 1),
                         email="ana@example.org", email_opt_in=True)
    ConsentRecord.objects.create(patient=ana, channel="email", purpose="outreach", granted=True, source="desk",
                                 at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    bea = PatientFactory(home_location=location, given_name="Bea", family_name="Bravo", birth_date=dt.date(1958, 7, 2),
                         email="bea@example.org", email_opt_in=True)  # no consent to outreach: gets nothing
    PatientFactory(home_location=location, given_name="Carl", family_name="Cruz", birth_date=dt.date(1970, 1, 9))
    PatientFactory(home_location=location, given_name="Kid", family_name="Young", birth_date=dt.date(2016, 1, 1))
    folder = ARTIFACTS / lang / "outreach"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    sign_in_as(page, coordinator)

    _workshop(page, page_problems, location, lang, folder)
    _campaign(page, page_problems, location, lang, folder, ana, bea)
