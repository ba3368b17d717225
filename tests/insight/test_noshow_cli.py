"""`clinicdesk insight noshow-train` and `noshow-score` on the documented CSV (docs/insight.md), and their errors."""

from __future__ import annotations

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .conftest import synthetic

HEADER = "patient_ref,booked_at,start,age,sex,area,reminder_sent,outcome"
GOOD = "P1,2026-01-02T09:00:00,2026-01-09T10:00:00-05:00,34,female,010,1,attended"


def _run(*args: str) -> str:
    out = StringIO()
    call_command("insight", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("noshow")
    synthetic.generate(5000, seed=4).to_csv(root / "train.csv", index=False)
    score = synthetic.generate(1500, seed=9, score_weeks=3)
    score.to_csv(root / "test.csv", index=False)
    score.drop(columns=["appointment_ref"]).to_csv(root / "test-norefs.csv", index=False)
    metrics = json.loads(_run("noshow-train", "--history", str(root / "train.csv"), "--model", str(root / "m")))
    return root, metrics, score


def test_noshow_train_prints_the_metrics_as_one_json_line(files):
    root, metrics, _score = files
    assert metrics["auc"] > 0.7 and {"brier", "calibration", "split_at", "test_rows"} <= set(metrics)
    assert (root / "m").is_file() and json.loads((root / "m.json").read_text())["metrics"]["auc"] == metrics["auc"]


def test_noshow_score_writes_appointment_ref_and_probability(files):
    root, _metrics, score = files
    _run("noshow-score", "--model", str(root / "m"), "--appointments", str(root / "test.csv"),
         "--out", str(root / "pred.csv"))
    rows = list(csv.DictReader((root / "pred.csv").open()))
    todo = score[score["outcome"] == ""]
    assert list(rows[0]) == ["appointment_ref", "probability"]
    assert [r["appointment_ref"] for r in rows] == list(todo["appointment_ref"])
    assert all(0 < float(r["probability"]) < 1 for r in rows)


def test_noshow_score_numbers_rows_when_there_is_no_appointment_ref(files):
    root, _metrics, score = files
    _run("noshow-score", "--model", str(root / "m"), "--appointments", str(root / "test-norefs.csv"),
         "--out", str(root / "pred2.csv"))
    rows = list(csv.DictReader((root / "pred2.csv").open()))
    assert list(rows[0]) == ["row", "probability"]
    expected = [str(i + 1) for i, outcome in enumerate(score["outcome"]) if outcome == ""]
    assert [r["row"] for r in rows] == expected


@pytest.mark.parametrize(("header", "line", "message"), [
    ("patient_ref,booked_at,start,age,sex,area,outcome", "P1,2026-01-02,2026-01-09,34,female,010,attended",
     "line 1: missing column reminder_sent"),
    (HEADER, "P1,2026-01-02T09:00,next tuesday,34,female,010,1,attended", "line 3: start 'next tuesday' is not"),
    (HEADER, "P1,2026-01-02T09:00,2026-01-09T10:00,34,female,010,1,maybe",
     "line 3: outcome 'maybe' is not attended, noshow or empty"),
    (HEADER, "P1,2026-01-12T09:00,2026-01-09T10:00,34,female,010,1,attended", "line 3: start .* is before booked_at"),
    (HEADER + ",distance_km", GOOD + ",far", "line 3: distance_km 'far' is not a number"),
    (HEADER, "P1,2026-01-02T09:00,2026-01-09T10:00,34,female,010,yes please,attended",
     "line 3: reminder_sent must be 0 or 1"),
    (HEADER, "P1,2026-01-02T09:00,2026-01-09T10:00,old,female,010,1,attended", "line 3: age 'old' is not a number"),
])
def test_noshow_train_names_the_line_of_bad_input_and_writes_nothing(tmp_path, header, line, message):
    extra = ",1.5" if header.endswith("distance_km") else ""
    (tmp_path / "bad.csv").write_text("\n".join([header, GOOD + extra, line]) + "\n")
    with pytest.raises(CommandError, match=message):
        _run("noshow-train", "--history", str(tmp_path / "bad.csv"), "--model", str(tmp_path / "m"))
    assert not (tmp_path / "m").exists() and not (tmp_path / "m.json").exists()


def test_noshow_train_refuses_too_little_data(tmp_path):
    (tmp_path / "small.csv").write_text("\n".join([HEADER, GOOD, GOOD.replace("P1", "P2")]) + "\n")
    with pytest.raises(CommandError, match="too little data to train a no-show model: the history has 2"):
        _run("noshow-train", "--history", str(tmp_path / "small.csv"), "--model", str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()


def test_noshow_score_refuses_a_missing_model_and_a_missing_extra_column(files, tmp_path):
    root, _metrics, _score = files
    (tmp_path / "a.csv").write_text("\n".join([HEADER, GOOD.replace("attended", "")]) + "\n")
    with pytest.raises(CommandError, match="no model at"):
        _run("noshow-score", "--model", str(tmp_path / "none"), "--appointments", str(tmp_path / "a.csv"),
             "--out", str(tmp_path / "p.csv"))
    with pytest.raises(CommandError, match="lacks the extra column distance_km"):
        _run("noshow-score", "--model", str(root / "m"), "--appointments", str(tmp_path / "a.csv"),
             "--out", str(tmp_path / "p.csv"))
    assert not (tmp_path / "p.csv").exists()
