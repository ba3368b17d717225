"""Each dashboard figure against the hand-counted world of dashboard_world.py."""

from __future__ import annotations

import pytest

from clinicdesk.insight.dashboard_selectors import dashboard_read

from .dashboard_world import RANGE, build


@pytest.fixture
def world(db, clock):
    return build()


def figure(world, key, actor=None, **params):
    board = dashboard_read(actor=actor or world.coordinator, params={**RANGE, **params}, keys=[key])
    return board.figures[0]


def series(fig):
    return {s.label: s.values for s in fig.series}


def test_volume_by_week_counts_each_location_and_leaves_out_errors(world):
    fig = figure(world, "volume")
    assert fig.csv_labels == ["2026-11-02", "2026-11-09"]
    assert series(fig) == {"Downtown": [4, 1], "Uptown": [1, 0]}


def test_volume_by_provider_and_by_type(world):
    assert dict(zip(figure(world, "volume-provider").labels, figure(world, "volume-provider").series[0].values,
                    strict=True)) == {"Ada Lovelace, MD": 5, "Ben Franklin, MD": 1}
    by_type = figure(world, "volume-type")
    assert dict(zip(by_type.labels, by_type.series[0].values, strict=True)) == {"Follow-up": 5, "New patient": 1}


def test_noshow_and_late_cancel_rates_per_week(world):
    values = series(figure(world, "noshow"))
    assert values["No-show rate (%)"] == [25.0, None]
    assert values["Late-cancellation rate (%)"] == [20.0, 0.0]


def test_utilisation_is_booked_over_available_less_holidays_and_exceptions(world):
    fig = figure(world, "utilisation", location=str(world.downtown.pk))
    assert fig.labels == ["Ada Lovelace, MD"]
    assert series(fig) == {"Utilisation (%)": [33.3], "Available hours": [3.0], "Booked hours": [1.0],
                           "Idle hours": [2.0]}


def test_visit_times_are_mean_minutes_from_the_flow_board(world):
    values = series(figure(world, "visit-times"))
    assert values["Check-in to rooming (minutes)"] == [15.0, None]
    assert values["Arrival to check-out (minutes)"] == [60.0, None]


def test_waitlist_fills_per_week(world):
    values = series(figure(world, "waitlist"))
    assert values == {"Slots offered": [2, 1], "Filled from the waitlist": [1, 0], "Fill rate (%)": [50.0, 0.0]}


def test_reminder_confirmations_count_delivered_reminders_only(world):
    values = series(figure(world, "reminders"))
    assert values == {"Appointments reminded": [2, 0], "Confirmed by the patient": [1, 0],
                      "Confirmation rate (%)": [50.0, None]}


def test_filters_narrow_to_a_provider_and_a_type(world):
    assert series(figure(world, "volume", provider=str(world.ben.pk))) == {"Downtown": [0, 0], "Uptown": [1, 0]}
    assert series(figure(world, "volume", type=str(world.new_patient.pk))) == {"Downtown": [1, 0], "Uptown": [0, 0]}
    assert series(figure(world, "volume", location=str(world.uptown.pk))) == {"Uptown": [1, 0]}


def test_figures_carry_no_patient_names(world):
    board = dashboard_read(actor=world.coordinator, params=RANGE, keys=None)
    text = repr([(f.labels, f.columns(), f.csv_rows()) for f in board.figures])
    patient = world.appointments["seen"].patient
    assert patient.family_name not in text and patient.given_name not in text


@pytest.mark.parametrize("narrow", [{}, {"provider": "ben"}, {"type": "new_patient"}, {"location": "downtown"},
                                    {"type": "follow_up", "provider": "ada"}])
def test_the_page_read_in_one_pass_gives_each_figures_own_result(world, narrow):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {**RANGE, **{name: str(getattr(world, value).pk) for name, value in narrow.items()}}
    with CaptureQueriesContext(connection) as page_queries:
        page = dashboard_read(actor=world.coordinator, params=params, keys=None)
    assert sum("insight_dailyappointments" in q["sql"] for q in page_queries.captured_queries) == 1
    for fig in page.figures:
        alone = dashboard_read(actor=world.coordinator, params=params, keys=[fig.key]).figures[0]
        assert (fig.labels, fig.csv_labels, fig.columns(), fig.csv_rows()) == (
            alone.labels, alone.csv_labels, alone.columns(), alone.csv_rows()), fig.key
        assert [(s.unit, s.drawn, [type(v) for v in s.values]) for s in fig.series] == [
            (s.unit, s.drawn, [type(v) for v in s.values]) for s in alone.series], fig.key
