"""Correspondence in a browser, in English and Spanish (#24): a coordinator writes a letter from a template to a
patient and sees the PDF on the chart, then logs an incoming fax and files it to a patient. Each screen is
photographed (under the test artifacts, and CLINICDESK_SHOTS when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.comms.compose import compose_templates_seed
from clinicdesk.comms.models import ComposeTemplate, Correspondence, IncomingItem
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WORDS = {
    "en": {"compose": "Write to patients", "search": "Search", "write": "Write the letter", "letter": "Letter (PDF)",
           "log": "Log it", "save": "Save", "incoming": "Incoming mail", "filed": "filed on the chart"},
    "es": {"compose": "Escribir a pacientes", "search": "Buscar", "write": "Escribir la carta",
           "letter": "Carta (PDF)", "log": "Registrar", "save": "Guardar", "incoming": "Correo entrante",
           "filed": "archivado en el expediente"},
}


def _shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_writes_a_letter_and_files_an_incoming_fax(page, page_problems, sign_in_as, tmp_path, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York", phone="(413) 555-0100",
                               address_line="1 Main St", city="Springfield", state="MA", postal_code="01103")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    lucia = PatientFactory(home_location=location, given_name="Lucía", family_name="Reyes", preferred_language="es",
                           address_line="12 Elm St", city="Springfield", state="MA", postal_code="01103")
    compose_templates_seed()  # the live server's database is emptied between tests
    words = WORDS[lang]
    folder = ARTIFACTS / lang / "correspondence"
    folder.mkdir(parents=True, exist_ok=True)
    sign_in_as(page, coordinator, wide=True, slow_server=True)

    # write a letter from a template
    page.goto(f"/messages/compose/?location={location.pk}&channel=letter")
    expect(page.locator("h1")).to_contain_text(words["compose"])
    page.fill("#patient-search", "Reyes")
    page.locator("form[role=search]").get_by_role("button", name=words["search"]).click()
    page.locator("#found-patients a").first.click()
    expect(page.locator("#compose-form")).to_contain_text("Reyes, Lucía")
    template = ComposeTemplate.objects.get(seed_key="balance-letter")
    page.select_option("#id_template", str(template.pk))
    _shot(page, folder, "compose")
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page.get_by_role("button", name=words["write"]).click()
    expect(page.locator("#sent")).to_contain_text(words["letter"])
    _shot(page, folder, "sent")
    letter = Correspondence.objects.get()
    assert letter.language == "es" and letter.subject.startswith("Su saldo")
    document = Document.objects.get(pk=letter.document_id, patient=lucia)

    # the PDF is on the chart
    page.goto(f"/patients/{lucia.pk}/")
    expect(page.locator(f"#documents a[href='/patients/documents/{document.pk}/']")).to_be_visible()
    expect(page.locator("#documents")).to_contain_text(letter.subject)
    _shot(page, folder, "chart")

    # the templates screen
    page.goto("/messages/compose/templates/")
    expect(page.locator("#templates")).to_contain_text("Balance letter")
    _shot(page, folder, "templates")
    page.goto(f"/messages/compose/templates/{template.pk}/")
    _shot(page, folder, "template")

    # an incoming fax, filed to the patient
    scan = tmp_path / "fax.pdf"
    scan.write_bytes(PDF)
    page.goto(f"/messages/incoming/new/?location={location.pk}")
    page.select_option("#id_medium", "fax")
    page.select_option("#id_kind", "results")
    page.fill("#id_sender", "Quest Diagnostics")
    page.set_input_files("#id_file", str(scan))
    page.select_option("#id_pool", "records")
    _shot(page, folder, "incoming_new")
    page.get_by_role("button", name=words["log"]).click()
    expect(page.locator("#item-state")).to_be_visible()
    item = IncomingItem.objects.get()
    page.fill("#patient-search", "Reyes")
    page.locator("form[role=search]").get_by_role("button", name=words["search"]).click()
    page.locator("#incoming-update").get_by_role("button", name=words["save"]).click()
    expect(page.locator("#item-patient")).to_contain_text("Reyes, Lucía")
    expect(page.locator("main")).to_contain_text(words["filed"])
    _shot(page, folder, "incoming_item")
    item.refresh_from_db()
    assert item.patient == lucia and Document.objects.filter(patient=lucia, kind="lab-report").exists()
    page.goto(f"/messages/incoming/?location={location.pk}")
    expect(page.locator("#incoming")).to_contain_text("Quest Diagnostics")
    _shot(page, folder, "incoming")
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page_problems.assert_none()
