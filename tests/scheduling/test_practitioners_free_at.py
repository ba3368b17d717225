"""`practitioners_free_at`: who could take an appointment of a type at each of several exact times, from one
availability window (the leave cover asks it for every appointment of a provider's leave at once)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.selectors import practitioners_free_at
from tests.factories import AppointmentFactory, PractitionerFactory, weekly_availability

pytestmark = pytest.mark.django_db

WED = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)  # 9:00 in New York


def test_each_time_lists_the_practitioners_free_for_the_whole_visit(clock, location, provider, follow_up,
                                                                    make_user):
    colleague = PractitionerFactory(last_name="Colleague")
    weekly_availability(colleague, location, start=dt.time(10), end=dt.time(17))
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                       start=WED + dt.timedelta(minutes=10))
    clerk = make_user(Role.FRONT_DESK)
    starts = [WED, WED + dt.timedelta(minutes=30), WED + dt.timedelta(hours=1), WED - dt.timedelta(days=3)]
    free = practitioners_free_at(actor=clerk, location=location, appointment_type_id=follow_up.pk, starts=starts)
    names = {start: {o.practitioner.pk for o in options} for start, options in free.items()}
    assert names[WED] == set()  # the provider is booked at 9:10; the colleague starts at 10:00
    assert names[WED + dt.timedelta(minutes=30)] == {provider.pk}
    assert names[WED + dt.timedelta(hours=1)] == {provider.pk, colleague.pk}
    assert names[WED - dt.timedelta(days=3)] == set()  # the past
