"""The demo's two upcoming workshops, built through the services."""

from __future__ import annotations

from clinicdesk.core.permissions import Role
from clinicdesk.outreach.demo import workshops_demo
from clinicdesk.outreach.models import Event, Registration
from tests.factories import PatientFactory


def test_workshops_demo_plans_two_workshops_with_registrations_and_a_waitlist(make_user, location, clock):
    make_user(Role.PRACTICE_COORDINATOR, at=location)
    make_user(Role.FRONT_DESK, at=location)
    for _ in range(12):
        PatientFactory(home_location=location)
    assert workshops_demo(location_ids=[location.pk]) == 12
    assert Event.objects.filter(start__gt=clock.now()).count() == 2
    assert Registration.objects.filter(status="waitlisted").count() == 2  # the prenatal class is full
    assert workshops_demo(location_ids=[location.pk]) == 0  # once
