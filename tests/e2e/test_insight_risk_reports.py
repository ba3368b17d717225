"""The no-show risk where the schedule is worked, and the scheduled reports, in a browser in English and Spanish:
the day calendar with each appointment's risk in words, the call list, the overbook advice (booking a suggestion
opens the schedule's own booking dialog, overbooking ticked with its reason) and the scheduled reports screen."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.insight.models import ReportDelivery
from clinicdesk.insight.overbook import overbook_policy_set
from clinicdesk.insight.reports.services import SubscriptionInput, subscription_create
from clinicdesk.insight.services import noshow_train_practice
from tests.factories import AppointmentTypeFactory, LocationFactory, UserFactory
from tests.insight.practice_data import practice_history

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "var" /
                 "test-artifacts")
SHOTS = os.environ.get("INSIGHT_SHOTS")  # also copy the screenshots there (the lead's review)
WORDS = {"en": {"risk": "No-show risk: High", "overbook": "Overbook advice", "book": "Book an overbooking",
                "reports": "Scheduled reports"},
         "es": {"risk": "Riesgo de inasistencia: Alto", "overbook": "Sobrecupos sugeridos",
                "book": "Reservar un sobrecupo", "reports": "Informes programados"}}


def _shot(page, lang: str, name: str) -> None:
    for base in [ARTIFACTS / lang / "insight", *([Path(SHOTS) / lang] if SHOTS else [])]:
        base.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(base / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_risk_on_the_schedule_and_scheduled_reports(page, page_problems, sign_in_as, clock, settings, tmp_path, lang):
    settings.INSIGHT_NOSHOW_MODEL = str(tmp_path / "noshow.joblib")
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    history = practice_history(location, AppointmentTypeFactory(code="follow-up", duration_minutes=20),
                               more_tomorrow=4)
    noshow_train_practice(actor=None)
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang, email="pat@example.org")
    biller = UserFactory(role=Role.BILLING, location=location, first_name="Bea", last_name="Biller",
                         email="bea@example.org")
    overbook_policy_set(actor=coordinator, allow_suggested=True, threshold=Decimal("0.7"))
    report = subscription_create(actor=coordinator, data=SubscriptionInput(
        name="Monday volume", figures=["volume", "noshow"], location_id=location.pk, practitioner_id=None,
        appointment_type_id=None, weeks=4, weekday=0, hour=7, recipient_ids=[coordinator.pk, biller.pk]))
    ReportDelivery.objects.create(subscription=report, period=dt.date(2026, 11, 23), recipient=coordinator,
                                  status="sent", attempts=1, sent_at=clock.now())
    ReportDelivery.objects.create(subscription=report, period=dt.date(2026, 11, 23), recipient=biller,
                                  status="failed", attempts=2, error="mail-failed")
    words = WORDS[lang]
    sign_in_as(page, coordinator, wide=True, slow_server=True)

    page.goto(f"/schedule/day/?location={location.pk}&day=2026-11-24")
    expect(page.locator(f'[data-appointment="{history["skip"].pk}"]')).to_contain_text(words["risk"])
    _shot(page, lang, "calendar-risk")

    page.goto(f"/insight/noshow/?location={location.pk}")
    expect(page.locator(f'tr[data-appointment="{history["skip"].pk}"]')).to_be_visible()
    _shot(page, lang, "call-list")

    doctor = history["skip"].practitioner_id
    page.goto(f"/insight/overbook/?location={location.pk}&day=2026-11-24&provider={doctor}")
    expect(page.locator("h1")).to_contain_text(words["overbook"])
    _shot(page, lang, "overbook-advice")
    page.get_by_role("button", name=words["book"]).first.click()
    expect(page.locator("#schedule-dialog input[name=overbook]")).to_be_checked()
    _shot(page, lang, "overbook-dialog")

    page.goto("/insight/reports/")
    expect(page.locator("h1")).to_contain_text(words["reports"])
    expect(page.locator("#subscriptions")).to_contain_text("Monday volume")
    _shot(page, lang, "subscriptions")
    page.goto(f"/insight/reports/{report.pk}/")
    _shot(page, lang, "subscription-form")
    page_problems.assert_none()
