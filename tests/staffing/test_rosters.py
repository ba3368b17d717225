"""The practice's own rosters: the engine instance built from the staffing tables, solve into a draft, publish,
re-solve changing little, validation errors and permissions."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from clinicdesk.staffing import engine, selectors, services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.models import RosterAssignment, RosterStatus, ShiftRequest
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 4)
SECONDS = 2


@pytest.fixture
def practice():
    location = LocationFactory()
    coordinator = UserFactory(role="practice_coordinator", location=location)
    staff = [UserFactory(role="front_desk" if i % 2 == 0 else "nurse", location=location) for i in range(5)]
    setup = staffing_demo(actor=coordinator, location_id=location.pk, users=staff, period_start=MONDAY,
                          publish=False)
    return {"location": location, "coordinator": coordinator, "staff": staff, "setup": setup}


def test_instance_is_built_from_the_tables(practice):
    setup, location = practice["setup"], practice["location"]
    first = setup.members[0]
    services.shift_request_create(actor=practice["coordinator"], staff_member_id=first.pk,
                                  date=MONDAY + dt.timedelta(days=2), kind="off", weight=3)
    services.shift_request_create(actor=practice["coordinator"], staff_member_id=first.pk, date=MONDAY,
                                  kind="on", shift_type_id=setup.shifts["L"].pk, weight=2)
    built = services._build_instance(location_id=location.pk, period_start=MONDAY)
    inst = built.instance
    assert inst.horizon == 28
    assert {s.id: s.minutes for s in inst.shifts} == {"E": 450, "L": 450}
    key = services._staff_key(first.pk)
    person = inst.staff_by_id[key]
    assert person.max_total_minutes == 38 * 60 * 4 and person.min_total_minutes == 22 * 60 * 4
    assert person.max_weekends == 2 and person.max_consecutive_shifts == 5
    # 12 hours of rest: a late shift (ends 20:00) may not be followed by an early one (starts 07:00)
    assert inst.may_not_follow(key, "L") == frozenset({"E"}) and inst.may_not_follow(key, "E") == frozenset()
    # the fifth person cannot work Wednesdays
    fifth = services._staff_key(setup.members[4].pk)
    assert inst.days_off_of(fifth) == frozenset({2, 9, 16, 23})
    # skill-aware cover: Monday early needs 2 in all, among them a front desk and a phlebotomist; Sunday nothing
    monday = {(c.shift, c.skill): c.requirement for c in inst.cover if c.day == 0}
    desk = services._skill_key(setup.skills["Front desk"].pk)
    blood = services._skill_key(setup.skills["Phlebotomy"].pk)
    assert monday == {("E", ""): 2, ("E", desk): 1, ("E", blood): 1, ("L", desk): 1}
    assert not [c for c in inst.cover if c.day == 6]
    assert inst.on_requests == (engine.Request(key, 0, "L", 2),)
    assert set(inst.off_requests) == {engine.Request(key, 2, "E", 3), engine.Request(key, 2, "L", 3)}


def test_a_dated_need_replaces_the_weekday_one(practice):
    setup = practice["setup"]
    services.cover_need_create(actor=practice["coordinator"], location_id=practice["location"].pk,
                               date=MONDAY + dt.timedelta(days=7), shift_type_id=setup.shifts["E"].pk, count=0)
    inst = services._build_instance(location_id=practice["location"].pk, period_start=MONDAY).instance
    assert {(c.shift, c.skill, c.requirement) for c in inst.cover if c.day == 7 and not c.skill} == {("E", "", 0)}


def test_solve_publish_and_resolve_changes_little(practice):
    coordinator, location = practice["coordinator"], practice["location"]
    draft = services.roster_solve(actor=coordinator, location_id=location.pk, period_start=MONDAY,
                                  seconds=SECONDS, workers=2)
    assert draft.status == RosterStatus.DRAFT and draft.solver_status in ("OPTIMAL", "FEASIBLE")
    assert draft.objective == sum(draft.breakdown.values()) and draft.changes is None
    # the stored roster passes the independent evaluator with the same cost
    built = services._build_instance(location_id=location.pk, period_start=MONDAY)
    stored = [engine.Assignment(services._staff_key(a.staff_id), (a.date - MONDAY).days, a.shift_type.code)
              for a in RosterAssignment.objects.filter(roster=draft).select_related("shift_type")]
    check = engine.evaluate(built.instance, stored)
    assert check.violations == [] and check.objective == draft.objective
    assert selectors.explain(draft)[2]["cost"] == draft.breakdown["cover_under"]

    published = services.roster_publish(actor=coordinator, roster_id=draft.pk)
    assert published.status == RosterStatus.PUBLISHED
    with pytest.raises(InvalidTransition):
        services.roster_publish(actor=coordinator, roster_id=draft.pk)

    # someone asks for a day off: the re-solve keeps the rest of the published roster
    worked = RosterAssignment.objects.filter(roster=published).select_related("staff").first()
    services.shift_request_create(actor=coordinator, staff_member_id=worked.staff_id, date=worked.date,
                                  kind="off", weight=50)
    again = services.roster_solve(actor=coordinator, location_id=location.pk, period_start=MONDAY,
                                  seconds=SECONDS, workers=2)
    assert again.pk != published.pk and again.based_on_id == published.pk
    assert again.changes is not None and 1 <= again.changes <= 6
    assert not RosterAssignment.objects.filter(roster=again, staff=worked.staff, date=worked.date).exists()
    services.roster_publish(actor=coordinator, roster_id=again.pk)
    published.refresh_from_db()
    assert published.status == RosterStatus.SUPERSEDED
    mine = selectors.my_shifts(actor=worked.staff.user, start=MONDAY)
    assert mine and all(a.roster_id == again.pk for a in mine)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"staffing.roster.solve", "staffing.roster.publish", "staffing.staff_member.create"} <= actions


def test_validation_errors_are_clear(practice):
    coordinator, location, setup = practice["coordinator"], practice["location"], practice["setup"]
    with pytest.raises(ValidationFailed, match="Monday"):
        services.roster_solve(actor=coordinator, location_id=location.pk, period_start=MONDAY + dt.timedelta(1),
                              seconds=SECONDS)
    with pytest.raises(ValidationFailed) as error:
        services.shift_type_create(actor=coordinator, location_id=location.pk, code="N", name="Night",
                                   start=dt.time(22), end=dt.time(6), paid_minutes=480)
    assert "crosses_midnight" in error.value.fields
    night = services.shift_type_create(actor=coordinator, location_id=location.pk, code="N", name="Night",
                                       start=dt.time(22), end=dt.time(6), crosses_midnight=True, paid_minutes=480)
    assert night.end_minute - night.start_minute == 480
    with pytest.raises(ValidationFailed) as error:
        services.shift_type_create(actor=coordinator, location_id=location.pk, code="E", name="Again",
                                   start=dt.time(7), end=dt.time(15), paid_minutes=450)
    assert error.value.code == "duplicate"
    with pytest.raises(ValidationFailed):
        services.staff_member_update(actor=coordinator, staff_member_id=setup.members[0].pk, min_hours_week=50,
                                     max_hours_week=40)
    with pytest.raises(ValidationFailed):
        services.shift_request_create(actor=coordinator, staff_member_id=setup.members[0].pk, date=MONDAY,
                                      kind="on")
    assert not ShiftRequest.objects.exists()
    # contracts nobody can meet: refused with the reason, nothing written
    for member in setup.members:
        services.staff_member_update(actor=coordinator, staff_member_id=member.pk, min_hours_week=60,
                                     max_hours_week=60)
    with pytest.raises(Conflict) as refused:
        services.roster_solve(actor=coordinator, location_id=location.pk, period_start=MONDAY, seconds=SECONDS)
    assert refused.value.code == "roster-infeasible"
    assert not RosterAssignment.objects.exists()


def test_permissions(practice):
    location, staff = practice["location"], practice["staff"]
    desk = staff[0]
    with pytest.raises(PermissionDenied):
        services.roster_solve(actor=desk, location_id=location.pk, period_start=MONDAY, seconds=SECONDS)
    elsewhere = UserFactory(role="front_desk", location=LocationFactory())  # coordinators are practice-wide
    draft = services.roster_solve(actor=practice["coordinator"], location_id=location.pk, period_start=MONDAY,
                                  seconds=SECONDS, workers=2)
    with pytest.raises(PermissionDenied):  # a draft is the coordinator's
        selectors.roster_detail(actor=desk, roster_id=draft.pk)
    with pytest.raises(PermissionDenied):
        services.roster_publish(actor=desk, roster_id=draft.pk)
    services.roster_publish(actor=practice["coordinator"], roster_id=draft.pk)
    assert selectors.roster_detail(actor=desk, roster_id=draft.pk) == draft
    with pytest.raises(PermissionDenied):
        selectors.roster_detail(actor=elsewhere, roster_id=draft.pk)
