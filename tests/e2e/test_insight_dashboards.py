"""The dashboards in a browser, in English and Spanish: the practice coordinator opens them from the menu, filters
a location, and exports a chart's numbers as CSV. Chart.js draws under the CSP (no console errors); screenshots
go under the test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from tests.factories import UserFactory
from tests.insight.dashboard_world import build

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "var" /
                 "test-artifacts")
WORDS = {"en": {"menu": "Dashboards", "show": "Show", "header": "Week starting", "volume": "Appointments per week"},
         "es": {"menu": "Paneles", "show": "Mostrar", "header": "Semana que empieza",
                "volume": "Citas por semana"}}


def _shoot(page, lang: str, name: str) -> None:
    folders = [ARTIFACTS / lang / "insight"]
    if os.environ.get("CLINICDESK_SHOTS"):
        folders.append(Path(os.environ["CLINICDESK_SHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{lang}-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_coordinator_filters_a_location_and_exports_a_chart(page, page_problems, sign_in_as, clock, lang):
    world = build()
    words = WORDS[lang]
    user = UserFactory(role=Role.PRACTICE_COORDINATOR, first_name="Pat", language=lang)
    sign_in_as(page, user)
    page.goto("/")
    page.locator('#main-menu a[data-screen="dashboards"]').click()
    expect(page.locator("h1")).to_contain_text(words["menu"])
    expect(page.locator('canvas[data-chart="chart-volume-data"]')).to_have_attribute("data-drawn", "1")
    _shoot(page, lang, "dashboards")

    page.select_option("#f-location", str(world.downtown.pk))
    page.get_by_role("button", name=words["show"]).click()
    expect(page.locator("h1")).to_contain_text("Downtown")
    expect(page.locator('canvas[data-chart="chart-noshow-data"]')).to_have_attribute("data-drawn", "1")
    table = page.locator("#chart-volume details")
    table.locator("summary").click()
    expect(table.locator("thead")).to_contain_text(words["header"])
    expect(table.locator("tbody")).not_to_contain_text("Uptown")
    _shoot(page, lang, "dashboards-downtown")

    with page.expect_download() as caught:
        page.locator('a[data-csv="volume"]').click()
    download = caught.value
    assert download.suggested_filename.startswith("volume-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == [words["header"], "Downtown"]
    assert ["2026-11-02", "4"] in rows[1:]

    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page_problems.assert_none()
