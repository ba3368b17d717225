"""The compliance program in a browser, in English and Spanish: the coordinator records the overdue eyewash check
done with its evidence on the calendar, checks the OSHA 300 log shows a privacy case without the name, and a nurse
acknowledges a new policy version. Screens are photographed under the test artifacts (and CLINICDESK_SHOTS)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.compliance import services
from clinicdesk.compliance.models import Occurrence, PolicyAck
from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
TODAY = dt.date(2026, 11, 23)
WORDS = {"en": ("Compliance calendar", "Privacy case", "Nothing to acknowledge"),
         "es": ("Calendario de cumplimiento", "Caso de privacidad", "Nada que confirmar")}


def _program(location, coordinator, nurse):
    services.builtin_duties_ensure(actor=coordinator, location_id=location.pk, owner_id=nurse.pk)
    eyewash = Occurrence.objects.get(duty__kind="eyewash")
    Occurrence.objects.filter(pk=eyewash.pk).update(due_on=TODAY - dt.timedelta(days=4))
    services.duties_escalate_overdue()
    services.safety_document_add(actor=coordinator, location_id=location.pk, kind="sds", title="Isopropyl alcohol 70%",
                                 manufacturer="Medline", review_on=TODAY - dt.timedelta(days=3))
    services.safety_document_add(actor=coordinator, location_id=location.pk, kind="exposure-plan",
                                 title="Exposure control plan", review_on=TODAY + dt.timedelta(days=200))
    sharps = services.sharps_injury_log(actor=coordinator, location_id=location.pk, occurred_on=TODAY,
                                        device="25G safety needle", work_area="Lab", how="Activating the shield")
    services.injury_case_record(actor=coordinator, location_id=location.pk, employee_name="Nina Nurse",
                                job_title="Medical assistant", occurred_on=TODAY, where="Lab",
                                description="Needlestick, left index finger", outcome="other", case_type="injury",
                                sharps_id=sharps.pk)
    services.injury_case_record(actor=coordinator, location_id=location.pk, employee_name="Omar Office",
                                job_title="Receptionist", occurred_on=TODAY - dt.timedelta(days=30),
                                where="Supply room", description="Strained back lifting a box", outcome="days-away",
                                days_away=3, case_type="injury")
    services.baa_add(actor=coordinator, vendor="CloudEHR Hosting", services="Hosting", signed_on=dt.date(2025, 1, 5),
                     review_on=TODAY - dt.timedelta(days=10))
    policy = services.policy_add(actor=coordinator, title="Hand hygiene", owner_id=coordinator.pk,
                                 review_on=dt.date(2027, 11, 1), audience=["nurse", "practice_coordinator"])
    return services.policy_publish(actor=coordinator, policy_id=policy.pk, effective_on=TODAY,
                                   text="Clean hands before and after every patient contact.")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_compliance_program_in_a_browser(page, page_problems, sign_in_as, clock, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    nurse = UserFactory(role=Role.NURSE, location=location, first_name="Nina", last_name="Nurse", language=lang)
    version = _program(location, coordinator, nurse)
    folder = ARTIFACTS / lang / "compliance"
    folder.mkdir(parents=True, exist_ok=True)
    calendar_title, privacy_words, up_to_date = WORDS[lang]
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in_as(page, coordinator)

    page.goto(f"/compliance/calendar/?location={location.pk}")
    expect(page.locator("h1")).to_contain_text(calendar_title)
    expect(page.locator("tr[data-state=overdue]").first).to_be_visible()
    page.screenshot(path=str(folder / "calendar.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    eyewash = Occurrence.objects.get(duty__kind="eyewash", done_on__isnull=True)
    page.goto(f"/compliance/calendar/{eyewash.pk}/")
    page.fill("#id_evidence_note", "Flushed 3 minutes, water clear, caps in place.")
    page.locator("form[action$='/done/'] button").click()
    assert Occurrence.objects.filter(duty__kind="eyewash", done_on__isnull=False).count() == 1

    page.goto(f"/compliance/osha/?location={location.pk}&year=2026")
    expect(page.locator("#log300")).to_contain_text(privacy_words)
    expect(page.locator("#log300")).not_to_contain_text("Nina Nurse")
    page.screenshot(path=str(folder / "osha.png"), full_page=True)
    for name, url in (("policies", "/compliance/policies/"), ("policy", f"/compliance/policies/{version.policy_id}/"),
                      ("hipaa", "/compliance/hipaa/"), ("dashboard", f"/compliance/?location={location.pk}")):
        page.goto(url)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        blocking, report = _blocking_violations(page)
        assert not blocking, f"{name}: {report}"

    page.context.clear_cookies()
    sign_in_as(page, nurse)
    page.goto("/compliance/policies/mine/")
    page.screenshot(path=str(folder / "my-policies.png"), full_page=True)
    page.locator("form[action$='/acknowledge/'] button").click()
    expect(page.locator("main")).to_contain_text(up_to_date)
    assert PolicyAck.objects.get(version=version, user=nurse).acknowledged_at is not None
    page_problems.assert_none()
