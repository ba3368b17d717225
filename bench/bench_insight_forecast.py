"""The demand forecast for 5 locations x 20 appointment types over 2 years of daily history (issue #22: the whole
forecast under 30 s), and its backtest error (MASE against the seasonal-naive forecast).

    .venv/bin/python bench/bench_insight_forecast.py [--locations 5] [--types 20] [--days 730] [--seed 0]

The history is synthetic and known: Poisson counts of requests per day with a weekday rhythm (busy Mondays, quiet
weekends), a winter respiratory peak and a back-to-school bump (yearly), holidays at a fifth of the level, and
levels from a request a week to a dozen a day. It runs what `clinicdesk insight forecast` runs for each location
after its one grouped query: the regressors (the `holidays` package's Massachusetts calendar), the model and the
rolling-origin backtest for every series, the 12 weekly sums and intervals, and the capacity check of each week.
Prints the seconds (import of statsmodels included and reported apart), the series, and the mean MASE of the model
and of the seasonal-naive forecast on the same origins.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
TODAY = dt.date(2026, 11, 23)  # a Monday, like the tests' frozen clock


def history(rng, days: int, level: float, holidays: set[dt.date]):  # type: ignore[no-untyped-def]
    import numpy as np

    weekday = np.array([1.3, 1.1, 1.0, 1.05, 0.9, 0.2, 0.05])
    first = TODAY - dt.timedelta(days=days)
    rates = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        yday = day.timetuple().tm_yday
        winter = 0.35 * np.cos(2 * np.pi * (yday - 20) / 365.25)
        school = 0.25 * np.exp(-(((yday - 228) / 12) ** 2))
        rates.append(level * weekday[day.weekday()] * (1 + winter + school) * (0.2 if day in holidays else 1))
    return first, rng.poisson(np.array(rates)).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--types", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", action="store_true", help="leave BLAS its default threads (to compare)")
    args = parser.parse_args()

    started = time.monotonic()
    import holidays
    import numpy as np

    from clinicdesk.insight.forecast import capacity, model
    model._fit(np.arange(30.0), np.ones((30, 1)))  # loads statsmodels (timed apart)
    imported = time.monotonic() - started

    rng = np.random.default_rng(args.seed)
    horizon = 7 + model.HORIZON_WEEKS * model.WEEK
    calendar = holidays.country_holidays("US", subdiv="MA", years=range(2023, 2028))
    data = []
    for _location in range(args.locations):
        first = TODAY - dt.timedelta(days=args.days)
        closed = {d for d in calendar if first <= d <= TODAY + dt.timedelta(days=horizon)}
        levels = np.exp(rng.uniform(np.log(0.15), np.log(12), size=args.types))
        data.append((closed, [history(rng, args.days, level, closed) for level in levels]))

    from threadpoolctl import threadpool_limits

    limit = threadpool_limits(limits=1, user_api="blas") if not args.blas_threads else None  # as compute() does
    t0, cpu0 = time.monotonic(), time.process_time()
    scores, naive, series = [], [], 0
    for closed, rows in data:
        first = rows[0][0]
        regressors = model.design(first, args.days, horizon, closed)
        weekly: dict[int, float] = {}
        for type_id, (_first, y) in enumerate(rows):
            found = model.forecast(y, regressors)
            test = model.backtest(y, regressors)
            weeks = found.weeks(7, model.HORIZON_WEEKS)
            weekly[type_id] = weeks[0][0]
            series += 1
            if test.mase is not None:
                scores.append(test.mase)
                naive.append(test.naive_mase)
        capacity.check_week(weekly, dict.fromkeys(weekly, 20), [(240.0, frozenset())] * 40)
    seconds, cpu = time.monotonic() - t0, time.process_time() - cpu0
    if limit is not None:
        limit.restore_original_limits()
    load = os.getloadavg()[0]
    print(f"forecast: {series} series ({args.locations} locations x {args.types} types), {args.days} days of "
          f"history, 12 weeks ahead + 3-origin backtest: {seconds:.1f} s wall, {cpu:.1f} s CPU (target < 30 s; "
          f"statsmodels import {imported:.1f} s apart); load average {load:.1f} on {os.cpu_count()} cores")
    print(f"backtest MASE (daily, mean over {len(scores)} series): model {np.mean(scores):.3f}, seasonal naive "
          f"{np.mean(naive):.3f}; ratio {np.mean(scores) / np.mean(naive):.2f}")


if __name__ == "__main__":
    main()
