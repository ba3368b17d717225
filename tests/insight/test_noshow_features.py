"""No feature looks past the booking: a row's features depend only on appointments that started before it was
booked, never on later rows, and not even on ones that start before this one but after its booking."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clinicdesk.insight.noshow import features, io

HEADER = "patient_ref,booked_at,start,age,sex,area,reminder_sent,outcome"


def _history(lines: list[str], header: str = HEADER) -> io.History:
    return io.read_history_text("\n".join([header, *lines]) + "\n")


def test_features_count_only_appointments_that_started_before_the_booking():
    history = _history([
        "P1,2026-01-01T09:00,2026-01-05T09:00,30,female,010,1,noshow",    # before row 4's booking
        "P1,2026-01-02T09:00,2026-01-06T09:00,30,female,010,1,attended",  # before row 4's booking
        "P1,2026-01-03T09:00,2026-01-20T09:00,30,female,010,1,noshow",    # starts after row 4's booking
        "P1,2026-01-10T08:00,2026-02-01T10:30,30,female,010,0,",          # the row looked at (a Sunday)
        "P2,2026-01-01T09:00,2026-01-02T09:00,70,male,011,1,noshow",      # another patient
    ])
    spec = features.fit_spec(history)
    x = features.build(history, spec)
    row = x.iloc[3]
    assert row["prior_noshows"] == 1 and row["prior_attended"] == 1 and row["established"] == 1
    assert row["prior_noshow_rate"] == 0.5
    assert row["lead_days"] == (dt_days := 22 + 2.5 / 24) and dt_days > 22
    assert row["weekday"] == 6 and row["hour"] == 10.5
    assert row["days_since_last"] == 4 - 1 / 24  # from 2026-01-06T09:00 to 2026-01-10T08:00
    first = x.iloc[0]
    assert first["established"] == 0 and first["prior_noshows"] == 0 and np.isnan(first["prior_noshow_rate"])
    assert x.iloc[4]["age_band"] == 4 and x.iloc[3]["age_band"] == 2


def test_an_appointment_starting_exactly_at_the_booking_does_not_count():
    history = _history([
        "P1,2026-01-01T09:00,2026-01-10T09:00,30,female,010,1,noshow",
        "P1,2026-01-10T09:00,2026-01-20T09:00,30,female,010,1,",
    ])
    x = features.build(history, features.fit_spec(history))
    assert x.iloc[1]["prior_noshows"] == 0


def test_changing_or_shuffling_later_rows_changes_no_earlier_features(synthetic_frame):
    frame = synthetic_frame.head(3000).copy()
    history = io.read_history_text(frame.to_csv(index=False))
    spec = features.fit_spec(history)
    before = features.build(history, spec)
    cut = pd.Timestamp(history.frame["booked_at"].quantile(0.5))
    # what happened after the cut: every appointment that started later gets the opposite outcome, those booked
    # later also another reminder and distance; then the file is shuffled
    started_later = (history.frame["start"] > cut).to_numpy()
    booked_later = (history.frame["booked_at"] > cut).to_numpy()
    changed = frame.copy()
    changed.loc[started_later, "outcome"] = np.where(changed.loc[started_later, "outcome"] == "noshow",
                                                     "attended", "noshow")
    changed.loc[booked_later, "reminder_sent"] = "0"
    changed.loc[booked_later, "distance_km"] = "99"
    changed = changed.sample(frac=1.0, random_state=5)
    altered = io.read_history_text(changed.to_csv(index=False))
    after = features.build(altered, spec)
    after.index = changed.index  # the shuffled file's row i is the original row changed.index[i]
    after = after.sort_index()
    # every row booked by the cut keeps its features, those still to start after it included (whose own outcome
    # changed: an outcome is never a feature of its own row)
    earlier = ~booked_later
    assert earlier.sum() > 1000 and (earlier & started_later).sum() > 100
    pd.testing.assert_frame_equal(before[earlier], after[earlier])


def test_unseen_and_rare_areas_share_the_other_bucket():
    lines = [f"P{i},2026-01-01T09:00,2026-01-05T09:00,30,female,{'010' if i < 40 else '099'},1,attended"
             for i in range(45)]
    history = _history([*lines, "Q,2026-01-01T09:00,2026-01-05T09:00,30,female,777,1,"])
    spec = features.fit_spec(history)
    assert spec.areas == ["010"]
    x = features.build(history, spec)
    assert x["area"].iloc[0] == 0 and x["area"].iloc[41] == 1 and x["area"].iloc[45] == 1


def test_extra_columns_pass_through():
    history = _history(["P1,2026-01-01T09:00,2026-01-05T09:00,30,female,010,1,attended,4.5,1"],
                       header=HEADER + ",distance_km,interpreter")
    x = features.build(history, features.fit_spec(history))
    assert list(x.columns[-2:]) == ["distance_km", "interpreter"]
    assert x.iloc[0]["distance_km"] == 4.5 and x.iloc[0]["interpreter"] == 1
