"""Workshop fixtures: the clock is frozen on Monday 2026-11-23 at 10:00 in New York (15:00 UTC)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.outreach.services import event_create
from tests.factories import PatientFactory

NEXT_WEEK = dt.date(2026, 11, 30)


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PRACTICE_COORDINATOR, at=location)


@pytest.fixture
def make_event(coordinator, location, clock):
    def make(**changes):
        values = dict(location_id=location.pk, kind="diabetes", title_en="Living with diabetes",
                      title_es="Vivir con diabetes", day=NEXT_WEEK, time=dt.time(18, 0), capacity=2,
                      description_en="Meals and checks.", description_es="Comidas y controles.")
        return event_create(actor=coordinator, **(values | changes))

    return make


@pytest.fixture
def people(location):
    return [PatientFactory(home_location=location, given_name=name, email=f"{name.lower()}@example.org",
                           email_opt_in=True) for name in ("Ana", "Berta", "Carlos", "Dora")]
