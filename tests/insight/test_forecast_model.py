"""The demand forecast's model and capacity check on synthetic data (no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from clinicdesk.insight.forecast import capacity, model

FIRST = dt.date(2024, 11, 4)  # a Monday
WEEKDAY = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.25, 0.1])  # busy Mondays, quiet weekends


def synthetic(days: int, *, level: float = 8.0, seed: int = 0) -> tuple[np.ndarray, set[dt.date]]:
    """Poisson counts with a known weekly rhythm, a winter peak (yearly) and holidays at a tenth of the level."""
    rng = np.random.default_rng(seed)
    dates = [FIRST + dt.timedelta(days=i) for i in range(days)]
    holidays = {d for d in dates if (d.month, d.day) in {(1, 1), (7, 4), (12, 25), (11, 28)}}
    rate = np.array([level * WEEKDAY[d.weekday()] * (1 + 0.35 * np.cos(2 * np.pi * (d.timetuple().tm_yday - 20)
                                                                         / 365.25)) * (0.1 if d in holidays else 1)
                     for d in dates])
    return rng.poisson(rate).astype(float), holidays


@pytest.fixture(scope="module")
def two_years():
    y, holidays = synthetic(2 * 365)
    return y, model.design(FIRST, len(y), 84, holidays)


def test_backtest_beats_the_seasonal_naive_forecast(two_years):
    y, regressors = two_years
    scores = model.backtest(y, regressors)
    assert scores.mase is not None and scores.naive_mase is not None
    assert scores.mase < 1
    assert scores.mase < scores.naive_mase


def test_forecast_follows_the_weekly_rhythm_with_ordered_intervals(two_years):
    y, regressors = two_years
    found = model.forecast(y, regressors)
    assert len(found.mean) == 84
    lo80, hi80 = found.band(model.Z80)
    lo95, hi95 = found.band(model.Z95)
    assert np.all(lo95 <= lo80) and np.all(lo80 <= found.mean) and np.all(found.mean <= hi80)
    assert np.all(hi80 <= hi95) and np.all(lo95 >= 0)
    days = [FIRST + dt.timedelta(days=len(y) + i) for i in range(84)]
    mondays = [m for m, d in zip(found.mean, days, strict=True) if d.weekday() == 0]
    sundays = [m for m, d in zip(found.mean, days, strict=True) if d.weekday() == 6]
    assert np.mean(mondays) > 4 * np.mean(sundays)
    weeks = found.weeks(0, 12)
    assert len(weeks) == 12 and all(lo95 <= lo80 <= mean <= hi80 <= hi95 for mean, lo80, hi80, lo95, hi95 in weeks)


def test_the_winter_peak_is_forecast_from_last_winter():
    """History to early November: the forecast for January is above the one for mid-November (yearly terms)."""
    y, holidays = synthetic(2 * 365 - 20, seed=1)
    regressors = model.design(FIRST, len(y), 84, holidays)
    found = model.forecast(y, regressors)
    weeks = found.weeks(0, 12)
    assert weeks[9][0] > weeks[0][0] * 1.15


def test_a_holiday_in_the_horizon_is_forecast_low():
    y, holidays = synthetic(2 * 365)
    christmas = dt.date(2026, 12, 25)
    regressors = model.design(FIRST, len(y), 84, holidays | {christmas})
    found = model.forecast(y, regressors)
    index = (christmas - FIRST).days - len(y)
    same_weekday = found.mean[index - 7]
    assert found.mean[index] < 0.5 * same_weekday


def test_too_short_a_history_is_not_backtested():
    y, holidays = synthetic(60)
    regressors = model.design(FIRST, len(y), 84, holidays)
    assert model.backtest(y, regressors) == model.Backtest(None, None)


def test_capacity_check_flags_a_week_and_suggests_half_day_sessions_per_type():
    # Follow-ups (20 min) 30 requests = 600 min; new patients (40 min) 10 = 400 min; one open 240-min block:
    # 760 min short = 4 half-day sessions, shared by overflow 2.4 and 1.6 -> 2 and 1, the last to the larger
    # remainder (new patients): 2 and 2.
    check = capacity.check_week({1: 30, 2: 10}, {1: 20, 2: 40}, [(240.0, frozenset())])
    assert check.flagged
    assert check.demand_minutes == 1000 and check.capacity_minutes == 240
    assert check.suggestions == [{"type": 1, "sessions": 2}, {"type": 2, "sessions": 2}]


def test_reserved_minutes_serve_their_type_first():
    # New patients: 400 min against their 240 reserved, 160 spill; follow-ups 600 spill; 760 against 480 open:
    # 280 short = 2 sessions, shared 1.58 / 0.42 -> both to follow-ups.
    check = capacity.check_week({1: 30, 2: 10}, {1: 20, 2: 40}, [(480.0, frozenset()), (240.0, frozenset({2}))])
    assert check.flagged and check.capacity_minutes == 720
    assert check.suggestions == [{"type": 1, "sessions": 2}]


def test_capacity_check_leaves_a_week_within_capacity_alone():
    check = capacity.check_week({1: 10}, {1: 20}, [(240.0, frozenset())])
    assert not check.flagged and check.suggestions == []


def test_a_reserved_block_does_not_serve_other_types():
    check = capacity.check_week({1: 15}, {1: 20}, [(240.0, frozenset({2})), (60.0, frozenset())])
    assert check.flagged  # 300 minutes of follow-ups, 60 open: the new-patient block cannot take them
    assert check.suggestions == [{"type": 1, "sessions": 1}]
