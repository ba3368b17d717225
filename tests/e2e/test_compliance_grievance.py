"""Compliance in a browser, in English and Spanish: a coordinator logs a complaint, marks it a grievance, sends the
written acknowledgement and answers it with a resolution letter (a PDF stored on the patient's chart). Every
compliance screen is photographed under the test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.compliance import services
from clinicdesk.compliance.models import Complaint, ComplaintStatus
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": ("Compliance", "Log a complaint", "Grievance", "Acknowledgement", "Resolution"),
         "es": ("Cumplimiento", "Registrar una queja", "Reclamo formal", "Acuse de recibo", "Resolución")}


def _others(location, coordinator, desk, patient):
    """Something on every other screen: an incident with an action, a release request, a breach."""
    incident = services.incident_report(actor=desk, location_id=location.pk, kind="workplace", severity="minor",
                                        what="A box fell from the top shelf.", place="Supply room",
                                        occurred_at=dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC))
    services.incident_review(actor=coordinator, incident_id=incident.pk, notes="Heavy boxes stored high.")
    services.corrective_action_add(actor=coordinator, incident_id=incident.pk, description="Store heavy boxes low",
                                   owner_id=desk.pk, due_on=dt.date(2026, 11, 30))
    request = services.rights_request_log(
        actor=coordinator, location_id=location.pk, patient_mrn=patient.mrn, kind="release",
        details="Labs to the new cardiologist", recipient="Harbor Heart Associates",
        authorization_signed_on=dt.date(2026, 11, 20), authorization_expires_on=dt.date(2027, 5, 20),
        authorization_covers=["labs"], received_on=dt.date(2026, 10, 1))
    breach = services.breach_log(actor=coordinator, location_id=location.pk, discovered_on=dt.date(2026, 10, 1),
                                 individuals_affected=640, description="Statements mailed to the wrong addresses.")
    return incident, request, breach


def _shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_answers_a_grievance_in_writing(page, page_problems, sign_in_as, clock, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    desk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Fran", last_name="Desk")
    patient = PatientFactory(home_location=location, given_name="Ana", family_name="Garcia",
                             preferred_language=lang, address_line="12 Elm St", city="Springfield", state="MA",
                             postal_code="01103")
    incident, request, breach = _others(location, coordinator, desk, patient)
    folder = ARTIFACTS / lang / "compliance"
    folder.mkdir(parents=True, exist_ok=True)
    title, log_label, grievance_word, ack_word, resolution_word = WORDS[lang]
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in_as(page, coordinator)

    page.goto(f"/compliance/?location={location.pk}")
    expect(page.locator("h1")).to_contain_text(title)
    page.get_by_role("link", name=log_label).first.click()
    page.fill("#id_patient_mrn", patient.mrn)
    page.select_option("#id_channel", "phone")
    page.select_option("#id_topic", "billing")
    page.fill("#id_summary", "Billed twice for the October visit; nobody at the desk could fix it.")
    _shot(page, folder, "complaint-new")
    page.locator("form.config-form button[type=submit]").click()
    complaint = Complaint.objects.get()
    expect(page.locator("h1")).to_contain_text(str(complaint))
    _shot(page, folder, "complaint-open")
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.locator("input[name=basis][value=not-resolved]").check()
    page.locator("form[action$='/grievance/'] button").click()
    expect(page.locator("h1")).to_contain_text(grievance_word)
    expect(page.locator("#ack-clock")).to_contain_text("11/30/2026" if lang == "en" else "30/11/2026")
    page.locator("form[action$='/acknowledge/'] button").click()
    expect(page.locator("#letters, #clocks")).to_contain_text(ack_word)
    page.fill("#id_steps_taken", "Checked the ledger and the claim; spoke with the billing office.")
    page.fill("#id_results", "The second charge was an error; it was reversed and the statement corrected.")
    page.fill("#id_contact_person", "Pat Coordinator, practice coordinator")
    page.locator("form[action$='/answer/'] button").click()
    expect(page.locator("#clocks")).to_contain_text(resolution_word)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    letters = list(complaint.letters.order_by("pk"))
    assert [letter.language for letter in letters] == [lang, lang]
    assert Document.objects.filter(patient=patient, content_type="application/pdf").count() == 2
    _shot(page, folder, "complaint-answered")
    letter_url = page.locator("#clocks a").last.get_attribute("href")
    letter = page.request.get(letter_url)
    assert letter.ok and letter.headers["content-type"] == "application/pdf"

    for name, url in (("dashboard", f"/compliance/?location={location.pk}"),
                      ("complaints", "/compliance/complaints/?show=all"),
                      ("incidents", "/compliance/incidents/"), ("incident", f"/compliance/incidents/{incident.pk}/"),
                      ("incident-new", "/compliance/incidents/new/"), ("requests", "/compliance/requests/"),
                      ("request", f"/compliance/requests/{request.pk}/"), ("request-new", "/compliance/requests/new/"),
                      ("disclosures", "/compliance/disclosures/"), ("disclosure-new", "/compliance/disclosures/new/"),
                      ("breaches", "/compliance/breaches/"), ("breach", f"/compliance/breaches/{breach.pk}/"),
                      ("breach-new", "/compliance/breaches/new/")):
        page.goto(url)
        _shot(page, folder, name)
        blocking, report = _blocking_violations(page)
        assert not blocking, f"{name}: {report}"
    page.goto(f"/compliance/?location={location.pk}")
    expect(page.locator("tr[data-state=overdue]").first).to_be_visible()
    page_problems.assert_none()
