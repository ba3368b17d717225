"""Background work of the insight app: thin wrappers that call its services."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from clinicdesk.core import clock


@task()
def recount_recent_days(days: int = 7) -> int:
    """The nightly repair of the dashboards' daily counts: the last `days` days counted again, for the changes
    that fire no scheduling hook (a reminder's delivery, a confirmation, a check-out after the visit)."""
    from .dashboards import rollup

    today = clock.now().date()
    return rollup.rebuild(first_day=today - dt.timedelta(days=days), last_day=today)


@task()
def refresh_lead_times() -> int:
    """The dashboards' new-patient lead time searched ahead (insight/dashboards/lead_time.py), so that a page
    reads it from the cache; returns the number of location and type answers stored."""
    from .dashboards.lead_time import refresh_lead_times as refresh

    return refresh()


@task()
def compute_demand_forecast() -> int:
    """The weekly demand forecast (insight/forecast): computed and stored; returns the stored run's id."""
    from .forecast.services import demand_forecast_compute

    return demand_forecast_compute(actor=None).pk


@task()
def send_due_reports() -> int:
    """The scheduled reports (insight/reports): due subscriptions e-mailed, failed sends retried."""
    from .reports.services import reports_send_due

    return reports_send_due()
