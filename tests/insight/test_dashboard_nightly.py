"""The dashboards' nightly repair is a registered periodic job that counts the last week again."""

from __future__ import annotations

import pytest

from clinicdesk.core import periodic
from clinicdesk.insight import tasks
from clinicdesk.insight.dashboards.tables import DailyAppointments
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_the_last_week_is_counted_again_every_day(clock, location, provider, follow_up):
    job = periodic.JOBS["recount-dashboard-days"]
    assert job.every_seconds == 24 * 3600
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                       start=clock.now().replace(hour=14))  # written straight to the table: no hook fired
    DailyAppointments.objects.all().delete()
    assert tasks.recount_recent_days.call(7) >= 1
    assert DailyAppointments.objects.filter(location_id=location.pk).exists()
