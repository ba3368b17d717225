"""The dashboards' daily counts follow the schedule through its hooks (bookings, moves, status changes), and a
rebuild gives the same counts; insight never writes the schedule's tables."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from clinicdesk.core import clock as clock_module
from clinicdesk.core.permissions import Role
from clinicdesk.insight.dashboards import rollup
from clinicdesk.insight.models import DailyAppointments
from clinicdesk.scheduling.services import (
    BookingRequest,
    appointment_book,
    appointment_cancel,
    appointment_mark_noshow,
    appointment_reschedule,
)
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

NY = ZoneInfo("America/New_York")


@pytest.fixture
def desk(db, clock, location):
    return UserFactory(role=Role.PATIENT_COORDINATOR, location=location)


@pytest.fixture
def provider(location):
    practitioner = PractitionerFactory(location=location)
    weekly_availability(practitioner, location)
    return practitioner


def counts(day: dt.date) -> dict[str, int]:
    rows = DailyAppointments.objects.filter(day=day)
    return {name: sum(getattr(r, name) for r in rows) for name in rollup.COUNTS}


def test_a_booking_and_a_move_are_counted_on_their_days(desk, provider, location,
                                                        django_capture_on_commit_callbacks):
    kind = AppointmentTypeFactory(duration_minutes=20)
    patient = PatientFactory(home_location=location)
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(actor=desk, request=BookingRequest(
            patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=kind.pk, start=dt.datetime(2026, 11, 25, 9, tzinfo=NY)))
    assert counts(dt.date(2026, 11, 25))["appointments"] == 1
    assert counts(dt.date(2026, 11, 25))["booked_minutes"] == 20
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(actor=desk, appointment_id=booked.pk, start=dt.datetime(2026, 11, 27, 9, tzinfo=NY))
    assert counts(dt.date(2026, 11, 25))["appointments"] == 0
    assert counts(dt.date(2026, 11, 27))["appointments"] == 1


def test_a_late_cancellation_and_a_noshow_are_counted_by_the_status_hook(desk, provider, location,
                                                                        django_capture_on_commit_callbacks):
    kind = AppointmentTypeFactory(duration_minutes=20)
    past = AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                              start=dt.datetime(2026, 11, 23, 9, tzinfo=NY))
    soon = AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                              start=dt.datetime(2026, 11, 23, 15, tzinfo=NY))
    rollup.rebuild()
    assert counts(dt.date(2026, 11, 23)) == {"appointments": 2, "new_patients": 0, "booked_minutes": 40,
                                             "attended": 0, "noshows": 0, "cancelled": 0, "late_cancels": 0}
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_noshow(actor=desk, appointment_id=past.pk)
        appointment_cancel(actor=desk, appointment_id=soon.pk, reason="Feeling better")
    assert counts(dt.date(2026, 11, 23)) == {"appointments": 2, "new_patients": 0, "booked_minutes": 0,
                                             "attended": 0, "noshows": 1, "cancelled": 1, "late_cancels": 1}


def test_a_rebuild_gives_the_same_counts_as_the_hooks(desk, provider, location, django_capture_on_commit_callbacks):
    kind = AppointmentTypeFactory(duration_minutes=20)
    appointment = AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                                     start=dt.datetime(2026, 11, 23, 9, tzinfo=NY))
    rollup.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_noshow(actor=desk, appointment_id=appointment.pk)
    by_hook = sorted(DailyAppointments.objects.values_list("day", "practitioner_id", "appointments", "noshows"))
    rollup.rebuild()
    assert sorted(DailyAppointments.objects.values_list("day", "practitioner_id", "appointments", "noshows")) \
        == by_hook


def test_the_local_day_counts_not_the_utc_day(db, location):
    provider = PractitionerFactory(location=location)
    AppointmentFactory(location=location, practitioner=provider, bookings=False,
                       start=dt.datetime(2026, 11, 23, 21, 30, tzinfo=NY))  # 02:30 UTC on the 24th
    rollup.rebuild()
    assert counts(dt.date(2026, 11, 23))["appointments"] == 1
    assert counts(dt.date(2026, 11, 24))["appointments"] == 0


def test_a_failing_recount_never_undoes_the_schedules_change(desk, provider, location, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    appointment = AppointmentFactory(location=location, practitioner=provider,
                                     start=dt.datetime(2026, 11, 23, 9, tzinfo=NY))

    def broken(keys, **options):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(rollup, "recompute", broken)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_noshow(actor=desk, appointment_id=appointment.pk)
    appointment.refresh_from_db()
    assert appointment.status == "noshow"


def test_reminders_and_flow_board_times_are_counted_with_the_day(db, clock):
    from .dashboard_world import build

    world = build()
    row = {name: sum(getattr(r, name) for r in DailyAppointments.objects.filter(
        day=dt.date(2026, 11, 2), location_id=world.downtown.pk)) for name in rollup.EXTRA}
    assert row == {"reminded": 2, "confirmed": 1, "roomed_visits": 2, "rooming_seconds": 30 * 60,
                   "finished_visits": 2, "visit_seconds": 120 * 60}


def test_a_booking_recounts_only_the_counts_and_matches_a_full_recount(desk, provider, location,
                                                                         django_capture_on_commit_callbacks):
    """A booking only adds to its day: its recount upserts the counts and leaves the reminder and flow-board
    columns as they are. They must be what a full recount of the day writes."""
    from clinicdesk.comms.models import Message

    kind = AppointmentTypeFactory(duration_minutes=20)
    reminded = AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                                  start=dt.datetime(2026, 11, 25, 8, tzinfo=NY))
    Message.objects.create(patient=reminded.patient, appointment=reminded, kind="reminder", channel="sms",
                           status="delivered", to_address="+15555550100", body="Reminder",
                           send_after=reminded.start - dt.timedelta(days=1), dedupe_key="reminder:rollup")
    rollup.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(actor=desk, request=BookingRequest(
            patient_id=PatientFactory(home_location=location).pk, practitioner_id=provider.pk,
            location_id=location.pk, appointment_type_id=kind.pk, start=dt.datetime(2026, 11, 25, 9, tzinfo=NY)))
    columns = ("day", "practitioner_id", "appointment_type_id", *rollup.FIELDS)
    by_hook = sorted(DailyAppointments.objects.values_list(*columns))
    assert [row[3] for row in by_hook] == [2] and by_hook[0][columns.index("reminded")] == 1
    rollup.rebuild()
    assert sorted(DailyAppointments.objects.values_list(*columns)) == by_hook


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's IMMEDIATE transactions serialize the writers")
@pytest.mark.django_db(transaction=True)
def test_two_recounts_of_one_day_at_once_end_with_the_later_count(clock, desk, provider, location, monkeypatch):
    """A recount that has read the day, then a booking on that day whose own recount runs meanwhile: the booking's
    recount waits for the first to write, then reads again, so the day ends with both appointments (without the
    lock on the day, the first recount's stale write would land last and leave it at one)."""
    kind = AppointmentTypeFactory(duration_minutes=20)
    day = dt.date(2026, 11, 25)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                       start=dt.datetime(2026, 11, 25, 8, tzinfo=NY))
    rollup.rebuild()
    key = (location.pk, provider.pk, day)
    read, go = threading.Event(), threading.Event()
    original = rollup._rows

    def rows_then_wait(*args, **kwargs):
        rows = original(*args, **kwargs)
        if threading.current_thread() is first:  # the first recount pauses between its read and its write
            read.set()
            assert go.wait(30)
        return rows

    monkeypatch.setattr(rollup, "_rows", rows_then_wait)
    now = clock_module.now()
    failures: list[BaseException] = []

    def in_thread(work):
        def run() -> None:
            try:
                with clock_module.frozen_at(now):
                    work()
            except BaseException as error:  # reported by the test below
                failures.append(error)
            finally:
                connection.close()
        return threading.Thread(target=run)

    first = in_thread(lambda: rollup.recompute([key], zones={location.pk: location.time_zone}))
    first.start()
    assert read.wait(30)
    second = in_thread(lambda: appointment_book(actor=desk, request=BookingRequest(
        patient_id=PatientFactory(home_location=location).pk, practitioner_id=provider.pk, location_id=location.pk,
        appointment_type_id=kind.pk, start=dt.datetime(2026, 11, 25, 9, tzinfo=NY))))
    second.start()
    _until_done_or_waiting_on_the_day(second)
    go.set()
    for thread in (first, second):
        thread.join(30)
    assert not failures, failures
    assert counts(day)["appointments"] == 2


def _until_done_or_waiting_on_the_day(thread: threading.Thread) -> None:
    """Until `thread` has finished, or another connection waits for an advisory lock (the booking's recount, queued
    behind the first): polled, as nothing else tells."""
    with connection.cursor() as cursor:
        for _ in range(3000):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock' AND wait_event = 'advisory'")
            if not thread.is_alive() or cursor.fetchone()[0]:
                return
            thread.join(0.01)
    raise AssertionError("the booking neither finished nor waited for the day")
