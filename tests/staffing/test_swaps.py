"""Shift swaps and open shifts (#20 item 5): offer, take, approve; open shifts claimed; every refusal names the
rule. The rules are checked here by a plain reading of the contracts, shift times, leave and certifications
(`expected_rules`), independent of the engine's evaluator that the services use."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import InvalidTransition, NotFound, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.staffing import swap_selectors, swap_services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.models import (
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    Roster,
    RosterAssignment,
    RosterStatus,
    SwapStatus,
    Training,
    TrainingRecord,
)
from clinicdesk.staffing.swap_services import SwapRefused
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)  # the clock fixture's day
# Who works what, by member index and day index (E 07:00-15:00, L 12:00-20:00, 12 h rest, 5 in a row at most).
PLAN = {
    0: {0: "E", 1: "E", 2: "E", 3: "E", 4: "E"},
    1: {0: "E", 1: "L", 3: "E", 4: "E"},
    2: {0: "L", 1: "L", 2: "L", 5: "E", 6: "E", 12: "E"},
    3: {2: "E", 3: "L"},
    4: {0: "L", 3: "L", 4: "L", 11: "E"},
}


@pytest.fixture
def team(clock):
    location = LocationFactory()
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)
    users = [UserFactory(role=Role.FRONT_DESK if i % 2 == 0 else Role.NURSE, location=location) for i in range(5)]
    setup = staffing_demo(actor=coordinator, location_id=location.pk, users=users, period_start=MONDAY,
                          publish=False)
    roster = Roster.objects.create(location=location, period_start=MONDAY,
                                   period_end=MONDAY + dt.timedelta(days=27), status=RosterStatus.PUBLISHED)
    for index, days in PLAN.items():
        for day, code in days.items():
            RosterAssignment.objects.create(roster=roster, staff=setup.members[index],
                                            date=MONDAY + dt.timedelta(days=day), shift_type=setup.shifts[code])
    # Someone on approved leave on day 8; an X-ray certificate the early shift needs, lapsing for member 3.
    LeaveRequest.objects.create(user=users[1], location=location, kind=LeaveKind.VACATION, status=LeaveStatus.APPROVED,
                                first_day=MONDAY + dt.timedelta(days=8), last_day=MONDAY + dt.timedelta(days=8))
    training = Training.objects.create(code="RAD", name="Radiation safety", valid_months=12)
    training.shift_types.add(setup.shifts["E"])
    for index, user in enumerate(users):
        until = MONDAY + dt.timedelta(days=9 if index == 3 else 400)
        TrainingRecord.objects.create(user=user, training=training, completed_on=MONDAY - dt.timedelta(days=300),
                                      valid_until=until)
    return {"location": location, "coordinator": coordinator, "users": users, "setup": setup, "roster": roster}


def expected_rules(team, member_index: int, day: int, code: str) -> set[str]:
    """The hard rules that member `member_index` working `code` on day `day` would break, read directly."""
    member = team["setup"].members[member_index]
    shifts = team["setup"].shifts
    line = {d: shifts[c] for d, c in PLAN[member_index].items()}
    date = MONDAY + dt.timedelta(days=day)
    broken = set()
    if day in line:
        return {"one_shift_a_day"}
    new = shifts[code]
    line[day] = new
    if date.weekday() in member.unavailable_weekdays:
        broken.add("day_off")
    if LeaveRequest.objects.filter(user=member.user, status=LeaveStatus.APPROVED, first_day__lte=date,
                                   last_day__gte=date).exists():
        broken.add("leave")
    for training in new.required_trainings.all():
        if not TrainingRecord.objects.filter(user=member.user, training=training, completed_on__lte=date,
                                             valid_until__gte=date).exists():
            broken.add("certification")

    def minutes(shift, d):  # minutes from the period's start
        return d * 1440 + shift.start.hour * 60 + shift.start.minute, d * 1440 + shift.end.hour * 60

    for before, after in ((day - 1, day), (day, day + 1)):
        if before in line and after in line:
            rest = minutes(line[after], after)[0] - minutes(line[before], before)[1]
            if rest < member.min_rest_minutes:
                broken.add("rest")
    run, d = 1, day - 1
    while d in line:
        run, d = run + 1, d - 1
    d = day + 1
    while d in line:
        run, d = run + 1, d + 1
    if run > member.max_consecutive_shifts:
        broken.add("max_consecutive_shifts")
    weekends = {d // 7 for d in line if d % 7 >= 5}
    if len(weekends) > member.max_weekends:
        broken.add("max_weekends")
    if sum(s.paid_minutes for s in line.values()) > member.max_hours_week * 60 * 4:
        broken.add("max_total_minutes")
    return broken


def test_the_rule_check_agrees_with_a_plain_reading_of_every_rule(team):
    seen = set()
    for index, day, code in itertools.product(range(5), range(0, 14), ("E", "L")):
        broken = expected_rules(team, index, day, code)
        member = team["setup"].members[index]
        try:
            swap_services.check_taker(roster=team["roster"], date=MONDAY + dt.timedelta(days=day),
                                      shift_type=team["setup"].shifts[code], taker=member)
        except SwapRefused as refusal:
            assert refusal.rule in broken, (index, day, code, refusal.rule, broken)
            seen.add(refusal.rule)
        else:
            assert not broken, (index, day, code, broken)
    # the scenario exercises each rule
    assert {"one_shift_a_day", "rest", "leave", "day_off", "certification", "max_consecutive_shifts"} <= seen


def test_offer_take_and_approve_moves_the_shift(team):
    users, setup = team["users"], team["setup"]
    given = RosterAssignment.objects.get(staff=setup.members[3], date=MONDAY + dt.timedelta(days=3))
    swap = swap_services.swap_offer(actor=users[3], assignment_id=given.pk, note="Dentist")
    assert [s.pk for s in swap_selectors.swaps_to_take(actor=users[2], location_id=team["location"].pk)] == [swap.pk]
    assert swap_selectors.swaps_to_take(actor=users[3], location_id=team["location"].pk) == []
    # member 2 works E on day 5, but L on day 3 is fine for them (they hold front desk like the desk need)
    taken = swap_services.swap_take(actor=users[2], swap_id=swap.pk)
    assert taken.status == SwapStatus.TAKEN
    assert RosterAssignment.objects.filter(pk=given.pk).exists()  # nothing changes before approval
    with pytest.raises(PermissionDenied):
        swap_services.swap_approve(actor=users[0], swap_id=swap.pk)
    swap_services.swap_approve(actor=team["coordinator"], swap_id=swap.pk)
    assert not RosterAssignment.objects.filter(pk=given.pk).exists()
    assert RosterAssignment.objects.get(roster=team["roster"], date=given.date, staff=setup.members[2]).shift_type \
        == setup.shifts["L"]
    assert set(AuditEntry.objects.filter(action__startswith="staffing.swap.").values_list("action", flat=True)) == {
        "staffing.swap.offer", "staffing.swap.take", "staffing.swap.approve"}
    with pytest.raises(InvalidTransition):
        swap_services.swap_decline(actor=team["coordinator"], swap_id=swap.pk)


def test_a_named_colleague_who_would_break_a_rule_is_refused_naming_it(team):
    users, setup = team["users"], team["setup"]
    given = RosterAssignment.objects.get(staff=setup.members[2], date=MONDAY + dt.timedelta(days=12))
    with pytest.raises(SwapRefused) as refused:  # member 3's radiation safety lapses on day 9
        swap_services.swap_offer(actor=users[2], assignment_id=given.pk, offered_to_id=setup.members[3].pk)
    assert refused.value.rule == "certification"
    assert refused.value.as_problem()["rule"] == "certification" and refused.value.status == 422
    offer = swap_services.swap_offer(actor=users[2], assignment_id=given.pk, offered_to_id=setup.members[0].pk)
    with pytest.raises(NotFound):  # named to someone else
        swap_services.swap_take(actor=users[4], swap_id=offer.pk)


def test_the_taker_must_hold_the_skills_the_giver_covered(team):
    users, setup = team["users"], team["setup"]
    # member 1 (phlebotomy) works E on day 0, where a phlebotomist is needed; member 4 is front desk only
    given = RosterAssignment.objects.get(staff=setup.members[1], date=MONDAY + dt.timedelta(days=4))
    swap = swap_services.swap_offer(actor=users[1], assignment_id=given.pk)
    with pytest.raises(SwapRefused) as refused:
        swap_services.swap_take(actor=users[2], swap_id=swap.pk)
    assert refused.value.rule == "skills"
    swap.refresh_from_db()
    assert swap.status == SwapStatus.OFFERED


def test_open_shifts_are_the_short_needs_and_can_be_claimed(team):
    users, setup = team["users"], team["setup"]
    opened = swap_selectors.open_shifts(team["roster"])
    # day 2 early: members 0 and 3 work it (2 of 2, front desk and phlebotomy held): not open; day 5 Saturday:
    # member 2 works it: not open; day 7 (Monday, nobody rostered) is open for every need
    keys = {(o.date, o.shift_type.code, o.skill.name if o.skill else "") for o in opened}
    assert (MONDAY + dt.timedelta(days=7), "E", "") in keys
    assert (MONDAY + dt.timedelta(days=5), "E", "") not in keys
    claim = swap_services.open_shift_claim(actor=users[0], roster_id=team["roster"].pk,
                                           date=MONDAY + dt.timedelta(days=11), shift_type_id=setup.shifts["L"].pk,
                                           skill_id=setup.skills["Front desk"].pk)
    assert claim.status == SwapStatus.TAKEN
    swap_services.swap_approve(actor=team["coordinator"], swap_id=claim.pk)
    assert RosterAssignment.objects.filter(staff=setup.members[0], date=MONDAY + dt.timedelta(days=11)).exists()
    with pytest.raises(SwapRefused) as refused:  # member 1 is on leave on day 8
        swap_services.open_shift_claim(actor=users[1], roster_id=team["roster"].pk,
                                       date=MONDAY + dt.timedelta(days=8), shift_type_id=setup.shifts["E"].pk)
    assert refused.value.rule == "leave"


def test_another_location_cannot_see_or_take(team):
    stranger = UserFactory(role=Role.FRONT_DESK, location=LocationFactory())
    given = RosterAssignment.objects.get(staff=team["setup"].members[0], date=MONDAY + dt.timedelta(days=4))
    swap = swap_services.swap_offer(actor=team["users"][0], assignment_id=given.pk)
    for attempt in (lambda: swap_services.swap_take(actor=stranger, swap_id=swap.pk),
                    lambda: swap_services.swap_offer(actor=stranger, assignment_id=given.pk),
                    lambda: swap_selectors.swap_detail(actor=stranger, swap_id=swap.pk)):
        with pytest.raises((NotFound, PermissionDenied)) as refused:
            attempt()
        assert refused.value.status == 404
    swap_services.swap_cancel(actor=team["users"][0], swap_id=swap.pk)
