"""Shared set-up for the scheduling tests: a location in New York with a provider who works
8:00-17:00 every day, and a frozen clock (Monday 23 November 2026, 10:00 in New York)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.scheduling.services import BookingRequest
from tests.factories import (
    UserFactory,
)

NEW_YORK = ZoneInfo("America/New_York")
TUESDAY = dt.date(2026, 11, 24)


def at(day: dt.date, hour: int, minute: int = 0, tz=NEW_YORK) -> dt.datetime:
    return local_to_utc(day, dt.time(hour, minute), tz)


@pytest.fixture
def billing_user(location):
    """Works at the location but holds no scheduling write permission."""
    return UserFactory(role=Role.BILLING, location=location)


@pytest.fixture
def booking(location, provider, follow_up, patient):
    """Make a BookingRequest at the location with the provider; keywords override."""

    def make(start: dt.datetime, **changes) -> BookingRequest:
        values = dict(patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
                      appointment_type_id=follow_up.pk, start=start)
        values.update(changes)
        return BookingRequest(**values)

    return make
