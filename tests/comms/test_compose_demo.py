"""The demo's correspondence (#24): sent letters on charts and an incoming-mail queue at each location."""

import pytest

from clinicdesk.comms.demo import correspondence_demo
from clinicdesk.comms.models import Correspondence, IncomingItem
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_demo_writes_letters_and_fills_the_incoming_queue(location, make_user):
    make_user(Role.PATIENT_COORDINATOR)
    for n in range(4):
        PatientFactory(home_location=location, given_name=f"Demo{n}", address_line=f"{n} Elm St", city="Springfield",
                       state="MA", postal_code="01103")
    assert correspondence_demo(location_ids=[location.pk]) == 5  # no booked visit: no appointment letter
    assert Correspondence.objects.filter(outcome="letter").count() == 1
    queue = IncomingItem.objects.filter(location=location)
    assert queue.count() == 4 and queue.filter(state="new").count() == 1
    assert queue.exclude(patient=None).count() == 2
