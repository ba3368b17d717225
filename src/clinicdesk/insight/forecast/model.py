"""The forecasting model: one statsmodels `AutoReg` per series, fitted by least squares in milliseconds.

Each series is one location's daily count of appointment requests of one type. The regressors are shared by every
series of a location (`design`): a constant and a linear trend, day-of-week dummies (weekly seasonality), Fourier
terms of the year (yearly seasonality, once a year of history is there) and a holiday dummy (national and state
holidays from the `holidays` package, and the location's own closures); one autoregressive lag carries the recent
level. Prediction intervals are the model's (normal, from the forecast variance); a week's interval sums the days'
variances, scaled by how much the in-sample residuals of whole weeks vary more than seven independent days would.

The backtest refits on rolling origins (the last 12 weeks, then 4 and 8 weeks earlier) and scores both the model
and the seasonal-naive forecast (last week repeated) by MASE: the mean absolute error divided by the in-sample mean
absolute error of the one-week-back naive forecast. Numpy, pandas and statsmodels load with this module: import it
inside functions (the URL conf must stay light).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

WEEK = 7
HORIZON_WEEKS = 12
MIN_HISTORY_DAYS = 8 * WEEK  # fewer days of history: the series is not forecast
YEARLY_FROM_DAYS = 365  # the yearly Fourier terms need a year of history
FOURIER_ORDER = 3
BACKTEST_HORIZON = HORIZON_WEEKS * WEEK
BACKTEST_ORIGINS = 3
BACKTEST_STEP = 4 * WEEK
Z80, Z95 = 1.2815515655446004, 1.959963984540054


@dataclass
class Design:
    """The regressors of a location's history (`past`, one row a day) and of the days after it (`future`)."""

    first_day: dt.date
    past: np.ndarray
    future: np.ndarray


@dataclass
class Forecast:
    """Daily figures over the horizon (day 0 is the day after the history) and the weekly scale of the variance."""

    mean: np.ndarray
    variance: np.ndarray
    week_factor: float

    def band(self, z: float) -> tuple[np.ndarray, np.ndarray]:
        half = z * np.sqrt(self.variance)
        return np.maximum(self.mean - half, 0.0), np.maximum(self.mean + half, 0.0)

    def weeks(self, offset: int, count: int) -> list[tuple[float, float, float, float, float]]:
        """(mean, lo80, hi80, lo95, hi95) of `count` whole weeks starting `offset` days into the horizon."""
        out = []
        for week in range(count):
            days = slice(offset + week * WEEK, offset + (week + 1) * WEEK)
            mean = float(self.mean[days].sum())
            sd = float(np.sqrt(self.variance[days].sum() * self.week_factor))
            out.append((mean, max(mean - Z80 * sd, 0.0), mean + Z80 * sd, max(mean - Z95 * sd, 0.0), mean + Z95 * sd))
        return out


@dataclass
class Backtest:
    mase: float | None  # the model's mean MASE over the origins (None: too short or a constant series)
    naive_mase: float | None  # the seasonal-naive forecast's, on the same origins


def design(first_day: dt.date, history_days: int, horizon_days: int, holidays: Iterable[dt.date]) -> Design:
    import pandas as pd
    from statsmodels.tsa.deterministic import DeterministicProcess, Fourier

    index = pd.date_range(first_day, periods=history_days, freq="D")
    terms = [Fourier(365.25, FOURIER_ORDER)] if history_days >= YEARLY_FROM_DAYS else []
    process = DeterministicProcess(index, constant=True, order=1, seasonal=True, additional_terms=terms)
    closed = set(holidays)
    past = process.in_sample()
    future = process.out_of_sample(horizon_days)
    marks = [1.0 if day in closed else 0.0 for day in past.index.date]
    if any(marks):  # no holiday in the history: nothing to learn its effect from
        past["holiday"] = marks
        future["holiday"] = [1.0 if day in closed else 0.0 for day in future.index.date]
    return Design(first_day, past.to_numpy(dtype=float), future.to_numpy(dtype=float))


def _fit(y: np.ndarray, regressors: np.ndarray):  # type: ignore[no-untyped-def]
    from statsmodels.tools.sm_exceptions import SingularMatrixWarning
    from statsmodels.tsa.ar_model import AutoReg

    with warnings.catch_warnings():  # e.g. a type never asked for on Sundays: least squares copes (pinv)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        return AutoReg(y, lags=1, trend="n", exog=regressors).fit()


def _week_factor(residuals: np.ndarray) -> float:
    """Var(sum of 7 consecutive residuals) / (7 x var(residual)), within [1, 7]: how correlated the days are."""
    whole = len(residuals) // WEEK * WEEK
    if whole < 4 * WEEK:
        return 1.0
    daily = float(np.var(residuals))
    if daily <= 0:
        return 1.0
    weekly = float(np.var(residuals[-whole:].reshape(-1, WEEK).sum(axis=1)))
    return min(max(weekly / (WEEK * daily), 1.0), float(WEEK))


def forecast(y: np.ndarray, regressors: Design) -> Forecast:
    """Fit the series (one value per day of `regressors.past`) and forecast every day of `regressors.future`."""
    y = np.asarray(y, dtype=float)
    fitted = _fit(y, regressors.past)
    n, horizon = len(y), len(regressors.future)
    prediction = fitted.get_prediction(start=n, end=n + horizon - 1, exog_oos=regressors.future)
    mean = np.maximum(np.asarray(prediction.predicted_mean, dtype=float), 0.0)
    variance = np.asarray(prediction.var_pred_mean, dtype=float)
    return Forecast(mean, variance, _week_factor(np.asarray(fitted.resid, dtype=float)))


def mase_scale(y: np.ndarray) -> float:
    """The in-sample mean absolute error of the seasonal-naive forecast (the value a week before)."""
    return float(np.mean(np.abs(y[WEEK:] - y[:-WEEK]))) if len(y) > WEEK else 0.0


def backtest(y: np.ndarray, regressors: Design, *, origins: int = BACKTEST_ORIGINS, step: int = BACKTEST_STEP,
             horizon: int = BACKTEST_HORIZON) -> Backtest:
    """Rolling origin: refit on the history before each origin, forecast `horizon` days, score against what came."""
    y = np.asarray(y, dtype=float)
    scores: list[float] = []
    naive_scores: list[float] = []
    for k in range(origins):
        origin = len(y) - horizon - k * step
        if origin < MIN_HISTORY_DAYS:
            break
        scale = mase_scale(y[:origin])
        if scale <= 0:
            continue
        fitted = _fit(y[:origin], regressors.past[:origin])
        predicted = np.maximum(np.asarray(fitted.predict(start=origin, end=origin + horizon - 1,
                                                         exog_oos=regressors.past[origin:origin + horizon])), 0.0)
        actual = y[origin:origin + horizon]
        naive = np.resize(y[origin - WEEK:origin], horizon)
        scores.append(float(np.mean(np.abs(actual - predicted))) / scale)
        naive_scores.append(float(np.mean(np.abs(actual - naive))) / scale)
    if not scores:
        return Backtest(None, None)
    return Backtest(float(np.mean(scores)), float(np.mean(naive_scores)))
