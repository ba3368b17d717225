"""New-patient lead time: days from today to the third next available appointment (first-available search)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.insight.dashboard_selectors import dashboard_read
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityTemplateFactory,
    PractitionerFactory,
    UserFactory,
)

NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    from django.core.cache import cache

    cache.clear()  # the lead time is cached for 10 minutes per location, type and day


@pytest.fixture
def setup(db, clock, location):
    """Today is Monday 23 November 2026, 10:00 in New York. The provider takes one 40-minute new patient at
    08:00 on Mondays, Wednesdays and Fridays; Wednesday 25 is already booked. Free: Fri 27, Mon 30, Wed 2 Dec:
    the third is 9 days out."""
    provider = PractitionerFactory(first_name="Nora", last_name="Newman", location=location)
    kind = AppointmentTypeFactory(code="new-patient", name="New patient", duration_minutes=40, new_patient=True)
    for weekday in (0, 2, 4):
        AvailabilityTemplateFactory(practitioner=provider, location=location, weekday=weekday,
                                    start_time=dt.time(8), end_time=dt.time(8, 40))
    AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                       start=dt.datetime(2026, 11, 25, 8, tzinfo=NY))
    return provider, kind, UserFactory(role=Role.PRACTICE_COORDINATOR)


def test_lead_time_is_the_days_to_the_third_next_available_slot(setup, location):
    _provider, _kind, coordinator = setup
    figure = dashboard_read(actor=coordinator, params={}, keys=["lead-time"]).figures[0]
    assert figure.labels == [f"{location.name} · New patient"]
    assert figure.series[0].values == [9.0]


def test_lead_time_is_empty_when_fewer_than_three_slots_are_free(setup, location):
    provider, kind, coordinator = setup
    for day in (27, 30):
        AppointmentFactory(location=location, practitioner=provider, appointment_type=kind,
                           start=dt.datetime(2026, 11, day, 8, tzinfo=NY))
    for week in range(1, 14):
        for offset in (0, 2, 4):
            start = dt.datetime(2026, 11, 30, 8, tzinfo=NY) + dt.timedelta(weeks=week, days=offset)
            AppointmentFactory(location=location, practitioner=provider, appointment_type=kind, start=start)
    figure = dashboard_read(actor=coordinator, params={}, keys=["lead-time"]).figures[0]
    assert figure.series[0].values == [None]
