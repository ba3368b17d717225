"""Two patients race for one time online: exactly one gets it (the desk's locks and constraint hold)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from clinicdesk.core import clock as clock_module
from clinicdesk.portal import services
from clinicdesk.scheduling.models import Appointment

from .helpers import actor_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_patients_race_for_one_slot(clock, rule, ana, ben, provider):
    start = clock_module.now() + dt.timedelta(days=2)
    option = f"{provider.pk}:{int(start.timestamp())}"
    actors = [actor_for(ana), actor_for(ben)]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def book(actor) -> None:
        try:
            with clock_module.frozen_at(start - dt.timedelta(days=2)):
                barrier.wait()
                results.append(services.portal_appointment_book(
                    actor=actor, appointment_type_id=rule.appointment_type_id, option=option))
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Appointment.objects.filter(start=start, status="booked").count() == 1
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if not isinstance(r, Appointment)]
    assert len(booked) == 1 and len(refused) == 1
    assert getattr(refused[0], "status", None) == 409, refused[0]
