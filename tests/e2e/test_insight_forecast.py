"""The demand forecast in a browser, in English and Spanish: the practice coordinator opens it from the menu, filters
a location, sees the weeks over capacity with the suggested extra sessions, and downloads the numbers as CSV.
Chart.js draws under the CSP (no console errors); screenshots go under the test artifacts (and CLINICDESK_SHOTS)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.insight.forecast.services import demand_forecast_compute
from tests.factories import LocationFactory, UserFactory
from tests.insight.forecast_world import FIRST_WEEK, build_history

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "var" /
                 "test-artifacts")
WORDS = {"en": {"menu": "Demand forecast", "show": "Show", "flagged": "1 session of Follow-up", "yes": "Yes"},
         "es": {"menu": "Previsión de demanda", "show": "Mostrar", "flagged": "1 media jornada de Follow-up",
                "yes": "Sí"}}


def _shoot(page, lang: str, name: str) -> None:
    folders = [ARTIFACTS / lang / "insight"]
    if os.environ.get("CLINICDESK_SHOTS"):
        folders.append(Path(os.environ["CLINICDESK_SHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{lang}-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_coordinator_sees_a_week_over_capacity_and_exports_it(page, page_problems, sign_in_as, clock, lang):
    downtown = LocationFactory(name="Downtown", time_zone="America/New_York")
    LocationFactory(name="Uptown", time_zone="America/Chicago")
    build_history(downtown)
    demand_forecast_compute(actor=None)
    words = WORDS[lang]
    sign_in_as(page, UserFactory(role=Role.PRACTICE_COORDINATOR, first_name="Pat", language=lang, location=downtown))
    page.goto("/")
    page.locator('#main-menu a[data-screen="forecast"]').click()
    expect(page.locator("h1")).to_contain_text(words["menu"])
    page.select_option("#f-location", str(downtown.pk))
    page.get_by_role("button", name=words["show"]).click()
    expect(page.locator("h1")).to_contain_text("Downtown")
    expect(page.locator('canvas[data-forecast="forecast-data"]')).to_have_attribute("data-drawn", "1")
    flagged = page.locator(f'#forecast-capacity tr[data-week="{FIRST_WEEK.isoformat()}"]')
    expect(flagged).to_contain_text(words["flagged"])
    page.locator("#forecast-chart details summary").click()
    _shoot(page, lang, "forecast")

    with page.expect_download() as caught:
        page.locator('a[data-csv="forecast"]').click()
    rows = list(csv.reader(io.StringIO(Path(caught.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 13 and rows[1][0] == FIRST_WEEK.isoformat() and rows[1][-1] == words["yes"]

    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page_problems.assert_none()
