"""The model: honest (temporal) evaluation, calibrated probabilities, a refusal on too little data, save/load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from clinicdesk.insight.noshow import io, model

from .conftest import history_of, synthetic


def test_model_ranks_the_synthetic_pattern_well(trained):
    assert trained.metrics["auc"] > 0.7
    assert trained.metrics["brier"] < trained.metrics["brier_base_rate"]


def test_model_is_evaluated_on_later_weeks_only(trained, synthetic_frame):
    m = trained.metrics
    assert m["train_rows"] + m["test_rows"] == m["labelled"] == len(synthetic_frame)
    assert 0.15 < m["test_rows"] / m["labelled"] < 0.25
    history = history_of(synthetic_frame)
    starts = history.frame["start"].sort_values()
    assert starts.iloc[m["train_rows"] - 1] < starts.iloc[m["train_rows"]]  # no instant on both sides
    assert starts.iloc[m["train_rows"]].isoformat() == m["split_at"]


def test_model_probabilities_are_calibrated(trained):
    m = trained.metrics
    assert abs(m["predicted_mean"] - m["test_noshow_rate"]) < 0.03
    table = m["calibration"]
    assert len(table) == model.BINS and sum(row["rows"] for row in table) == m["test_rows"]
    assert table[-1]["observed"] > 2 * table[0]["observed"]  # the riskiest tenth misses far more often
    worst = max(abs(row["predicted"] - row["observed"]) for row in table)
    assert worst < 0.12


def test_model_predicts_for_new_files_with_their_own_history(trained):
    frame = synthetic.generate(3000, seed=11, score_weeks=4)
    history = history_of(frame)
    todo = ~history.labelled.to_numpy()
    p = trained.predict(history, todo)
    assert len(p) == todo.sum() > 0 and ((p > 0) & (p < 1)).all()
    assert abs(p.mean() - trained.metrics["noshow_rate"]) < 0.05


@pytest.mark.parametrize(("rows", "noshow_every"), [(150, 5), (400, 50)])
def test_model_refuses_too_little_data(rows, noshow_every):
    lines = [f"P{i % 40},2026-01-{1 + i % 20:02d}T09:00,2026-02-{1 + i % 27:02d}T10:00,40,female,010,1,"
             f"{'noshow' if i % noshow_every == 0 else 'attended'}" for i in range(rows)]
    history = io.read_history_text("\n".join([",".join(io.REQUIRED), *lines]))
    with pytest.raises(model.TooLittleData, match="too little data"):
        model.train(history)


def test_model_saves_and_loads_with_a_json_sidecar(trained, tmp_path, synthetic_frame):
    path = model.save(trained, tmp_path / "m.joblib")
    meta = json.loads((tmp_path / "m.joblib.json").read_text())
    assert meta["kind"] == "clinicdesk-noshow" and meta["spec"]["extras"] == ["distance_km"]
    assert meta["metrics"]["auc"] == trained.metrics["auc"]
    again = model.load(path)
    history = history_of(synthetic_frame.head(500))
    assert np.allclose(again.predict(history), trained.predict(history))


def test_model_load_refuses_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(model.ModelFileError, match="no model"):
        model.load(tmp_path / "none.joblib")
    (tmp_path / "x.joblib").write_bytes(b"")
    (tmp_path / "x.joblib.json").write_text('{"kind": "something-else"}')
    with pytest.raises(model.ModelFileError, match="not a no-show model"):
        model.load(tmp_path / "x.joblib")
