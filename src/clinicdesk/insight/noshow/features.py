"""Features of one appointment that were known when it was booked, and nothing later.

- lead_days: days from booked_at to start;
- weekday (0 = Monday) and hour of the start, as written (the location's wall clock);
- prior_noshows / prior_attended / prior_noshow_rate / days_since_last: over the same patient's appointments whose
  START is strictly before THIS booking's booked_at (an appointment that had not happened when this one was
  booked cannot inform it, even if it happened before this one's start); `established` = any such appointment;
- age_band (0-17, 18-29, 30-44, 45-64, 65+; missing when the age is blank), sex, reminder_sent;
- area: a category; areas rarer than MIN_AREA_ROWS in the training rows, and unseen ones, share "other";
- the file's extra columns, as given.

`FeatureSpec` is what training learned about the columns (the kept areas, the extra columns): saved as JSON next
to the model, never pickled.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .io import History

SPEC_VERSION = 1
AGE_BANDS = (18.0, 30.0, 45.0, 65.0)
SEXES = ("female", "male", "other")
MIN_AREA_ROWS = 30
MAX_AREAS = 60  # HistGradientBoosting takes up to 255 categories; more would only fit noise
BASE_FEATURES = ("lead_days", "weekday", "hour", "prior_noshows", "prior_attended", "prior_noshow_rate",
                 "days_since_last", "established", "age_band", "sex", "reminder_sent", "area")
CATEGORICAL = ("weekday", "sex", "area")
_DAY_NS = 86_400 * 10**9


@dataclass
class FeatureSpec:
    areas: list[str]
    extras: list[str]
    version: int = SPEC_VERSION
    sexes: list[str] = field(default_factory=lambda: list(SEXES))

    @property
    def names(self) -> list[str]:
        return [*BASE_FEATURES, *self.extras]

    @property
    def categorical(self) -> list[bool]:
        return [name in CATEGORICAL for name in self.names]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "features": self.names}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureSpec:
        if data.get("version") != SPEC_VERSION:
            raise ValueError(f"feature spec version {data.get('version')!r} is not {SPEC_VERSION}")
        return cls(areas=[str(a) for a in data["areas"]], extras=[str(e) for e in data["extras"]],
                   sexes=[str(s) for s in data.get("sexes", SEXES)])


def fit_spec(history: History) -> FeatureSpec:
    """What the features need to know about the training rows: the areas frequent enough to keep."""
    counts = history.frame.loc[history.labelled, "area"].value_counts()
    kept = counts[(counts >= MIN_AREA_ROWS) & (counts.index != "")].index[:MAX_AREAS]
    return FeatureSpec(areas=sorted(str(a) for a in kept), extras=list(history.extras))


def patient_history(patient: np.ndarray, booked_at: np.ndarray, start: np.ndarray, outcome: np.ndarray
                    ) -> dict[str, np.ndarray]:
    """For each row: the patient's no-shows, attendances and the last start among their rows with a known outcome
    whose start is strictly before the row's booked_at. O(n log n): one sort, then binary searches on a
    (patient, time rank) key."""
    n = len(patient)
    codes = pd.factorize(patient)[0].astype(np.int64)
    known = outcome != ""
    times = np.concatenate([start[known], booked_at])
    uniq, inverse = np.unique(times, return_inverse=True)
    width = np.int64(len(uniq) + 1)
    event_rank = inverse[: int(known.sum())].astype(np.int64)
    query_rank = inverse[int(known.sum()):].astype(np.int64)
    event_keys = codes[known] * width + event_rank
    order = np.argsort(event_keys, kind="stable")
    event_keys = event_keys[order]
    noshow = (outcome[known] == "noshow")[order].astype(np.int64)
    attended = (outcome[known] == "attended")[order].astype(np.int64)
    event_start = start[known][order]
    cum_noshow = np.concatenate([[0], np.cumsum(noshow)])
    cum_attended = np.concatenate([[0], np.cumsum(attended)])
    upto = np.searchsorted(event_keys, codes * width + query_rank, side="left")  # events with start < booked_at
    base = np.searchsorted(event_keys, codes * width, side="left")  # the patient's first event
    noshows = cum_noshow[upto] - cum_noshow[base]
    attendeds = cum_attended[upto] - cum_attended[base]
    has_prior = upto > base
    last = np.full(n, np.nan)
    if len(event_start):
        previous = event_start[np.maximum(upto - 1, 0)]
        last[has_prior] = (booked_at[has_prior] - previous[has_prior]) / _DAY_NS
    return {"prior_noshows": noshows.astype(np.float64), "prior_attended": attendeds.astype(np.float64),
            "days_since_last": last, "established": has_prior.astype(np.float64)}


def build(history: History, spec: FeatureSpec) -> pd.DataFrame:
    """The feature matrix, one row per history row, columns `spec.names` (categories as small integer codes)."""
    f = history.frame
    booked = f["booked_at"].to_numpy("datetime64[ns]").astype(np.int64)
    start = f["start"].to_numpy("datetime64[ns]").astype(np.int64)
    local = pd.DatetimeIndex(f["start_local"])
    prior = patient_history(f["patient_ref"].to_numpy(), booked, start, f["outcome"].to_numpy())
    seen = prior["prior_noshows"] + prior["prior_attended"]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(seen > 0, prior["prior_noshows"] / np.maximum(seen, 1), np.nan)
    age = f["age"].to_numpy(np.float64)
    band = np.digitize(age, AGE_BANDS).astype(np.float64)
    band[np.isnan(age)] = np.nan
    sex = f["sex"].replace({"f": "female", "m": "male", "unknown": "", "u": ""}).to_numpy()
    sex_codes = pd.Index(spec.sexes).get_indexer(sex).astype(np.float64)
    sex_codes[(sex_codes < 0) & (sex != "")] = spec.sexes.index("other")
    sex_codes[sex_codes < 0] = np.nan
    area_codes = pd.Index(spec.areas, dtype=object).get_indexer(f["area"].to_numpy()).astype(np.float64)
    area_codes[area_codes < 0] = len(spec.areas)  # the "other" bucket
    columns: dict[str, Any] = {
        "lead_days": (start - booked) / _DAY_NS,
        "weekday": local.day_of_week.to_numpy(np.float64),
        "hour": (local.hour + local.minute / 60).to_numpy(np.float64),
        "prior_noshows": prior["prior_noshows"], "prior_attended": prior["prior_attended"],
        "prior_noshow_rate": rate, "days_since_last": prior["days_since_last"],
        "established": prior["established"], "age_band": band, "sex": sex_codes,
        "reminder_sent": f["reminder_sent"].to_numpy(np.float64), "area": area_codes,
    }
    for name in spec.extras:
        columns[name] = f[name].to_numpy(np.float64) if name in f else np.full(len(f), np.nan)
    return pd.DataFrame(columns, index=f.index)[spec.names]
