"""Eight desks register eight people for the last place at the same moment (threads, each its own connection):
exactly one gets it, seven go to the waitlist, the event is never over-booked. PostgreSQL only (SQLite takes one
writer at a time: there is no race to lose)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from clinicdesk.outreach.models import Event, Registration
from clinicdesk.outreach.services import registration_add
from tests.factories import PatientFactory

RACERS = 8


@pytest.mark.django_db(transaction=True)
def test_racing_registrations_for_the_last_place_leave_one_place_and_a_waitlist(clerk, make_event, location):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers (PostgreSQL)")
    event = make_event(capacity=1)
    patients = [PatientFactory(home_location=location) for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def register(patient):
        try:
            barrier.wait(timeout=30)
            outcomes.append(registration_add(actor=clerk, event=event.pk, patient=patient).status)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes) == ["confirmed"] + ["waitlisted"] * (RACERS - 1)
    assert Event.objects.get(pk=event.pk).taken == 1
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1
