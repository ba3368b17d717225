"""The demo practice's insight: count the generated appointments into insight's daily table (the demo writes
its history in bulk, past the scheduling hooks that keep the counts current in normal use); with a history
(demo_history.py), train the no-show model and compute the demand forecast, as the weekly tasks would, so the
screens show the risk and the forecast right after `make run`."""

from __future__ import annotations

import time
from typing import Any

from clinicdesk.core.exceptions import ValidationFailed

from .dashboards import rollup


def dashboards_demo() -> int:
    return rollup.rebuild()


def insight_models_demo() -> dict[str, Any]:
    """Train the no-show model on the practice's history and compute the forecast; their headline figures and the
    seconds each took. Too little history leaves the model untrained (the screens then show no risk)."""
    from .forecast.services import demand_forecast_compute
    from .services import noshow_train_practice

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        metrics = noshow_train_practice(actor=None)
        figures.update(auc=metrics.get("auc"), brier=metrics.get("brier"))
    except ValidationFailed:
        figures["auc"] = None
    figures["train_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    run = demand_forecast_compute(actor=None)
    figures.update(mase=run.mase, forecast_seconds=round(time.perf_counter() - started, 1))
    return figures
