"""Payment reports in a browser, in English and Spanish: the practice coordinator opens them from the menu, reads
the A/R aging (Chart.js draws under the CSP), the deposits, and downloads a table as CSV. Screenshots go under the
test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from tests.billing.report_world import build_world
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "var" /
                 "test-artifacts")
WORDS = {"en": {"menu": "Payment reports", "aging": "A/R aging", "deposits": "Deposits", "patient": "Patient"},
         "es": {"menu": "Informes de pagos", "aging": "Antigüedad de saldos", "deposits": "Depósitos",
                "patient": "Paciente"}}


def _shoot(page, lang: str, name: str) -> None:
    folders = [ARTIFACTS / lang / "billing"]
    if os.environ.get("CLINICDESK_SHOTS"):
        folders.append(Path(os.environ["CLINICDESK_SHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{lang}-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_coordinator_reads_the_aging_and_exports_it(page, page_problems, sign_in_as, location, other_location,
                                                        clock, lang):
    build_world(location, other_location)
    words = WORDS[lang]
    user = UserFactory(role=Role.PRACTICE_COORDINATOR, first_name="Pat", location=location, language=lang)
    sign_in_as(page, user)
    page.locator('#main-menu a[data-screen="payments"]').click()
    expect(page.locator("h1")).to_contain_text(words["menu"])
    expect(page.locator('canvas[data-chart="chart-totals-data"]')).to_have_attribute("data-drawn", "1")
    _shoot(page, lang, "payment-reports-day-sheet")

    page.get_by_role("link", name=words["aging"], exact=True).click()
    expect(page.locator('canvas[data-chart="chart-buckets-data"]')).to_have_attribute("data-drawn", "1")
    expect(page.locator('canvas[data-chart="chart-by-payer-data"]')).to_have_attribute("data-drawn", "1")
    expect(page.locator('table[data-table="by-patient"]')).to_contain_text("Bravo, Ben")
    _shoot(page, lang, "payment-reports-aging")

    with page.expect_download() as caught:
        page.locator('#chart-by-patient a[data-csv="by-patient"]').click()
    rows = list(csv.reader(io.StringIO(Path(caught.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][0] == words["patient"]
    assert [row[0] for row in rows[1:3]] == ["Uptown, Dan", "Bravo, Ben"]  # the whole practice, largest first

    page.get_by_role("link", name=words["deposits"], exact=True).click()
    expect(page.locator('canvas[data-chart="chart-deposits-data"]')).to_have_attribute("data-drawn", "1")
    _shoot(page, lang, "payment-reports-deposits")
    page_problems.assert_none()
