"""A coordinator gets a surgical patient ready and follows a transfer, in a browser, in English and Spanish
(#18 items 8, 9): the readiness board shows the visit without a packet, the packet is started and an item
confirmed with the patient's lab report, and the transfer page offers its packet as PDF and FHIR. Screens
photographed under /tmp/h/shots_ready (or CLINICDESK_SHOTS)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.insurance import services as insurance
from clinicdesk.patients.models import Coverage, Document, Payer
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS")
             or Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": {"start": "Start the packet", "confirmed": "Confirmed", "accepted": "Accepted"},
         "es": {"start": "Iniciar el paquete", "confirmed": "Confirmado", "accepted": "Aceptado"}}


def _shot(page, name: str, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.screenshot(path=str(SHOTS / f"insurance-{name}-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_coordinator_readies_a_surgery_and_follows_a_transfer(page, page_problems, sign_in_as, clock, live_server,
                                                              lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    surgery = AppointmentTypeFactory(code="knee-scope", name="Knee arthroscopy", name_es="Artroscopia de rodilla",
                                     duration_minutes=60)
    patient = PatientFactory(home_location=location, family_name="Garcia", given_name="Ana")
    payer = Payer.objects.create(name="Clearwater Health Plan", payer_code="CWH01")
    Coverage.objects.create(patient=patient, payer=payer, member_id="W123456789", start_date=dt.date(2026, 1, 1))
    appointment = AppointmentFactory(patient=patient, location=location, practitioner=PractitionerFactory(),
                                     appointment_type=surgery, start=dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC))
    coordinator = UserFactory(role=Role.PATIENT_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    Document.objects.create(patient=patient, kind="lab-report", document_date=dt.date(2026, 11, 20),
                            description="CBC, BMP", storage_name="x", content_type="application/pdf", size=10,
                            sha256="0" * 64, uploaded_by=coordinator, uploaded_at=clock.now())
    editor = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)
    insurance.readiness_template_save(actor=editor, appointment_type_id=surgery.pk, items=insurance.default_template())
    facility = insurance.facility_save(actor=editor, data=insurance.FacilityInput(
        name="Riverside Rehabilitation", kind="rehab", npi="1234567893", phone="555-0150", payer_ids=[payer.pk]))
    transfer = insurance.transfer_request(actor=coordinator, data=insurance.TransferInput(
        patient_id=patient.pk, location_id=location.pk, facility_id=facility.pk, kind="transfer",
        reason="Rehabilitation after knee surgery", diagnosis_codes="Z96.651", planned_for="2026-11-30"))
    insurance.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status="accepted")
    words = WORDS[lang]

    sign_in_as(page, coordinator)
    page.goto(f"{live_server.url}/insurance/readiness/")
    row = page.locator(f"tr[data-appointment='{appointment.pk}']")
    expect(row).to_contain_text("Garcia")
    _shot(page, "readiness-board", lang)
    row.get_by_role("button", name=words["start"]).click()
    labs = page.locator("tr[data-item]").nth(1)
    labs.locator("select").select_option(index=1)  # the patient's lab report
    labs.get_by_role("button", name=words["confirmed"]).click()
    expect(page.locator("tr[data-item]").nth(1)).to_have_attribute("data-status", "done")
    expect(page.locator("tr[data-item]").nth(1)).to_contain_text("Pat Coordinator")
    _shot(page, "readiness-packet", lang)

    page.goto(f"{live_server.url}/insurance/transfers/{transfer.pk}/")
    expect(page.locator("#transfer-status")).to_contain_text(words["accepted"])
    expect(page.locator("#payer-accepted")).to_be_visible()
    _shot(page, "transfer", lang)
    page_problems.assert_none()
