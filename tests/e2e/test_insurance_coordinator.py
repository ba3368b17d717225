"""A coordinator's morning in a browser, in English and Spanish (#18 "Done when"): sees tomorrow's coverage
checks, resolves an inactive coverage (the patient's new card: the old coverage ended, the new one added, checked
again through the local clearinghouse), adds the payer's prior authorization for the MRI, and the appointment
becomes ready for the visit. Screens photographed under /tmp/h/shots_referrals (or CLINICDESK_SHOTS)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.insurance import services as insurance
from clinicdesk.insurance.models import PayerRule
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.scheduling.models import Appointment, ChecklistItem
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    OrganizationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
)
from tests.insurance.clearinghouse import PASSWORD, USERNAME, ClearinghouseHTTP

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS")
             or Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
TOMORROW = dt.date(2026, 11, 24)  # the clock fixture stands at 2026-11-23 15:00 UTC
WORDS = {"en": {"inactive": "Inactive", "active": "Active", "check": "Check now", "auths": "Authorizations",
                "approved": "Approved", "save": "Save the authorization", "end": "End insurance coverage"},
         "es": {"inactive": "Inactiva", "active": "Activa", "check": "Verificar ahora", "auths": "Autorizaciones",
                "approved": "Aprobada", "save": "Guardar la autorización", "end": "Terminar la cobertura"}}


@pytest.fixture
def clearinghouse(settings):
    with ClearinghouseHTTP() as server:
        settings.CLEARINGHOUSE_CORE_URL = server.url
        settings.CLEARINGHOUSE_USERNAME = USERNAME
        settings.CLEARINGHOUSE_PASSWORD = PASSWORD
        settings.CLEARINGHOUSE_TIMEOUT_SECONDS = 5
        yield server


def _shot(page, name: str, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.screenshot(path=str(SHOTS / f"insurance-{name}-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_coordinator_resolves_coverage_and_adds_an_authorization(page, page_problems, sign_in_as, clock, clearinghouse,
                                                                 live_server, lang):
    organization = OrganizationFactory()
    organization.npi = "1234567893"
    organization.save(update_fields=["npi"])
    location = LocationFactory(name="Downtown", time_zone="America/New_York", organization=organization)
    provider = PractitionerFactory()
    payer = Payer.objects.create(name="Clearwater Health Plan", payer_code="CWH01")
    mri = AppointmentTypeFactory(code="mri-knee", name="MRI knee", name_es="Resonancia de rodilla",
                                 duration_minutes=30, checklist=[ChecklistItem.PRIOR_AUTH])
    patient = PatientFactory(home_location=location, family_name="Garcia", given_name="Ana")
    old = Coverage.objects.create(patient=patient, payer=payer, member_id="INACT0042", start_date=dt.date(2025, 1, 1))
    appointment = AppointmentFactory(patient=patient, location=location, practitioner=provider, appointment_type=mri,
                                     start=dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC))
    PayerRule.objects.create(payer=payer, appointment_type=mri, needs_prior_auth=True, updated_at=clock.now(),
                             note="MRI of a lower joint")
    coordinator = UserFactory(role=Role.PATIENT_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    insurance.referral_add(actor=coordinator, data=insurance.ReferralInput(
        patient_id=patient.pk, referring_name="Dr. Lee", referring_npi="1234567893", reason="Knee pain",
        visits_authorized=3, valid_from="2026-11-01", valid_to="2027-01-31", diagnosis_codes="M25.561"))
    insurance.outgoing_referral_send(actor=coordinator, data=insurance.OutgoingInput(
        patient_id=patient.pk, location_id=location.pk, specialist_name="Dr. Ortiz", specialty="Orthopedics",
        reason="Possible meniscus repair", diagnosis_codes="M23.2"))
    # Last evening's batch: the payer said the coverage is not active.
    insurance.eligibility_verify(actor=coordinator, appointment_id=appointment.pk, channel="realtime")
    words = WORDS[lang]

    sign_in_as(page, coordinator)
    page.goto(f"{live_server.url}/insurance/?day={TOMORROW.isoformat()}")
    row = page.locator(f"tr[data-appointment='{appointment.pk}']")
    expect(row).to_contain_text("Garcia")
    expect(row.locator("[data-kind='eligibility']")).to_have_text(words["inactive"])
    _shot(page, "day-inactive", lang)

    # The patient's new card: the old coverage ends today, the new one is added, and the check is asked again.
    page.goto(f"{live_server.url}/patients/{patient.pk}/insurance/{old.pk}/end/")
    page.fill("#id_end_date", "2026-11-23")
    page.locator("form button[type='submit']").last.click()
    page.goto(f"{live_server.url}/patients/{patient.pk}/insurance/new/")
    page.select_option("#id_payer", label="Clearwater Health Plan")
    page.fill("#id_member_id", "W987654321")
    page.fill("#id_start_date", "2026-11-24")
    page.locator("form button[type='submit']").last.click()
    assert Coverage.objects.filter(patient=patient, member_id="W987654321").exists()
    page.goto(f"{live_server.url}/insurance/?day={TOMORROW.isoformat()}")
    row.get_by_role("button", name=words["check"]).click()
    expect(row.locator("[data-kind='eligibility']")).to_have_text(words["active"])
    _shot(page, "day-active", lang)

    # The worklist names the visit: the payer needs a prior authorization and none is approved.
    page.goto(f"{live_server.url}/insurance/worklist/")
    expect(page.locator(f"#problems tr[data-appointment='{appointment.pk}']")).to_contain_text("Garcia")
    _shot(page, "worklist-missing", lang)

    # The payer approved the MRI on the phone: the coordinator records it; the visit is then ready.
    assert not Appointment.objects.get(pk=appointment.pk).ready_for_visit
    page.goto(f"{live_server.url}/insurance/?day={TOMORROW.isoformat()}")
    row.get_by_role("link", name=words["auths"]).click()
    page.fill("#auth-codes", "73721")
    page.fill("#auth-reason", "Suspected meniscus tear; six weeks of physiotherapy failed.")
    page.locator(f"input[name='appointments'][value='{appointment.pk}']").first.check()
    page.select_option("#auth-status", "approved")
    page.fill("#auth-number", "PA-778899")
    page.fill("#auth-approved", "1")
    page.fill("#auth-valid-from", "2026-11-23")
    page.fill("#auth-valid-to", "2026-12-31")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("[data-kind='authorization']").first).to_have_text(words["approved"])
    _shot(page, "patient", lang)
    assert Appointment.objects.get(pk=appointment.pk).ready_for_visit
    page.goto(f"{live_server.url}/insurance/worklist/")
    _shot(page, "worklist", lang)
    page.goto(f"{live_server.url}/insurance/rules/")
    _shot(page, "rules", lang)
    page_problems.assert_none()
