"""Contact preferences on the chart in a browser, in English and Spanish (#24 item 5): the desk sees who may be
contacted for what by which channel, records a consent from a signed form, and sees it in the history. Each screen
is photographed (under the test artifacts, and CLINICDESK_SHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.comms.models import ConsentRecord
from clinicdesk.comms.services import sms_reply_receive
from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": {"title": "Contact preferences", "record": "Record consent", "done": "Consent recorded.",
                "written": "Written form", "outreach": "Outreach and marketing"},
         "es": {"title": "Preferencias de contacto", "record": "Registrar consentimiento",
                "done": "Consentimiento registrado.",
                "written": "Formulario escrito", "outreach": "Difusión y publicidad"}}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_desk_records_a_consent_on_the_contact_preferences_page(page, page_problems, sign_in_as, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Carla", last_name="Desk", language=lang)
    patient = PatientFactory(home_location=location, given_name="Lucía", family_name="Reyes", phone="(413) 555-0150",
                             email="lucia@example.org", sms_opt_in=True, email_opt_in=True, address_line="12 Elm St",
                             city="Springfield", state="MA", postal_code="01103")
    sms_reply_receive(from_number="+14135550150", body="STOP")
    sms_reply_receive(from_number="+14135550150", body="START")
    words = WORDS[lang]
    sign_in_as(page, clerk, wide=True, slow_server=True)

    page.goto(f"/patients/{patient.pk}/")
    page.locator("a", has_text=words["title"]).first.click()
    expect(page.locator("h1").last).to_contain_text(words["title"])
    page.select_option("#id_purpose", "outreach")
    page.select_option("#id_channel", "email")
    page.select_option("#id_source", "written")
    page.fill("#id_note", "Signed form, 11/23" if lang == "en" else "Formulario firmado, 23/11")
    page.get_by_role("button", name=words["record"]).click()
    expect(page.locator("body")).to_contain_text(words["done"])
    expect(page.locator("#consent-history-table")).to_contain_text(words["written"])
    row = page.locator('#consent-grid tr[data-purpose="outreach"] td[data-channel="email"]')
    expect(row.locator(".badge")).to_have_count(1)
    assert ConsentRecord.objects.filter(patient=patient, purpose="outreach", channel="email", granted=True).exists()
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    folder = ARTIFACTS / lang
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"contact-preferences-{lang}.png"), full_page=True)
    page_problems.assert_none()
