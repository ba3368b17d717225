"""Row locks that serialize writers must not deadlock with the audit chain head (PostgreSQL).

Found by the load test: a payment holds the audit chain head until it commits, and at COMMIT PostgreSQL checks
its (deferred) foreign keys, which takes a KEY SHARE lock on the patient, the user, the appointment it points
at. A booking that locked that patient (or a sign-in that locked that user) with FOR UPDATE, and then waited for
the chain head to write its own audit entry, made the two wait on each other: "deadlock detected", a 503.
Writers now lock with FOR NO KEY UPDATE, which excludes other writers but not foreign-key checks.

Each test holds one transaction open right after its audit entry, lets the other service run until it waits for
the chain head, then commits; both must finish."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from clinicdesk.accounts.services import sign_in_check
from clinicdesk.audit.models import ChainHead
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.services import visit_check_in
from clinicdesk.scheduling.models import Appointment
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import (
    PASSWORD,
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres,
              pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="row lock strengths and deferred foreign keys are PostgreSQL's "
                                        "(SQLite has one writer at a time)")]


@pytest.fixture
def desk():
    ChainHead.objects.get_or_create(pk=1)  # as in any database that has recorded something
    location = LocationFactory(time_zone="America/New_York")
    practitioner = PractitionerFactory()
    day = dt.datetime.now(ZoneInfo(location.time_zone)).date()
    weekly_availability(practitioner, location, start=dt.time(0), end=dt.time(23, 40),
                        effective_from=day - dt.timedelta(days=7))
    return {"location": location, "practitioner": practitioner, "day": day,
            "type": AppointmentTypeFactory(code="follow-up", duration_minutes=20),
            "patient": PatientFactory(home_location=location),
            "clerk": UserFactory(role=Role.FRONT_DESK, location=location),
            "other_clerk": UserFactory(role=Role.FRONT_DESK, location=location)}


def _booking(desk: dict[str, Any], days: int = 2, hour: int = 10) -> BookingRequest:
    start = dt.datetime.combine(desk["day"] + dt.timedelta(days=days), dt.time(hour), ZoneInfo("America/New_York"))
    return BookingRequest(patient_id=desk["patient"].pk, practitioner_id=desk["practitioner"].pk,
                          location_id=desk["location"].pk, appointment_type_id=desk["type"].pk, start=start)


def _interleave(first: Callable[[], Any], second: Callable[[], Any]) -> list[str]:
    """Run `first` in a transaction left open after it; run `second` until its connection waits for a lock;
    then commit `first`. Returns what went wrong in either."""
    errors: list[str] = []
    first_done, second_started = threading.Event(), threading.Event()
    release = threading.Event()
    second_pid: list[int] = []

    def one() -> None:
        try:
            with transaction.atomic():
                first()
                first_done.set()
                release.wait(20)
        except Exception as exc:
            errors.append(f"first: {type(exc).__name__}: {exc}")
        finally:
            first_done.set()
            connection.close()

    def two() -> None:
        try:
            first_done.wait(20)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            second_started.set()
            second()
        except Exception as exc:
            errors.append(f"second: {type(exc).__name__}: {exc}")
        finally:
            second_started.set()
            connection.close()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    second_started.wait(20)
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:  # until the second one waits for the first one's chain head
        while second_pid and time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid[0]])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                break
            time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(30)
    return errors


def test_a_payment_committing_and_a_booking_of_the_same_patient_do_not_deadlock(desk):
    errors = _interleave(
        lambda: payment_collect(actor=desk["clerk"], patient_id=desk["patient"].pk, location_id=desk["location"].pk,
                                amount=Decimal("25.00"), tender=Tender("cash")),
        lambda: appointment_book(actor=desk["other_clerk"], request=_booking(desk), idempotency_key="k1"))
    assert errors == []
    assert Appointment.objects.filter(idempotency_key="k1").exists()


def test_a_check_in_committing_and_a_booking_with_the_same_provider_do_not_deadlock(desk):
    today = AppointmentFactory(location=desk["location"], practitioner=desk["practitioner"], patient=desk["patient"],
                               appointment_type=desk["type"], start=dt.datetime.now(dt.UTC).replace(microsecond=0))
    errors = _interleave(
        lambda: visit_check_in(actor=desk["clerk"], appointment_id=today.pk),
        lambda: appointment_book(actor=desk["other_clerk"], request=_booking(desk), idempotency_key="k2"))
    assert errors == []
    assert Appointment.objects.get(pk=today.pk).status == "checked-in"


def test_a_sign_in_and_a_payment_by_the_same_user_do_not_deadlock(desk, rf):
    clerk = desk["clerk"]
    errors = _interleave(
        lambda: payment_collect(actor=clerk, patient_id=desk["patient"].pk, location_id=desk["location"].pk,
                                amount=Decimal("10.00"), tender=Tender("cash")),
        lambda: sign_in_check(request=rf.post("/accounts/login/"), username=clerk.username, password=PASSWORD))
    assert errors == []
