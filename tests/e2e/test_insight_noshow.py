"""The no-show call list in a browser, in English and Spanish: tomorrow's high-risk appointments with the
patient's phone, from the model trained on the practice's own history (photographed under the test artifacts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.insight.services import noshow_train_practice
from tests.factories import AppointmentTypeFactory, LocationFactory, UserFactory
from tests.insight.practice_data import practice_history

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "var" /
                 "test-artifacts")
WORDS = {"en": ("No-show risk", "High"), "es": ("Riesgo de inasistencia", "Alto")}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_insight_noshow_lists_tomorrows_high_risk_patients(page, page_problems, sign_in_as, clock, settings,
                                                           tmp_path, lang):
    settings.INSIGHT_NOSHOW_MODEL = str(tmp_path / "noshow.joblib")
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    history = practice_history(location, AppointmentTypeFactory(code="follow-up", duration_minutes=20),
                               more_tomorrow=4)
    noshow_train_practice(actor=None)
    user = UserFactory(role=Role.BILLING, location=location, first_name="Bea", language=lang)
    sign_in_as(page, user)
    page.goto(f"/insight/noshow/?location={location.pk}")
    title, high = WORDS[lang]
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator(f'tr[data-appointment="{history["skip"].pk}"]')).to_contain_text(high)
    expect(page.locator(f'tr[data-appointment="{history["come"].pk}"]')).to_have_count(0)
    folder = ARTIFACTS / lang / "insight"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "noshow.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page_problems.assert_none()
