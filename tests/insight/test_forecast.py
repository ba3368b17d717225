"""The stored demand forecast: the command, the capacity flag, the roster's selector, the page, CSV and API.

One location (Downtown) with 20 weeks of requests for follow-ups (20 min): 6 on Mondays, 4 Tuesday to Thursday,
3 on Fridays, none at weekends = 21 a week = 420 minutes; its one provider works Mondays 08:00-12:00 (240 min).
Every forecast week is over capacity by about 180 minutes: one extra half-day session of follow-ups.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role
from clinicdesk.insight.forecast.tables import ForecastCapacity, ForecastRun, ForecastWeek
from clinicdesk.insight.selectors import forecast_for_week
from tests.factories import AppointmentFactory
from tests.insight.forecast_world import FIRST_WEEK, build_history


@pytest.fixture
def history(db, clock, location):
    return build_history(location)


def _forecast() -> dict:
    out = StringIO()
    call_command("insight", "forecast", stdout=out)
    return json.loads(out.getvalue())


def test_forecast_command_stores_twelve_weeks_and_flags_the_weeks_over_capacity(history, location):
    result = _forecast()
    assert result["series"] == 1 and result["weeks"] == 12 and result["firstWeek"] == FIRST_WEEK.isoformat()
    assert result["mase"] is not None and result["mase"] < 1
    weeks = list(ForecastWeek.objects.filter(location_id=location.pk).order_by("week_start"))
    assert [w.week_start for w in weeks] == [FIRST_WEEK + dt.timedelta(weeks=i) for i in range(12)]
    assert 18 < weeks[0].mean < 24 and weeks[0].lo95 <= weeks[0].lo80 <= weeks[0].mean <= weeks[0].hi80
    first = ForecastCapacity.objects.get(location_id=location.pk, week_start=FIRST_WEEK)
    assert first.flagged and first.capacity_minutes == 240
    assert first.suggestions == [{"type": history.pk, "sessions": 1}]
    assert AuditEntry.objects.filter(action="insight.forecast_compute", actor__isnull=True).count() == 1


def test_a_second_run_replaces_the_figures(history, location):
    _forecast()
    _forecast()
    assert ForecastRun.objects.count() == 2
    assert ForecastWeek.objects.filter(location_id=location.pk).count() == 12


def test_forecast_for_week_gives_the_roster_a_locations_week(history, location):
    _forecast()
    week = forecast_for_week(location.pk, FIRST_WEEK + dt.timedelta(days=2))  # any day of the week
    assert week is not None and week.week_start == FIRST_WEEK and week.flagged
    assert set(week.types) == {history.pk} and week.total.mean == pytest.approx(week.types[history.pk].mean, abs=0.1)
    assert week.suggestions == [{"type": history.pk, "sessions": 1}]
    assert forecast_for_week(location.pk, FIRST_WEEK + dt.timedelta(weeks=20)) is None


def test_too_little_history_is_not_forecast(db, clock, location):
    AppointmentFactory(location=location, bookings=False)
    assert _forecast()["series"] == 0


def test_the_page_shows_the_flagged_weeks_and_the_csv_their_numbers(history, location, signed_in):
    _forecast()
    coordinator = signed_in(Role.PRACTICE_COORDINATOR)
    page = coordinator.get("/insight/forecast/", {"location": location.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="forecast-flagged" data-week=') == 12
    assert "1 session of Follow-up" in html and 'id="forecast-data"' in html
    rows = coordinator.get("/insight/forecast.csv", {"location": location.pk}).content.decode().splitlines()
    assert len(rows) == 13 and rows[1].startswith(FIRST_WEEK.isoformat()) and rows[1].endswith(",Yes")


def test_the_api_answers_the_forecast_and_refuses_empty_parameters(history, location, signed_in):
    _forecast()
    biller = signed_in(Role.BILLING)
    answer = biller.get("/api/v1/insight/forecast", {"location": location.pk, "grain": "day"}).json()
    assert len(answer["items"]) == 84 and answer["items"][0]["start"] == FIRST_WEEK.isoformat()
    assert answer["overCapacity"][0]["sessions"] == [{"type": history.pk, "sessions": 1}]
    assert biller.get("/api/v1/insight/forecast", {"location": ""}).status_code == 422
    assert biller.get("/api/v1/insight/forecast", {"grain": "month"}).status_code == 422


def test_computing_now_is_for_practice_coordinators(history, signed_in):
    assert signed_in(Role.BILLING).post("/insight/forecast/compute/").status_code == 403
    assert signed_in(Role.PRACTICE_COORDINATOR).post("/insight/forecast/compute/").status_code == 302
    assert ForecastRun.objects.count() == 1


def test_the_roster_shows_the_forecast_of_its_weeks_and_the_weeks_over_capacity(history, location, signed_in):
    """The staff roster reads the forecast (#22: "the roster can use it"): each week of its period, the visits
    expected, the hours needed against the templates' hours, and the extra sessions suggested."""
    _forecast()
    inside = FIRST_WEEK + dt.timedelta(weeks=4)  # its 4-week period lies within the 12 forecast weeks
    page = signed_in(Role.PRACTICE_COORDINATOR).get(f"/staffing/?location={location.pk}&start={inside.isoformat()}")
    text = page.content.decode()
    assert page.status_code == 200 and "Expected demand" in text
    assert text.count('<tr data-week="') in (4, 5)  # the Mondays' weeks the 28 days touch
    assert "Over capacity: 1 extra half-day session suggested" in text
