"""A small real clinic for the fuzz suites: one location in New York (DST), two providers who work
8:00-17:00 every day, two appointment types (one needs an exam room), two exam rooms, patients, a few
appointments, and a front-desk user with a signed-in session. The clock is frozen on Monday
23 November 2026, 10:00 in New York.

Hypothesis runs many examples inside one test, so they share this data and the test's transaction
(pytest-django rolls it back after the test): bookings made by one example are there for the next,
as they would be in a real day."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone

from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.scheduling.services import BookingRequest, appointment_book, appointment_cancel
from tests.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    weekly_availability,
)

# CLINICDESK_FUZZ_SCALE=20 runs twenty times the examples (a deep run); the suite keeps to ~1 minute.
SCALE = max(1, int(os.environ.get("CLINICDESK_FUZZ_SCALE", "1")))


def scaled(examples: int) -> int:
    return examples * SCALE


@contextmanager
def rolled_back() -> Iterator[None]:
    """One Hypothesis example in a savepoint undone at its end: the next example sees the same data (so a
    failure replays the same way when Hypothesis shrinks it)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


NEW_YORK = ZoneInfo("America/New_York")
# Fixed, so that cases generated before any test runs (Schemathesis' coverage phase) carry them too; each
# test writes its own user into this session.
SESSION_KEY_VALUE = "fuzzsession0000000000000000000000"
# The practice coordinator's session: configuration operations (#14) are sent as them, so that the writes are
# exercised rather than refused to the front desk.
COORDINATOR_SESSION_KEY = "fuzzsessioncoordinator00000000000"
CSRF_TOKEN = "fuzzcsrf000000000000000000000000"
TUESDAY = dt.date(2026, 11, 24)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(day, dt.time(hour, minute), NEW_YORK)


@dataclass
class Clinic:
    location: Any
    providers: list[Any]
    types: list[Any]
    rooms: list[Any]
    patients: list[Any]
    clerk: Any
    appointments: list[Any]
    other_location: Any
    session: str = SESSION_KEY_VALUE
    csrf: str = CSRF_TOKEN
    # Bookable starts (free when the test begins): Tuesday to Thursday, every 20 minutes of the working day.
    starts: list[str] = field(default_factory=list)

    def cookies(self) -> dict[str, str]:
        return {settings.SESSION_COOKIE_NAME: self.session, settings.CSRF_COOKIE_NAME: self.csrf}


@pytest.fixture
def raw_wsgi(db):
    """Requests sent to the WSGI app directly (not through Django's test client) must not close the
    test's database connection when they finish: disconnect Django's per-request cleanup, as the test
    client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_clinic(db, clock) -> Clinic:
    location = LocationFactory(name="Fuzz Clinic", time_zone="America/New_York")
    other = LocationFactory(name="Elsewhere", time_zone="America/Chicago")
    providers = [PractitionerFactory(first_name=name) for name in ("Grace", "Alan")]
    for provider in providers:
        weekly_availability(provider, location)
    types = [AppointmentTypeFactory(code="follow-up", name="Follow-up", duration_minutes=20),
             AppointmentTypeFactory(code="procedure", name="Procedure", duration_minutes=40, buffer_after_minutes=10,
                                    room_kind="exam")]
    rooms = [RoomFactory(location=location, name=f"Exam {n}", kind="exam") for n in (1, 2)]
    patients = [PatientFactory(home_location=location) for _ in range(4)]
    PatientFactory(home_location=other)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    booked = appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patients[0].pk, practitioner_id=providers[0].pk, location_id=location.pk,
        appointment_type_id=types[0].pk, start=at(TUESDAY, 9)))
    other_booked = appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patients[1].pk, practitioner_id=providers[1].pk, location_id=location.pk,
        appointment_type_id=types[1].pk, start=at(TUESDAY, 11)))
    cancelled = appointment_book(actor=clerk, request=BookingRequest(
        patient_id=patients[2].pk, practitioner_id=providers[0].pk, location_id=location.pk,
        appointment_type_id=types[0].pk, start=at(TUESDAY, 14)))
    appointment_cancel(actor=clerk, appointment_id=cancelled.pk, reason="Fuzz set-up")
    sign_in(clerk)
    sign_in(UserFactory(role=Role.PRACTICE_COORDINATOR, location=location), session_key=COORDINATOR_SESSION_KEY)
    starts = [at(TUESDAY + dt.timedelta(days=d), h, m).isoformat()
              for d in range(3) for h in range(8, 17) for m in (0, 20, 40)]
    return Clinic(location=location, providers=providers, types=types, rooms=rooms, patients=patients, clerk=clerk,
                  appointments=[booked, other_booked, cancelled], other_location=other, starts=starts)


def sign_in(user: Any, session_key: str = SESSION_KEY_VALUE) -> None:
    """What Client.force_login does, under a fixed session key (a session store makes up its own key)."""
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash()}
    Session.objects.update_or_create(session_key=session_key, defaults={
        "session_data": SessionStore().encode(data), "expire_date": timezone.now() + dt.timedelta(days=1)})
    store = SessionStore(session_key=session_key)
    store._cache.delete(store.cache_key)  # a session cached by an earlier test
