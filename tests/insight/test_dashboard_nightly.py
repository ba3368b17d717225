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


def test_the_lead_time_is_searched_ahead_so_the_page_only_reads_it(clock, location, provider, monkeypatch):
    import datetime as dt

    from django.core.cache import cache

    from clinicdesk.core.permissions import Role
    from clinicdesk.insight.dashboard_selectors import dashboard_read
    from clinicdesk.insight.dashboards import lead_time
    from tests.factories import AppointmentTypeFactory, AvailabilityTemplateFactory, UserFactory

    assert periodic.JOBS["refresh-lead-times"].every_seconds == 300
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR)
    AppointmentTypeFactory(code="new-patient", name="New patient", duration_minutes=30, new_patient=True)
    for weekday in range(5):
        AvailabilityTemplateFactory(practitioner=provider, location=location, weekday=weekday,
                                    start_time=dt.time(8), end_time=dt.time(9))
    cache.clear()
    searched_inline = dashboard_read(actor=coordinator, params={}, keys=["lead-time"]).figures[0]
    cache.clear()
    assert tasks.refresh_lead_times.call() >= 1

    def no_search(**kwargs):
        raise AssertionError("the page searched")

    monkeypatch.setattr(lead_time, "slots_search", no_search)
    page = dashboard_read(actor=coordinator, params={}, keys=["lead-time"]).figures[0]
    assert page.labels == searched_inline.labels and page.series[0].values == searched_inline.series[0].values
    assert page.series[0].values and page.series[0].values[0] is not None
