"""Train, evaluate, save and load the no-show model.

Honest evaluation: the labelled rows are sorted by start; the last TEST_SHARE of them (the later weeks) are held
out, the model is fitted on the earlier ones only, and the held-out weeks give the AUC, the Brier score and the
calibration table. Calibration itself is temporal too: the gradient-boosting model is fitted on the earlier part
of its training rows and an isotonic (sigmoid when small) map is fitted on the later part, so the probabilities
mean what they say on appointments that come after the ones the trees saw. The model that is saved is trained the
same way on every labelled row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import brier_score_loss, roc_auc_score
from threadpoolctl import threadpool_limits

from . import features
from .features import FeatureSpec
from .io import History

MIN_ROWS = 200
MIN_NOSHOWS = 20
TEST_SHARE = 0.2  # the later weeks held out for evaluation
CALIBRATION_SHARE = 0.2  # the later part of the training rows, for the calibration map
ISOTONIC_MIN_ROWS = 5000  # below it, a sigmoid: isotonic steps on few rows give 0 % and 100 %
# One OpenMP thread. Measured on the shared 2-core box under load (bench/RESULTS.md): the same 1,000,000-row
# training used 37 s of CPU on one thread and 215 s on two (threads spinning while they wait for a busy CPU),
# and a 6,000-row one took 0.6 s instead of 40 s. A clinic's server also answers pages while it trains.
THREADS = 1
FLOOR = 0.001  # no appointment is certain either way
BINS = 10
MODEL_KIND = "clinicdesk-noshow"


class TooLittleData(ValueError):
    """Not enough labelled history to train a model worth its predictions."""


class ModelFileError(ValueError):
    """The model file or its JSON sidecar is missing, unreadable or not ours."""


@dataclass
class NoShowModel:
    estimator: CalibratedClassifierCV
    spec: FeatureSpec
    metrics: dict[str, Any]

    def predict(self, history: History, mask: np.ndarray | None = None) -> np.ndarray:
        """The no-show probability of each row (or of the rows under `mask`)."""
        missing = [name for name in self.spec.extras if name not in history.frame.columns]
        if missing:
            raise ValueError("the file lacks the extra column" + ("s " if len(missing) > 1 else " ")
                             + ", ".join(missing) + " that the model was trained with.")
        x = features.build(history, self.spec)
        if mask is not None:
            x = x[mask]
        if x.empty:
            return np.zeros(0)
        return probabilities(self.estimator, x.to_numpy(np.float64))


def _threads(rows: int) -> Any:
    return threadpool_limits(limits=THREADS, user_api="openmp")


def probabilities(estimator: CalibratedClassifierCV, x: np.ndarray) -> np.ndarray:
    with _threads(len(x)):
        return np.clip(np.asarray(estimator.predict_proba(x)[:, 1]), FLOOR, 1 - FLOOR)


def _booster(spec: FeatureSpec, seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=0.1, max_iter=300, max_leaf_nodes=31, min_samples_leaf=40, l2_regularization=1.0,
        categorical_features=np.array(spec.categorical), early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=15, random_state=seed)


def _fit_calibrated(x: np.ndarray, y: np.ndarray, spec: FeatureSpec, seed: int) -> CalibratedClassifierCV:
    """Trees on the earlier rows, the calibration map on the later ones (rows come sorted by start)."""
    cut = int(len(y) * (1 - CALIBRATION_SHARE))
    if y[:cut].min() == y[:cut].max() or y[cut:].min() == y[cut:].max():
        raise TooLittleData("the training weeks need both attended and no-show appointments in their earlier "
                            "and later parts.")
    with _threads(len(y)):
        booster = _booster(spec, seed).fit(x[:cut], y[:cut])
    method = "isotonic" if len(y) - cut >= ISOTONIC_MIN_ROWS else "sigmoid"
    calibrated = CalibratedClassifierCV(FrozenEstimator(booster), method=method)
    return calibrated.fit(x[cut:], y[cut:])


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[dict[str, Any]]:
    """Held-out rows in `bins` groups of equal size by predicted probability: mean predicted vs observed rate."""
    order = np.argsort(p, kind="stable")
    table = []
    for number, chunk in enumerate(np.array_split(order, bins), start=1):
        if len(chunk):
            table.append({"bin": number, "rows": len(chunk), "predicted": round(float(p[chunk].mean()), 4),
                          "observed": round(float(y[chunk].mean()), 4)})
    return table


def _check_enough(y: np.ndarray, what: str) -> None:
    noshows = int(y.sum())
    if len(y) < MIN_ROWS or noshows < MIN_NOSHOWS or len(y) - noshows < MIN_NOSHOWS:
        raise TooLittleData(
            f"too little data to train a no-show model: {what} has {len(y)} appointments with an outcome and "
            f"{noshows} no-shows; at least {MIN_ROWS} appointments, {MIN_NOSHOWS} no-shows and {MIN_NOSHOWS} "
            "attended visits are needed. No model was made.")


def train(history: History, *, seed: int = 0) -> NoShowModel:
    """Evaluate on the later weeks, then fit the saved model on every labelled row."""
    frame = history.frame
    labelled = history.labelled.to_numpy()
    y_all = (frame["outcome"].to_numpy() == "noshow").astype(np.int8)
    _check_enough(y_all[labelled], "the history")
    spec = features.fit_spec(history)
    x_all = features.build(history, spec).to_numpy(np.float64)
    start = frame["start"].to_numpy("datetime64[ns]")
    rows = np.flatnonzero(labelled)
    rows = rows[np.argsort(start[rows], kind="stable")]
    x, y = x_all[rows], y_all[rows]
    cut = int(len(rows) * (1 - TEST_SHARE))
    split_at = start[rows[cut]]
    cut = int(np.searchsorted(start[rows], split_at, side="left"))  # no appointment time on both sides
    _check_enough(y[:cut], "the training weeks (before the held-out later weeks)")
    held = _fit_calibrated(x[:cut], y[:cut], spec, seed)
    p = probabilities(held, x[cut:])
    y_test = y[cut:]
    both = 0 < y_test.sum() < len(y_test)
    metrics: dict[str, Any] = {
        "rows": len(frame), "labelled": len(rows), "noshows": int(y.sum()),
        "noshow_rate": round(float(y.mean()), 4),
        "split_at": pd.Timestamp(split_at).tz_localize("UTC").isoformat(),
        "train_rows": int(cut), "test_rows": len(y_test),
        "test_noshow_rate": round(float(y_test.mean()), 4) if len(y_test) else None,
        "auc": round(float(roc_auc_score(y_test, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(y_test, p)), 4) if len(y_test) else None,
        "brier_base_rate": round(float(brier_score_loss(y_test, np.full(len(y_test), y[:cut].mean()))), 4)
        if len(y_test) else None,
        "predicted_mean": round(float(p.mean()), 4) if len(p) else None,
        "calibration": calibration_table(y_test, p) if len(p) else [],
        "method": held.method,
    }
    final = _fit_calibrated(x, y, spec, seed)
    metrics["trained_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    metrics["features"] = spec.names
    return NoShowModel(estimator=final, spec=spec, metrics=metrics)


def sidecar(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".json")


def save(model: NoShowModel, path: str | Path) -> Path:
    """MODEL: the fitted estimator (joblib, ours alone); MODEL.json: the feature spec and the metrics."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.estimator, path)
    meta = {"kind": MODEL_KIND, "spec": model.spec.as_json(), "metrics": model.metrics}
    sidecar(path).write_text(json.dumps(meta, indent=1, default=_plain) + "\n", encoding="utf-8")
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def load(path: str | Path) -> NoShowModel:
    path = Path(path)
    if not path.is_file() or not sidecar(path).is_file():
        raise ModelFileError(f"no model at {path} (it needs {path.name} and {sidecar(path).name}; "
                             "make one with noshow-train).")
    try:
        meta = json.loads(sidecar(path).read_text(encoding="utf-8"))
        if meta.get("kind") != MODEL_KIND:
            raise ValueError("not a no-show model")
        spec = FeatureSpec.from_json(meta["spec"])
    except (ValueError, KeyError, TypeError) as error:
        raise ModelFileError(f"{sidecar(path)} is not a no-show model description ({error}).") from None
    estimator = joblib.load(path)
    if not isinstance(estimator, CalibratedClassifierCV):
        raise ModelFileError(f"{path} is not a no-show model.")
    return NoShowModel(estimator=estimator, spec=spec, metrics=dict(meta.get("metrics") or {}))
