"""Shift swaps and the training matrix in a browser, in English and Spanish (#20 items 5 and 6): the practice
coordinator sees a taken swap, approves it and the roster changes; the compliance matrix shows an expired
certification in red and one due soon in amber. Screens photographed under the test artifacts (and
CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.staffing import services, swap_services, training_services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.models import Roster, RosterAssignment, RosterStatus, Training, TrainingRecord
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": ("Shift swaps", "Approve", "Swap approved", "Compliance matrix"),
         "es": ("Cambios de turno", "Aprobar", "Cambio aprobado", "Matriz de cumplimiento")}
NAMES = (("Rosa", "Alvarez"), ("Ben", "Okafor"), ("Carla", "Nguyen"), ("Dev", "Patel"), ("Eve", "Moreau"))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_coordinator_approves_a_swap_and_reads_the_training_matrix(page, page_problems, sign_in_as, lang):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Paula",
                              last_name="Coordinator", language=lang)
    users = [UserFactory(role=Role.FRONT_DESK if i % 2 == 0 else Role.NURSE, location=location, first_name=first,
                         last_name=last) for i, (first, last) in enumerate(NAMES)]
    today = dt.date.today()
    start = services.period_of(today)
    setup = staffing_demo(actor=coordinator, location_id=location.pk, users=users, period_start=start,
                          publish=False)
    roster = Roster.objects.create(location=location, period_start=start, period_end=start + dt.timedelta(days=27),
                                   status=RosterStatus.PUBLISHED)
    for member, offset, code in ((0, 2, "E"), (0, 3, "E"), (1, 3, "E"), (3, 4, "L"), (4, 6, "E")):
        RosterAssignment.objects.create(roster=roster, staff=setup.members[member],
                                        date=today + dt.timedelta(days=offset), shift_type=setup.shifts[code])
    given = RosterAssignment.objects.get(staff=setup.members[0], date=today + dt.timedelta(days=3))
    taken = swap_services.swap_offer(actor=users[0], assignment_id=given.pk, note="Dentist")
    swap_services.swap_take(actor=users[2], swap_id=taken.pk)
    offered = RosterAssignment.objects.get(staff=setup.members[3])
    swap_services.swap_offer(actor=users[3], assignment_id=offered.pk)
    training_services.trainings_seed()  # a live-server test starts from a flushed database
    hipaa, cpr = Training.objects.get(code="HIPAA"), Training.objects.get(code="CPR-BLS")
    for index, user in enumerate(users):
        until = today + dt.timedelta(days=(-5, 20, 200, 45, 300)[index])
        TrainingRecord.objects.create(user=user, training=hipaa, completed_on=until - dt.timedelta(days=360),
                                      valid_until=until)
        if user.role == Role.NURSE:
            TrainingRecord.objects.create(user=user, training=cpr, completed_on=today - dt.timedelta(days=100),
                                          valid_until=today + dt.timedelta(days=600))

    title, approve, approved, matrix = WORDS[lang]
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in_as(page, coordinator)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"/staffing/swaps/?location={location.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.screenshot(path=str(ARTIFACTS / f"staffing-swaps-{lang}.png"), full_page=True)
    page.locator("#awaiting").get_by_role("button", name=approve).click()
    expect(page.locator("#flashes")).to_contain_text(approved)
    assert RosterAssignment.objects.filter(roster=roster, staff=setup.members[2], date=given.date).exists()
    page.screenshot(path=str(ARTIFACTS / f"staffing-swaps-approved-{lang}.png"), full_page=True)
    page.goto(f"/staffing/training/?location={location.pk}")
    expect(page.locator("#matrix")).to_contain_text(matrix)
    page.screenshot(path=str(ARTIFACTS / f"staffing-training-matrix-{lang}.png"), full_page=True)
    page_problems.assert_none()
