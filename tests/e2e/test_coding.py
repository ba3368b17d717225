"""Coding a visit in a browser, in English and Spanish (#19): the biller opens the worklist, codes a fulfilled
visit with the ICD-10-CM type-ahead, posts it and sees the coded charge on the patient's account. Screens
photographed under the test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.billing import codesets
from clinicdesk.billing.models import EntryKind, LedgerEntry
from clinicdesk.core.permissions import Role
from tests.billing.factories import fee_schedule, fulfilled_visit
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": ("Visits to code", "Code the visit", "Save and post the charges", "Essential (primary) hypertension"),
         "es": ("Consultas por codificar", "Codificar la consulta", "Guardar y registrar los cargos",
                "Essential (primary) hypertension")}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_biller_codes_a_visit_and_posts_its_charges(page, page_problems, sign_in_as, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    biller = UserFactory(role=Role.BILLING, location=location, first_name="Bea", last_name="Biller", language=lang)
    fee_schedule(biller)
    patient = PatientFactory(home_location=location, family_name="Quillfeather", given_name="Ana")
    visit = fulfilled_visit(location, usual=["99213"], biller=biller, patient=patient)
    fulfilled_visit(location, hour=17, patient=PatientFactory(home_location=location, family_name="Okafor",
                                                              given_name="Ben"))
    listed, start, post, words = WORDS[lang]
    codesets.icd_search("warm")  # the code set's index is built once per process: not inside the type-ahead's wait
    sign_in_as(page, biller, wide=True)
    shots = ARTIFACTS
    shots.mkdir(parents=True, exist_ok=True)

    page.goto(f"/billing/coding/?location={location.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(listed)
    page.screenshot(path=str(shots / f"coding-worklist-{lang}.png"), full_page=True)

    page.locator(f'tr[data-appointment="{visit.pk}"]').get_by_role("button", name=start).click()
    dx1 = page.locator("input[name=dx1]")
    dx1.fill("essential hypert")
    expect(page.locator("#icd-options option[value='I10']")).to_have_count(1)
    dx1.fill("I10")
    page.locator("input[name=dx2]").fill("E11.9")
    page.locator("input[name='line1-pointers']").fill("1,2")
    page.screenshot(path=str(shots / f"coding-superbill-form-{lang}.png"), full_page=True)
    page.get_by_role("button", name=post).click()
    expect(page.locator("#diagnoses")).to_contain_text(words)
    page.screenshot(path=str(shots / f"coding-superbill-posted-{lang}.png"), full_page=True)
    assert LedgerEntry.objects.filter(kind=EntryKind.CHARGE, patient=patient).count() == 1

    page.goto(f"/billing/patients/{patient.pk}/")
    expect(page.locator(".coded")).to_contain_text("I10")
    page.screenshot(path=str(shots / f"coding-account-{lang}.png"), full_page=True)
    page.goto("/billing/fees/")
    page.screenshot(path=str(shots / f"coding-fee-schedule-{lang}.png"), full_page=True)
    page.goto("/billing/fees/usual/")
    page.screenshot(path=str(shots / f"coding-usual-codes-{lang}.png"), full_page=True)
    page_problems.assert_none()
