"""Payers in a browser, in English and Spanish (#18 item 1): a billing user opens the payer list, a payer's page
with its plans, adds a plan, and the desk's insurance form offers it. Screens photographed under the test
artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import FormTemplate, Payer, PayerPlan
from clinicdesk.patients.seed import seed_reference_data
from clinicdesk.patients.services import payer_plan_create, payer_update
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": ("Payers", "Add a plan", "Add the plan", "Clearinghouse, real time"),
         "es": ("Pagadores", "Agregar un plan", "Agregar el plan", "Cámara de compensación, en tiempo real")}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_billing_keeps_payers_and_plans_and_the_desk_sees_them(page, page_problems, sign_in_as, clock, lang):
    seed_reference_data(Payer, FormTemplate)  # the live server's database is flushed between tests
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    billing = UserFactory(role=Role.BILLING, location=location, first_name="Bea", last_name="Biller", language=lang)
    aetna = Payer.objects.get(name="Aetna")
    payer_update(actor=billing, payer_id=aetna.pk, address_line="PO Box 981106", city="El Paso", state="TX",
                 postal_code="79998-1106", phone="800 872 3862")
    payer_plan_create(actor=billing, payer_id=aetna.pk, name="Open Access Managed Choice", plan_type="epo",
                      network_id="AET-OAMC")
    folder = ARTIFACTS / lang / "payers"
    folder.mkdir(parents=True, exist_ok=True)
    title, add_plan, add_the_plan, realtime = WORDS[lang]
    sign_in_as(page, billing, wide=True, slow_server=True)

    page.goto("/patients/payers/")
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("table.grid")).to_contain_text(realtime)
    page.screenshot(path=str(folder / "list.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.goto(f"/patients/payers/{aetna.pk}/")
    expect(page.locator("#plans")).to_contain_text("Open Access Managed Choice")
    page.get_by_role("link", name=add_plan).first.click()
    page.get_by_label("Plan name" if lang == "en" else "Nombre del plan").fill("Choice POS II")
    page.locator("#id_plan_type").select_option("pos")
    page.get_by_role("button", name=add_the_plan).click()
    expect(page.locator("#plans")).to_contain_text("Choice POS II")
    page.screenshot(path=str(folder / "detail.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    assert PayerPlan.objects.filter(payer=aetna).count() == 2

    page.goto(f"/patients/payers/{aetna.pk}/edit/")
    page.screenshot(path=str(folder / "edit.png"), full_page=True)
    page_problems.assert_none()

    desk = UserFactory(role=Role.FRONT_DESK, location=location, language=lang)
    patient = PatientFactory(home_location=location)
    page.context.clear_cookies()
    sign_in_as(page, desk)
    page.goto(f"/patients/{patient.pk}/insurance/new/")
    expect(page.locator("#id_plan optgroup[label='Aetna'] option")).to_have_count(2)
    page.screenshot(path=str(folder / "coverage_form.png"), full_page=True)
