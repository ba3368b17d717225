"""Shared pieces of the insight tests: the synthetic history generator (bench/insight_history.py) and one small
trained model per session (training takes a couple of seconds)."""

from __future__ import annotations

import importlib.util
import io as _io
import sys
from pathlib import Path
from types import ModuleType

import pytest

from clinicdesk.insight.noshow import io, model

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "insight_history.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("insight_history", _BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("insight_history", module)
    spec.loader.exec_module(module)
    return module


synthetic = _generator()


def history_of(frame) -> io.History:
    buffer = _io.StringIO()
    frame.to_csv(buffer, index=False)
    buffer.seek(0)
    return io.read_history(buffer)


@pytest.fixture(scope="session")
def synthetic_frame():
    return synthetic.generate(6000, seed=3)


@pytest.fixture(scope="session")
def trained(synthetic_frame) -> model.NoShowModel:
    return model.train(history_of(synthetic_frame), seed=0)


@pytest.fixture(autouse=True)
def _model_in_tmp(settings, tmp_path):
    """The practice's model goes to the test's own directory, never to var/."""
    settings.INSIGHT_NOSHOW_MODEL = str(tmp_path / "noshow.joblib")
