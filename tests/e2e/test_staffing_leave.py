"""A provider's vacation in a browser, in English and Spanish (#20 "Done when"): the coordinator approves it, reviews
the proposed moves of the appointments it affects, applies them in one step, and the patients get their notices
(each a confirmation of the new time, in the patient's language). Screens photographed under the test artifacts
(and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.comms.models import Channel, Kind, Message, ReminderRule
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment
from clinicdesk.staffing import leave_services
from clinicdesk.staffing.models import LeaveStatus
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": ("Leave", "Approve", "Appointments to cover", "Move the ticked appointments", "appointments moved"),
         "es": ("Ausencias", "Aprobar", "Citas que cubrir", "Mover las citas marcadas", "citas movidas")}
WED = dt.date(2026, 11, 25)  # the clock fixture stands on Monday 23 November 2026


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_approves_a_vacation_and_moves_its_appointments(page, sign_in_as, clock, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    away = PractitionerFactory(first_name="Maria", last_name="Lopez", specialty="Family Medicine")
    cover = PractitionerFactory(first_name="Sam", last_name="Okafor", specialty="Family Medicine")
    for doctor in (away, cover):
        weekly_availability(doctor, location)
    visit = AppointmentTypeFactory(code="follow-up", name="Follow-up visit", duration_minutes=20)
    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.EMAIL)
    people = (("Rosa", "Diaz", "es"), ("Tom", "Baker", "en"), ("Ana", "Reyes", "es"))
    patients = [PatientFactory(home_location=location, given_name=given, family_name=family,
                               email=f"{given}@example.org", preferred_language=language, email_opt_in=True)
                for given, family, language in people]
    booked = [AppointmentFactory(location=location, practitioner=away, appointment_type=visit, patient=patient,
                                 start=dt.datetime(2026, 11, 25, 14 + n, 0, tzinfo=dt.UTC))
              for n, patient in enumerate(patients)]
    leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=WED,
                                         last_day=WED + dt.timedelta(days=2), practitioner_id=away.pk)
    folder = ARTIFACTS / lang / "leave"
    folder.mkdir(parents=True, exist_ok=True)
    title, approve, to_cover, move, moved = WORDS[lang]
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    sign_in_as(page, coordinator)

    page.goto(f"/staffing/leave/?location={location.pk}")
    expect(page.locator("h1")).to_contain_text(title)
    page.screenshot(path=str(folder / "leave.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.goto(f"/staffing/leave/{leave.pk}/")
    page.get_by_role("button", name=approve, exact=True).click()
    expect(page.locator("#cover")).to_contain_text(to_cover)
    expect(page.locator("#cover tbody tr")).to_have_count(3)
    expect(page.locator("#cover")).to_contain_text("Okafor")
    page.screenshot(path=str(folder / "cover.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.get_by_role("button", name=move).click()  # the live server commits: the notices are queued then
    expect(page.locator("main")).to_contain_text(moved)
    page.screenshot(path=str(folder / "moved.png"), full_page=True)

    assert leave.__class__.objects.get(pk=leave.pk).status == LeaveStatus.APPROVED
    assert set(Appointment.objects.filter(pk__in=[a.pk for a in booked]).values_list("practitioner_id", flat=True)) \
        == {cover.pk}
    notices = Message.objects.filter(appointment__in=booked, kind=Kind.CONFIRMATION)
    assert {(m.to_address, m.language) for m in notices} == {("Rosa@example.org", "es"), ("Tom@example.org", "en"),
                                                             ("Ana@example.org", "es")}
