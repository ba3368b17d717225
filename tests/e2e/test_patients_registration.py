"""The front desk registers a patient with insurance, has the NPP signed, is warned about a second chart
for the same person (a typo in the name, day and month swapped), saves it anyway, and merges the two charts."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import FormTemplate, Patient, Payer
from clinicdesk.patients.seed import seed_reference_data
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Browser tests flush the database between tests, seeded payers and forms included."""
    seed_reference_data(Payer, FormTemplate)


@pytest.fixture(autouse=True)
def documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def _serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
            if v.get("impact") in {"serious", "critical"}]


def _register(page, *, given: str, birth_date: str) -> None:
    page.goto("/patients/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Last name", exact=True).fill("Quintero")
    page.get_by_label("First name", exact=True).fill(given)
    page.get_by_label("Date of birth", exact=True).fill(birth_date)
    page.get_by_label("Sex", exact=True).select_option("female")
    page.get_by_label("Phone", exact=True).fill("413-555-0147")
    page.get_by_role("button", name=re.compile("^Register")).click()


def test_front_desk_registers_signs_is_warned_of_a_duplicate_and_the_charts_are_merged(
        page, page_problems, sign_in_as, live_server):
    location = LocationFactory(name="Downtown")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    sign_in_as(page, clerk)

    # 1. Register and land on the new chart.
    _register(page, given="Marisol", birth_date="03/07/1984")
    page.wait_for_url(re.compile(r"/patients/\d+/$"))
    first = Patient.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quintero, Marisol")
    expect(page.locator("#patient-mrn")).to_have_text(first.mrn)
    expect(page.locator("#chart-alerts")).to_contain_text("No active insurance on file.")
    assert not _serious(page)

    # 2. Insurance on file.
    page.get_by_role("link", name="Add insurance").click()
    page.get_by_label("Payer", exact=True).select_option(label="Aetna")
    page.get_by_label("Member id").fill("W123456789")
    page.get_by_label("Effective date").fill("01/01/2026")
    page.get_by_label("Co-pay, primary care ($)").fill("25")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#coverages")).to_contain_text("Aetna")
    expect(page.locator("#coverages")).to_contain_text("W123456789")

    # 3. The Notice of Privacy Practices, signed by drawing in the box (static JS, no inline script).
    page.get_by_role("link", name="Sign a form").click()
    page.get_by_label("Form", exact=True).select_option(
        label="HIPAA Notice of Privacy Practices acknowledgment (v1, en)")
    canvas = page.locator("#signature-canvas")
    # The deferred script may still be loading on a busy machine: strokes drawn before it
    # listens are lost, so wait for it to say it is listening.
    expect(canvas).to_have_attribute("data-signature-ready", "true")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 80)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 80 + (15 if step % 2 else -15))
    page.mouse.up()
    expect(page.get_by_label("Drawn")).to_be_checked()
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("#signed-forms")).to_contain_text("HIPAA Notice of Privacy Practices acknowledgment")
    expect(page.locator("#chart-alerts")).not_to_contain_text("Notice of Privacy Practices")
    assert first.signed_forms.get().signature_kind == "drawn"

    # 4. The same person again: a typo in the first name, day and month swapped.
    _register(page, given="Marisool", birth_date="07/03/1984")
    warning = page.get_by_role("alert").filter(has_text="may already have a chart")
    expect(warning).to_be_visible()
    expect(page.locator("#match-list")).to_contain_text(first.mrn)
    expect(page.locator("#match-list")).to_contain_text("date of birth with day and month swapped")
    assert Patient.objects.count() == 1  # nothing saved before the warning is answered
    assert not _serious(page)
    page.get_by_label("Reason to register anyway").fill("Patient insists it is a different person")
    page.get_by_role("button", name="Register anyway").click()
    page.wait_for_url(re.compile(r"/patients/\d+/$"))
    second = Patient.objects.exclude(pk=first.pk).get()
    page_problems.assert_none()

    # 5. The same front-desk user puts it right: the duplicate just registered is merged into the first chart
    #    from the duplicate-review worklist (the front desk may merge away a chart from the last 24 hours).
    page.goto("/patients/")
    page.get_by_role("link", name="Duplicate review").click()
    expect(page.locator("#recent-only")).to_be_visible()
    row = page.locator("#duplicate-pairs tbody tr").filter(has_text=second.mrn)
    expect(row).to_contain_text(first.mrn)
    row.get_by_role("link", name="Review").click()
    page.get_by_label(re.compile(f"MRN {first.mrn}")).check()
    page.get_by_label("Reason", exact=True).first.fill("Same person: checked photo ID")
    page.get_by_role("button", name="Merge charts").click()
    page.wait_for_url(re.compile(rf"/patients/{first.pk}/$"))
    expect(page.locator("#coverages")).to_contain_text("Aetna")
    page.goto(f"/patients/{second.pk}/")
    expect(page.locator("#chart-alerts")).to_contain_text(f"merged into MRN {first.mrn}")
    page.goto("/patients/")
    page.locator("#id_q").fill("Quintero")
    page.locator("form.search-form").get_by_role("button", name="Search").click()
    expect(page.locator("#patient-results tbody tr")).to_have_count(1)
    page_problems.assert_none()
    second.refresh_from_db()
    assert second.merged_into_id == first.pk and not second.active
