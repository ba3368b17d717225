from __future__ import annotations

import datetime as dt
import random

import pytest

from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.frontdesk.models import Visit, VisitStatus
from clinicdesk.frontdesk.selectors import wait_time_report
from tests.factories import PatientFactory, PractitionerFactory

from .conftest import TODAY, at


def _generate(location, practitioners, day, seed):
    """A generated clinic day: each visit's step durations drawn at random, written as the flow stamps them."""
    rng = random.Random(seed)
    truth = []
    for n in range(12):
        practitioner = practitioners[n % len(practitioners)]
        arrived = at(8, 0, day) + dt.timedelta(minutes=20 * n + rng.randint(0, 9))
        to_room, to_provider, with_provider, to_out = (rng.randint(1, 40), rng.randint(0, 25), rng.randint(5, 30),
                                                       rng.randint(1, 10))
        roomed = arrived + dt.timedelta(minutes=to_room)
        provider_at = roomed + dt.timedelta(minutes=to_provider)
        ready = provider_at + dt.timedelta(minutes=with_provider)
        out = ready + dt.timedelta(minutes=to_out)
        Visit.objects.create(location=location, patient=PatientFactory(home_location=location),
                             practitioner=practitioner, walk_in=True, day=day, status=VisitStatus.CHECKED_OUT,
                             arrived_at=arrived, checked_in_at=arrived, roomed_at=roomed, provider_at=provider_at,
                             checkout_ready_at=ready, checked_out_at=out)
        truth.append((practitioner.pk, to_room, to_provider, to_room + to_provider + with_provider + to_out))
    return truth


def _mean(values):
    return round(sum(values) / len(values), 1)


def test_wait_times_of_a_generated_day_match_an_independent_computation(coordinator, location, clock):
    practitioners = [PractitionerFactory(last_name="Adams", location=location),
                     PractitionerFactory(last_name="Baker", location=location)]
    truth = _generate(location, practitioners, TODAY, seed=7)
    report = wait_time_report(actor=coordinator, location=location, first_day=TODAY, last_day=TODAY)
    assert report.overall.visits == 12
    assert report.overall.arrival_to_room == _mean([t[1] for t in truth])
    assert report.overall.room_to_provider == _mean([t[2] for t in truth])
    assert report.overall.total == _mean([t[3] for t in truth])
    for figures, practitioner in zip(report.by_provider, practitioners, strict=True):
        mine = [t for t in truth if t[0] == practitioner.pk]
        assert figures.label == str(practitioner)
        assert (figures.visits, figures.arrival_to_room, figures.room_to_provider, figures.total) == (
            len(mine), _mean([t[1] for t in mine]), _mean([t[2] for t in mine]), _mean([t[3] for t in mine]))


def test_wait_times_over_a_date_range_and_per_provider(coordinator, location, clock):
    practitioner = PractitionerFactory(location=location)
    first = _generate(location, [practitioner], TODAY - dt.timedelta(days=3), seed=1)
    second = _generate(location, [practitioner], TODAY, seed=2)
    report = wait_time_report(actor=coordinator, location=location, first_day=TODAY - dt.timedelta(days=7),
                              last_day=TODAY, practitioner_id=practitioner.pk)
    assert report.overall.visits == 24
    assert report.overall.total == _mean([t[3] for t in first + second])
    only_today = wait_time_report(actor=coordinator, location=location, first_day=TODAY, last_day=TODAY)
    assert only_today.overall.total == _mean([t[3] for t in second])


def test_wait_time_report_refuses_a_backwards_range(coordinator, location, clock):
    with pytest.raises(ValidationFailed):
        wait_time_report(actor=coordinator, location=location, first_day=TODAY, last_day=TODAY - dt.timedelta(1))


def test_wait_time_report_is_refused_at_another_location_and_to_outsiders(outsider, doctor_user, location, clock):
    with pytest.raises(PermissionDenied):
        wait_time_report(actor=outsider, location=location, first_day=TODAY, last_day=TODAY)
    with pytest.raises(PermissionDenied):
        wait_time_report(actor=doctor_user, location=location, first_day=TODAY, last_day=TODAY)
