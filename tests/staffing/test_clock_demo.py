"""The demo practice's staff data (#20): a month of published rosters (the previous 4 weeks and the current ones),
leave approved and requested, swaps, trainings some of them expiring, and the time clock's punches of the past two
weeks with some late and one missed shift."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.staffing import clock_selectors, services
from clinicdesk.staffing.demo import staffing_demo, staffing_extras_demo
from clinicdesk.staffing.models import LeaveRequest, Punch, Roster, ShiftSwap, TrainingRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_team_has_rosters_leave_swaps_trainings_and_punches(clock, location):
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)
    users = [UserFactory(role=role, location=location, first_name=f"Demo{n}")
             for n, role in enumerate([Role.FRONT_DESK, Role.NURSE, Role.PATIENT_COORDINATOR, Role.NURSE,
                                       Role.FRONT_DESK, Role.NURSE])]
    today = clock.now().date()
    setup = staffing_demo(actor=coordinator, location_id=location.pk, users=users,
                          period_start=services.period_of(today), seconds=2, workers=2)
    staffing_extras_demo(actor=coordinator, setup=setup, today=today, seconds=2)

    starts = set(Roster.objects.filter(location=location, status="published").values_list("period_start", flat=True))
    assert starts == {services.period_of(today), services.period_of(today) - dt.timedelta(days=28)}
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"approved", "requested"}
    assert ShiftSwap.objects.exists()
    assert TrainingRecord.objects.filter(valid_until__range=(today, today + dt.timedelta(days=60))).exists()

    punches = Punch.objects.filter(location=location)
    assert punches.count() >= 10 and not punches.filter(clock_out__isnull=True).exists()
    assert all(today - dt.timedelta(days=14) <= p.clock_in.astimezone(location.tz).date() < today for p in punches)
    rows = clock_selectors.attendance(location_id=location.pk, first=today - dt.timedelta(days=14),
                                      last=today - dt.timedelta(days=1), tz=location.tz, grace=5, now=clock.now())
    assert sum(r.missed for r in rows) == 1
    assert sum(r.late for r in rows) >= 2
    assert sum(r.left_early for r in rows) >= 1
