"""A synthetic appointment history in the documented CSV shape (docs/insight.md), for tests and the bench.

No-shows depend on what a real practice sees: longer lead times, a patient's own habit (which shows up as their
earlier no-shows), no reminder, youth, Monday mornings, some areas further away, and an extra numeric column
(`distance_km`). Deterministic from the seed; vectorised, so a million rows take a few seconds.

    from insight_history import generate, write
    frame = generate(5000, seed=1)          # a DataFrame of CSV texts
    write("history.csv", 1_000_000, seed=7)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

AREAS = np.array(["010", "011", "012", "013", "014", "015", "016", "017", "018", "019", "020", "021"])
AREA_EFFECT = np.array([-0.3, -0.2, 0.0, 0.0, 0.1, 0.2, 0.3, 0.5, 0.6, -0.1, 0.0, 0.8])
AREA_WEIGHT = np.array([20, 18, 14, 12, 9, 7, 6, 5, 4, 3, 1.5, 0.5])


def generate(n: int, *, seed: int = 0, weeks: int = 104, first_day: str = "2024-01-01",
             score_weeks: int = 0, refs: bool = True, visits_per_patient: float = 6.0) -> pd.DataFrame:
    """`n` appointments over `weeks` weeks; those in the last `score_weeks` weeks have an empty outcome."""
    rng = np.random.default_rng(seed)
    patients = max(1, int(n / visits_per_patient))
    habit = rng.normal(0.0, 1.5, patients)  # the patient's own tendency to miss visits
    age = np.clip(rng.normal(42, 20, patients), 0, 99).round()
    sex = rng.choice(np.array(["female", "male", "other"]), patients, p=[0.52, 0.46, 0.02])
    area = rng.choice(len(AREAS), patients, p=AREA_WEIGHT / AREA_WEIGHT.sum())
    patient = rng.integers(0, patients, n)
    day0 = np.datetime64(first_day, "D")
    day = day0 + rng.integers(0, weeks * 7, n).astype("timedelta64[D]")
    weekday = (day.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    day = day + np.where(weekday >= 5, 7 - weekday, 0).astype("timedelta64[D]")  # weekends move to Monday
    weekday = (day.view("int64") - 4) % 7
    slot = rng.integers(0, 36, n)  # 08:00 to 16:45 in quarter hours
    start = day.astype("datetime64[m]") + (8 * 60 + slot * 15).astype("timedelta64[m]")
    lead = np.where(rng.random(n) < 0.15, rng.integers(0, 3, n), np.round(rng.gamma(1.4, 14, n))).astype(np.int64)
    booked = start - (lead * 24 * 60 + rng.integers(0, 9 * 60, n)).astype("timedelta64[m]")
    booked = np.minimum(booked, start)
    reminder = (rng.random(n) < 0.7).astype(np.int64)
    distance = np.round(rng.gamma(2.0, 4.0, n) + AREA_EFFECT[area[patient]] * 10, 1).clip(0.2, None)
    hour = 8 + slot // 4
    logit = (-2.4 + 1.0 * habit[patient] + 0.04 * np.minimum(lead, 60) - 1.3 * reminder
             + 0.35 * (age[patient] < 30) + 0.25 * ((weekday == 0) & (hour < 10))
             + AREA_EFFECT[area[patient]] + 0.02 * distance)
    noshow = rng.random(n) < 1 / (1 + np.exp(-logit))
    outcome = np.where(noshow, "noshow", "attended")
    last = day0 + np.timedelta64((weeks - score_weeks) * 7, "D")
    if score_weeks:
        outcome = np.where(start >= last.astype("datetime64[m]"), "", outcome)
    order = np.argsort(start, kind="stable")
    frame = pd.DataFrame({
        "patient_ref": np.char.add("P", patient.astype(str)),
        "booked_at": np.datetime_as_string(booked, unit="s"),
        "start": np.datetime_as_string(start, unit="s"),
        "age": age[patient].astype(np.int64).astype(str),
        "sex": sex[patient], "area": AREAS[area[patient]], "reminder_sent": reminder.astype(str),
        "outcome": outcome, "distance_km": distance.astype(str),
    }).iloc[order].reset_index(drop=True)
    if refs:
        frame.insert(0, "appointment_ref", [f"A{i}" for i in range(1, n + 1)])
    return frame


def write(path: str | Path, n: int, **kw: object) -> Path:
    generate(n, **kw).to_csv(path, index=False)  # type: ignore[arg-type]
    return Path(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--score-weeks", type=int, default=0)
    args = parser.parse_args()
    write(args.out, args.rows, seed=args.seed, score_weeks=args.score_weeks)
