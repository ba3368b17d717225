import datetime as dt
from zoneinfo import ZoneInfo

from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import day_span_utc, local_to_utc, window_bound_to_utc
from tests.factories import AppointmentFactory

NEW_YORK = ZoneInfo("America/New_York")


def test_nine_am_is_nine_am_on_both_sides_of_spring_forward():
    before = local_to_utc(dt.date(2026, 3, 7), dt.time(9), NEW_YORK)
    after = local_to_utc(dt.date(2026, 3, 9), dt.time(9), NEW_YORK)
    assert before.hour == 14 and after.hour == 13  # EST is UTC-5, EDT is UTC-4


def test_time_in_the_spring_forward_gap_moves_forward():
    moment = local_to_utc(dt.date(2026, 3, 8), dt.time(2, 30), NEW_YORK)
    assert moment.astimezone(NEW_YORK).hour == 3


def test_a_window_bound_in_the_spring_forward_gap_is_the_moment_the_clocks_jump():
    change = dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC)  # 02:00 EST becomes 03:00 EDT
    for wall in (dt.time(2), dt.time(2, 30), dt.time(2, 59, 59)):
        assert window_bound_to_utc(dt.date(2026, 3, 8), wall, NEW_YORK) == change
    for wall in (dt.time(1, 59), dt.time(3), dt.time(9)):  # outside the gap: the same as a point in time
        assert window_bound_to_utc(dt.date(2026, 3, 8), wall, NEW_YORK) == local_to_utc(dt.date(2026, 3, 8), wall,
                                                                                       NEW_YORK)
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # a half-hour change: 02:00 becomes 02:30
    moment = window_bound_to_utc(dt.date(2026, 10, 4), dt.time(2, 15), lord_howe)
    assert moment.astimezone(lord_howe).time() == dt.time(2, 30)
    havana = ZoneInfo("America/Havana")  # clocks jump at midnight: that day starts at 01:00
    start, end = day_span_utc(dt.date(2026, 3, 8), havana)
    assert start.astimezone(havana).time() == dt.time(1) and end - start == dt.timedelta(hours=23)


def test_dst_days_are_23_and_25_hours_long():
    start, end = day_span_utc(dt.date(2026, 3, 8), NEW_YORK)
    assert end - start == dt.timedelta(hours=23)
    start, end = day_span_utc(dt.date(2026, 11, 1), NEW_YORK)
    assert end - start == dt.timedelta(hours=25)


def test_schedule_renders_local_times_across_the_dst_change(signed_in, location):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    for day in (dt.date(2026, 10, 31), dt.date(2026, 11, 2)):
        AppointmentFactory(location=location, start=local_to_utc(day, dt.time(9, 0), NEW_YORK))
    saturday = clerk.get("/schedule/day/", {"location": location.pk, "day": "2026-10-31"})
    monday = clerk.get("/schedule/day/", {"location": location.pk, "day": "2026-11-02"})
    assert b"09:00\xe2\x80\x9309:20" in saturday.content
    assert b"09:00\xe2\x80\x9309:20" in monday.content


def test_each_location_shows_its_own_zone(signed_in, location, other_location):
    manager = signed_in(Role.PRACTICE_COORDINATOR)
    moment = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    AppointmentFactory(location=location, start=moment)
    AppointmentFactory(location=other_location, start=moment)
    east = manager.get("/schedule/day/", {"location": location.pk, "day": "2026-11-24"})
    central = manager.get("/schedule/day/", {"location": other_location.pk, "day": "2026-11-24"})
    assert b"10:00" in east.content
    assert b"09:00" in central.content
