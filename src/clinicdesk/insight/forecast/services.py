"""Writes of the demand forecast: computing it and storing it (practice coordinators, the task, the command)."""

from __future__ import annotations

from django.db import transaction

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.permissions import Actor, Perm, require

from . import compute
from .tables import ForecastRun


@atomic_service
def _authorise(actor: Actor) -> None:
    require(actor, Perm.PRACTICE_ADMIN)
    require(actor, Perm.REPORTS_READ)


def demand_forecast_compute(*, actor: Actor | None, weeks: int = 12) -> ForecastRun:
    """Forecast every location's requests for the next `weeks` weeks, compare them with the templates' capacity and
    store the result in place of the previous one. Practice coordinators (practice.admin and reports.read), or the
    server (`actor=None`: the weekly task, `clinicdesk insight forecast`). The model runs outside any transaction
    (seconds, with no lock held); the figures and the audit entry are written in one (aggregates only, no PHI)."""
    if actor is not None:
        _authorise(actor)
    result, seconds = compute.compute(weeks=weeks)
    with transaction.atomic():
        run = compute.store(result, seconds)
        record(actor, "insight.forecast_compute", resource_type="forecast", resource_id=run.pk,
               detail={"series": run.series, "weeks": run.weeks, "mase": run.mase, "seconds": run.seconds})
    return run
