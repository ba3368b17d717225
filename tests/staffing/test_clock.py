"""Time and attendance (#20 item 7): clocking in and out (signed in, or by staff ID and PIN at the desk), matching
to the published shift, late / left early / missed with hand-computed times, one open punch per person, PINs
(hashed, rate-limited, nothing written on a wrong one), corrections with a reason (audited old and new), overtime
over 40 hours a week and the pay period report.

Downtown is in New York: on Monday 23 November 2026 (EST, UTC-5) the early shift 07:00-15:00 is 12:00-20:00 UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core import clock as clock_module
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.staffing import clock_selectors, clock_services, services
from clinicdesk.staffing.clock_services import TooManyTries
from clinicdesk.staffing.models import ClockPin, Punch, Roster, RosterAssignment, RosterStatus, ShiftType

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 23)


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A New York wall-clock time in November (EST) as UTC."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC) + dt.timedelta(hours=5)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


@pytest.fixture
def early(location, coordinator):
    return services.shift_type_create(actor=coordinator, location_id=location.pk, code="E", name="Early",
                                      start=dt.time(7), end=dt.time(15), paid_minutes=450)


@pytest.fixture
def roster(location):
    return Roster.objects.create(location=location, period_start=dt.date(2026, 11, 16),
                                 period_end=dt.date(2026, 12, 13), status=RosterStatus.PUBLISHED)


@pytest.fixture
def nurse(make_user):
    return make_user(Role.NURSE, first_name="Nora", last_name="Nurse")


@pytest.fixture
def member(nurse, location, coordinator):
    return services.staff_member_create(actor=coordinator, user_id=nurse.pk, location_id=location.pk)


def rostered(roster: Roster, member, shift: ShiftType, *days: dt.date) -> list[RosterAssignment]:
    return [RosterAssignment.objects.create(roster=roster, staff=member, date=day, shift_type=shift) for day in days]


def punch_at(actor, action: str, moment: dt.datetime) -> Punch:
    with clock_module.frozen_at(moment):
        return clock_services.clock_punch_self(actor=actor, action=action)


def board(actor, location, day: dt.date, now: dt.datetime):
    with clock_module.frozen_at(now):
        return clock_selectors.attendance_board(actor=actor, location_id=location.pk, day=day, tz=location.tz)


# --- clocking in and out -----------------------------------------------------------------------------------------

def test_a_clock_in_seven_minutes_after_the_start_is_late_by_seven(nurse, member, roster, early, location,
                                                                   coordinator):
    [shift] = rostered(roster, member, early, MON)
    punch = punch_at(nurse, "in", utc(MON, 7, 7))
    assert punch.assignment == shift and punch.clock_in == dt.datetime(2026, 11, 23, 12, 7, tzinfo=dt.UTC)
    punch_at(nurse, "out", utc(MON, 15, 2))
    [row] = board(coordinator, location, MON, utc(MON, 18))
    assert row.shift_start == dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    assert row.shift_end == dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)
    assert (row.late_minutes, row.early_minutes, row.missed, row.minutes) == (7, 0, False, 8 * 60 - 5)
    entry = AuditEntry.objects.filter(action="staffing.clock.in").get()
    assert entry.detail["assignment"] == shift.pk and entry.detail["method"] == "self"


def test_a_clock_in_within_the_grace_minutes_is_on_time(nurse, member, roster, early, location, coordinator):
    rostered(roster, member, early, MON)
    punch_at(nurse, "in", utc(MON, 7, 5))  # exactly start + 5 grace minutes
    [row] = board(coordinator, location, MON, utc(MON, 9))
    assert not row.late and row.open and [tone for _label, tone in row.badges] == ["info"]


def test_the_grace_minutes_are_a_setting(nurse, member, roster, early, location, coordinator):
    rostered(roster, member, early, MON)
    clock_services.clock_settings_update(actor=coordinator, pay_period="weekly", anchor=MON, grace_minutes=0)
    punch_at(nurse, "in", utc(MON, 7, 1))
    [row] = board(coordinator, location, MON, utc(MON, 9))
    assert row.late_minutes == 1


def test_leaving_twenty_minutes_early_is_flagged(nurse, member, roster, early, location, coordinator):
    rostered(roster, member, early, MON)
    punch_at(nurse, "in", utc(MON, 6, 55))
    punch_at(nurse, "out", utc(MON, 14, 40))
    [row] = board(coordinator, location, MON, utc(MON, 16))
    assert (row.late_minutes, row.early_minutes) == (0, 20)


def test_a_shift_without_a_clock_in_is_missed_only_once_it_has_ended(member, roster, early, location,
                                                                     coordinator):
    rostered(roster, member, early, MON)
    [during] = board(coordinator, location, MON, utc(MON, 14, 59))
    assert not during.missed and during.upcoming
    [after] = board(coordinator, location, MON, utc(MON, 15))
    assert after.missed and after.badges[0][1] == "danger"


def test_a_draft_rosters_shift_is_neither_matched_nor_missed(nurse, member, early, location, coordinator):
    draft = Roster.objects.create(location=location, period_start=dt.date(2026, 11, 16),
                                  period_end=dt.date(2026, 12, 13), status=RosterStatus.DRAFT)
    rostered(draft, member, early, MON)
    punch = punch_at(nurse, "in", utc(MON, 8))
    assert punch.assignment is None
    [row] = board(coordinator, location, MON, utc(MON, 20))
    assert row.assignment is None and not row.missed and "Not rostered" in [label for label, _t in row.badges]


def test_clocking_in_twice_is_refused_with_a_clear_message(nurse, member, roster, early):
    punch_at(nurse, "in", utc(MON, 7))
    with pytest.raises(Conflict) as refused:
        punch_at(nurse, "in", utc(MON, 7, 30))
    assert refused.value.code == "already-clocked-in" and "7 a.m." in refused.value.detail
    assert Punch.objects.count() == 1


def test_clocking_out_when_not_in_is_refused(nurse, member):
    with pytest.raises(Conflict) as refused:
        punch_at(nurse, "out", utc(MON, 15))
    assert refused.value.code == "not-clocked-in" and Punch.objects.count() == 0


def test_staff_without_a_contract_have_nothing_to_clock(make_user):
    with pytest.raises(ValidationFailed) as refused:
        punch_at(make_user(Role.FRONT_DESK), "in", utc(MON, 7))
    assert refused.value.code == "no-contract"


def test_the_database_refuses_a_second_open_punch(member):
    from django.db import IntegrityError, transaction

    Punch.objects.create(staff=member, location_id=member.location_id, clock_in=utc(MON, 7))
    with pytest.raises(IntegrityError), transaction.atomic():
        Punch.objects.create(staff=member, location_id=member.location_id, clock_in=utc(MON, 8))


# --- PINs at the shared desk ---------------------------------------------------------------------------------------

def test_a_pin_is_stored_hashed_and_clocks_in_at_the_desk(nurse, member, make_user, roster, early):
    rostered(roster, member, early, MON)
    clock_services.clock_pin_set(actor=nurse, staff_member_id=member.pk, pin="4821")
    stored = ClockPin.objects.get(user=nurse)
    assert stored.pin_hash != "4821" and "4821" not in stored.pin_hash and check_password("4821", stored.pin_hash)
    desk = make_user(Role.FRONT_DESK)
    with clock_module.frozen_at(utc(MON, 6, 58)):
        punch = clock_services.clock_punch_pin(actor=desk, staff_id=member.pk, pin="4821", action="in")
    assert punch.staff == member and punch.in_method == "pin" and punch.assignment is not None
    entry = AuditEntry.objects.filter(action="staffing.clock.in").get()
    assert entry.actor_id == desk.pk and entry.detail["method"] == "pin"


def test_a_wrong_pin_writes_nothing_and_five_lock_the_pin(nurse, member, make_user):
    clock_services.clock_pin_set(actor=nurse, staff_member_id=member.pk, pin="4821")
    desk = make_user(Role.FRONT_DESK)
    with clock_module.frozen_at(utc(MON, 7)):
        for _n in range(5):
            with pytest.raises(ValidationFailed) as wrong:
                clock_services.clock_punch_pin(actor=desk, staff_id=member.pk, pin="1357", action="in")
            assert wrong.value.code == "wrong-pin" and "Nothing was recorded" in wrong.value.detail
        with pytest.raises(TooManyTries):  # even the right PIN, while locked
            clock_services.clock_punch_pin(actor=desk, staff_id=member.pk, pin="4821", action="in")
    assert Punch.objects.count() == 0
    assert AuditEntry.objects.filter(action="staffing.clock.pin_wrong", outcome="denied").count() == 5
    with clock_module.frozen_at(utc(MON, 7, 16)):  # 15 minutes later the PIN works again
        assert clock_services.clock_punch_pin(actor=desk, staff_id=member.pk, pin="4821", action="in")


def test_an_unknown_staff_id_reads_as_a_wrong_pin(make_user):
    with pytest.raises(ValidationFailed) as wrong:
        clock_services.clock_punch_pin(actor=make_user(Role.FRONT_DESK), staff_id=999999, pin="4821",
                                       action="in")
    assert wrong.value.code == "wrong-pin"


def test_a_desk_of_another_location_cannot_clock_our_staff(nurse, member, outsider):
    clock_services.clock_pin_set(actor=nurse, staff_member_id=member.pk, pin="4821")
    with pytest.raises(ValidationFailed):
        clock_services.clock_punch_pin(actor=outsider, staff_id=member.pk, pin="4821", action="in")
    assert Punch.objects.count() == 0


def test_easy_or_short_pins_are_refused_and_only_oneself_or_the_coordinator_sets_one(nurse, member, make_user,
                                                                                     coordinator):
    for pin in ("12", "1111", "1234", "abcd", "123456789"):
        with pytest.raises(ValidationFailed):
            clock_services.clock_pin_set(actor=nurse, staff_member_id=member.pk, pin=pin)
    with pytest.raises((PermissionDenied, NotFound)):
        clock_services.clock_pin_set(actor=make_user(Role.FRONT_DESK), staff_member_id=member.pk, pin="4821")
    clock_services.clock_pin_set(actor=coordinator, staff_member_id=member.pk, pin="4821")
    assert AuditEntry.objects.filter(action="staffing.clock.pin_set").count() == 1
    assert "4821" not in str(AuditEntry.objects.filter(action="staffing.clock.pin_set").get().detail)


# --- corrections ---------------------------------------------------------------------------------------------------

def test_a_correction_needs_a_reason_and_audits_the_old_and_new_times(nurse, member, coordinator, roster, early,
                                                                      location):
    rostered(roster, member, early, MON)
    punch = punch_at(nurse, "in", utc(MON, 7, 20))
    with clock_module.frozen_at(utc(MON, 18)):
        with pytest.raises(ValidationFailed):
            clock_services.punch_correct(actor=coordinator, punch_id=punch.pk, clock_in=utc(MON, 7),
                                         clock_out=utc(MON, 15), reason="  ")
        with pytest.raises(ValidationFailed):
            clock_services.punch_correct(actor=coordinator, punch_id=punch.pk, clock_in=utc(MON, 7),
                                         clock_out=utc(MON, 6), reason="Forgot")
        with pytest.raises((PermissionDenied, NotFound)):
            clock_services.punch_correct(actor=nurse, punch_id=punch.pk, clock_in=utc(MON, 7),
                                         clock_out=utc(MON, 15), reason="Myself")
        done = clock_services.punch_correct(actor=coordinator, punch_id=punch.pk, clock_in=utc(MON, 7),
                                            clock_out=utc(MON, 15), reason="Badge reader was down")
    assert done.corrected and done.minutes == 480
    entry = AuditEntry.objects.filter(action="staffing.clock.correct").get()
    assert entry.detail["old"] == {"clock_in": "2026-11-23T12:20:00+00:00", "clock_out": None}
    assert entry.detail["new"] == {"clock_in": "2026-11-23T12:00:00+00:00",
                                   "clock_out": "2026-11-23T20:00:00+00:00"}
    assert entry.detail["reason"] == "Badge reader was down"
    [row] = board(coordinator, location, MON, utc(MON, 18))
    assert not row.late and "Corrected" in [label for label, _t in row.badges]


# --- pay periods ---------------------------------------------------------------------------------------------------

def _worked(member, day: dt.date, start: int, end: int) -> None:
    Punch.objects.create(staff=member, location_id=member.location_id, clock_in=utc(day, start),
                         clock_out=utc(day, end))


def test_the_pay_period_follows_the_anchor_weekly_or_biweekly(coordinator):
    settings = clock_services.clock_settings_update(actor=coordinator, pay_period="biweekly",
                                                    anchor=dt.date(2026, 1, 5), grace_minutes=5)
    # 2026-11-23 is 322 days after 5 January: 23 whole fortnights, so the period starts that very day.
    assert clock_selectors.period_of(MON, settings) == (MON, dt.date(2026, 12, 6))
    assert clock_selectors.period_of(dt.date(2026, 11, 22), settings) == (dt.date(2026, 11, 9),
                                                                          dt.date(2026, 11, 22))
    settings = clock_services.clock_settings_update(actor=coordinator, pay_period="weekly",
                                                    anchor=dt.date(2026, 1, 7), grace_minutes=5)
    assert clock_selectors.period_of(MON, settings) == (dt.date(2026, 11, 18), dt.date(2026, 11, 24))


def test_overtime_is_time_over_forty_hours_in_each_week(member, coordinator, location, roster, early):
    clock_services.clock_settings_update(actor=coordinator, pay_period="biweekly", anchor=dt.date(2026, 11, 16),
                                         grace_minutes=5)
    first_week = [dt.date(2026, 11, 16) + dt.timedelta(days=n) for n in range(5)]
    for day in first_week:  # 5 x 9 h = 45 h: 5 h overtime
        _worked(member, day, 7, 16)
    for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 24)):  # 2 x 8 h = 16 h: no overtime
        _worked(member, day, 7, 15)
    rostered(roster, member, early, dt.date(2026, 11, 25))  # Wednesday: not worked, ended by Thursday
    rostered(roster, member, early, dt.date(2026, 11, 23))  # worked on time
    with clock_module.frozen_at(utc(dt.date(2026, 11, 26), 9)):
        report = clock_selectors.pay_period_report(actor=coordinator, location_id=location.pk, tz=location.tz,
                                                   day=dt.date(2026, 11, 26))
    [line] = report.lines
    assert (report.start, report.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 29))
    assert (line.regular_hours, line.overtime_hours) == (Decimal("56.00"), Decimal("5.00"))
    assert (line.late_shifts, line.missed_shifts) == (0, 1)
    assert clock_selectors.pay_period_rows(report) == [
        ["Nora Nurse", "2026-11-16", "2026-11-29", "56.00", "5.00", "0", "1"]]


def test_the_report_is_the_coordinators(make_user, location):
    with pytest.raises(PermissionDenied):
        clock_selectors.pay_period_report(actor=make_user(Role.NURSE), location_id=location.pk, tz=location.tz,
                                          day=MON)
    with pytest.raises(PermissionDenied):
        clock_selectors.attendance_board(actor=make_user(Role.FRONT_DESK), location_id=location.pk, day=MON,
                                         tz=location.tz)
