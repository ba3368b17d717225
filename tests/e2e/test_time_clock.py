"""The time clock in a browser, in English and Spanish (#20 item 7): a colleague clocks in at the shared desk by staff
ID and PIN, the coordinator reads yesterday's attendance board (late, missed, left early), the pay period report,
and edits a training. Each screen is photographed (under the test artifacts, and CLINICDESK_SHOTS when set)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.staffing import clock_services, services, training_services
from clinicdesk.staffing.models import Punch, Roster, RosterAssignment, RosterStatus, Training
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {
    "en": {"clock": "Time clock", "in": "Clock in", "done": "Nora Nurse clocked in at", "board": "Attendance board",
           "late": "Late by 14 min", "missed": "Missed", "hours": "Hours per pay period", "save": "Save",
           "saved": "Training saved."},
    "es": {"clock": "Reloj de fichaje", "in": "Fichar entrada", "done": "Nora Nurse fichó la entrada a las",
           "board": "Panel de asistencia", "late": "14 min tarde", "missed": "No se presentó",
           "hours": "Horas por periodo de pago", "save": "Guardar", "saved": "Formación guardada."},
}


def _team(location):
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Cora",
                              last_name="Coordinator")
    nurse = UserFactory(role=Role.NURSE, location=location, first_name="Nora", last_name="Nurse")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Dario", last_name="Desk")
    members = [services.staff_member_create(actor=coordinator, user_id=u.pk, location_id=location.pk)
               for u in (coordinator, nurse, clerk)]
    early = services.shift_type_create(actor=coordinator, location_id=location.pk, code="E", name="Early",
                                       start=dt.time(7), end=dt.time(15), paid_minutes=450)
    today = clock.today_in(location.tz)
    yesterday = today - dt.timedelta(days=1)
    roster = Roster.objects.create(location=location, period_start=services.period_of(yesterday),
                                   period_end=services.period_of(yesterday) + dt.timedelta(days=27),
                                   status=RosterStatus.PUBLISHED)
    for member in members:
        for day in (yesterday, today):
            RosterAssignment.objects.create(roster=roster, staff=member, date=day, shift_type=early)

    def worked(member, start: dt.time, end: dt.time) -> None:
        Punch.objects.create(staff=member, location=location, clock_in=local_to_utc(yesterday, start, location.tz),
                             clock_out=local_to_utc(yesterday, end, location.tz))

    worked(members[0], dt.time(6, 58), dt.time(14, 20))
    worked(members[1], dt.time(7, 14), dt.time(15, 2))  # members[2] missed yesterday
    clock_services.clock_pin_set(actor=nurse, staff_member_id=members[1].pk, pin="4821")
    return coordinator, members, yesterday


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_desk_clocks_a_colleague_in_and_the_coordinator_reads_the_board(page, page_problems, sign_in_as, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator, members, yesterday = _team(location)
    coordinator.language = lang
    coordinator.save(update_fields=["language"])
    training_services.trainings_seed()
    words = WORDS[lang]
    folder = ARTIFACTS / lang / "staffing"
    folder.mkdir(parents=True, exist_ok=True)
    sign_in_as(page, coordinator, wide=True, slow_server=True)

    page.goto(f"/staffing/clock/?location={location.pk}")
    expect(page.locator("h1")).to_contain_text(words["clock"])
    desk = page.locator("#desk")
    desk.locator("#desk_staff_id").fill(str(members[1].pk))
    desk.locator("#desk_pin").fill("4821")
    desk.get_by_role("button", name=words["in"]).click()
    expect(page.locator(".message").first).to_contain_text(words["done"])
    page.screenshot(path=str(folder / "time-clock.png"), full_page=True)

    page.goto(f"/staffing/clock/board/?location={location.pk}&day={yesterday.isoformat()}")
    expect(page.locator("h1")).to_contain_text(words["board"])
    expect(page.locator("table.grid")).to_contain_text(words["late"])
    expect(page.locator("table.grid")).to_contain_text(words["missed"])
    page.screenshot(path=str(folder / "attendance-board.png"), full_page=True)

    page.goto(f"/staffing/clock/hours/?location={location.pk}&day={yesterday.isoformat()}")
    expect(page.locator("h1")).to_contain_text(words["hours"])
    expect(page.locator("table.grid tbody tr")).to_have_count(3)
    page.screenshot(path=str(folder / "pay-period.png"), full_page=True)

    fire = Training.objects.get(code="FIRE")
    page.goto(f"/staffing/training/{fire.pk}/")
    page.locator("#id_valid_months").fill("24")
    page.screenshot(path=str(folder / "training-edit.png"), full_page=True)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator(".message").first).to_contain_text(words["saved"])
    fire.refresh_from_db()
    assert fire.valid_months == 24
    page_problems.assert_none()
