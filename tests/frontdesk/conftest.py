"""A New York location on Monday 23 November 2026, 10:00 local (the frozen clock), with a provider who works
8:00-17:00 every day, rooms, a nurse, a desk clerk, an outsider at another location and a stranger."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from tests.factories import (
    AppointmentFactory,
    RoomFactory,
    UserFactory,
)

NEW_YORK = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 23)


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return local_to_utc(day, dt.time(hour, minute), NEW_YORK)


@pytest.fixture
def follow_up_type(follow_up):
    return follow_up


@pytest.fixture
def room(location):
    return RoomFactory(location=location, name="Exam 1")


@pytest.fixture
def nurse(location):
    return UserFactory(role=Role.NURSE, location=location, first_name="Nia", last_name="Nurse")


@pytest.fixture
def doctor_user(location):
    return UserFactory(role=Role.PROVIDER, location=location)


@pytest.fixture
def coordinator(location):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)


@pytest.fixture
def stranger(location):
    """Works at the location without any front-desk permission."""
    return UserFactory(role=Role.BILLING, location=location)


@pytest.fixture
def appointment(location, provider, patient, follow_up_type, clock):
    return AppointmentFactory(location=location, practitioner=provider, patient=patient,
                              appointment_type=follow_up_type, start=at(10, 30))
