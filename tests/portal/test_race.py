"""Two patients race for one time online: exactly one gets it (the desk's locks and constraint hold)."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.core import clock as clock_module
from clinicdesk.portal import services
from clinicdesk.scheduling.models import Appointment
from tests.factories import PractitionerFactory, weekly_availability

from .helpers import actor_for

pytestmark = pytest.mark.django_db(transaction=True)


def _book_at_once(rule, bookings: list[tuple[object, str]]) -> list[object]:
    """Each (actor, option) booked in its own thread and connection, all released together at the test's frozen
    time; what each returned (an appointment) or raised."""
    now = clock_module.now()
    barrier = threading.Barrier(len(bookings))
    results: list[object] = []

    def book(actor, option: str) -> None:
        try:
            with clock_module.frozen_at(now):
                barrier.wait()
                results.append(services.portal_appointment_book(
                    actor=actor, appointment_type_id=rule.appointment_type_id, option=option))
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=pair) for pair in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_patients_race_for_one_slot(clock, rule, ana, ben, provider):
    start = clock_module.now() + dt.timedelta(days=2)
    option = f"{provider.pk}:{int(start.timestamp())}"
    results = _book_at_once(rule, [(actor_for(ana), option), (actor_for(ben), option)])
    assert Appointment.objects.filter(start=start, status="booked").count() == 1
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if not isinstance(r, Appointment)]
    assert len(booked) == 1 and len(refused) == 1
    assert getattr(refused[0], "status", None) == 409, refused[0]


def test_one_patient_booking_twice_at_once_holds_the_open_bookings_limit(clock, rule, ana, provider, location):
    """The rule allows 2 open bookings; Ana holds 1 and books two more times at once, with two providers: the
    second booking waits for the first one's lock on her row, counts it, and is refused and rolled back."""
    other = PractitionerFactory(last_name="Other")
    weekly_availability(other, location)
    now = clock_module.now()
    services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                     option=f"{provider.pk}:{int((now + dt.timedelta(days=2)).timestamp())}")
    start = now + dt.timedelta(days=3)
    options = [f"{p.pk}:{int((start + dt.timedelta(hours=n)).timestamp())}" for n, p in enumerate((provider, other))]
    results = _book_at_once(rule, [(actor_for(ana), option) for option in options])
    refused = [r for r in results if not isinstance(r, Appointment)]
    assert len(results) == 2 and len(refused) == 1, results
    assert getattr(refused[0], "code", None) == "too-many-open", refused[0]
    assert Appointment.objects.filter(patient=ana).count() == 2


def test_a_portal_booking_locks_the_provider_first(clock, rule, ana, provider):
    """The desk's fixed order (provider, room, equipment, patient): the portal takes no lock of its own before it,
    so a desk booking and a portal booking of the same patient never wait on each other in opposite orders."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite holds one write lock)")
    option = f"{provider.pk}:{int((clock_module.now() + dt.timedelta(days=2)).timestamp())}"
    with CaptureQueriesContext(connection) as captured:
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                         option=option)
    locks = [q["sql"] for q in captured.captured_queries if re.search(r"FOR (NO KEY )?UPDATE", q["sql"])]
    assert locks and '"practice_practitioner"' in locks[0].split("WHERE")[0], locks
