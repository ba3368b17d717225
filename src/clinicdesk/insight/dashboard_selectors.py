"""The dashboards as one read: the user's scope, the filters, and the figures (insight/dashboards/figures.py).

No figure carries patient data (counts, rates, minutes per week, provider, type or location), so reading a
dashboard is not a PHI read and is not audited; the permission is reports.read, practice-wide for practice-wide
roles and per location for everyone else (insight/dashboards/filters.py). With a read replica configured,
the figures are read there (core/replica.py): they may lag the primary by a moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor
from clinicdesk.core.replica import reads_from_replica

from .dashboards.daily import DailySums, read_daily
from .dashboards.figures import FIGURES, NEEDS_ACTOR, READS_DAILY, Figure
from .dashboards.filters import Filters, Scope, dashboard_scope, parse_filters


@dataclass
class Dashboard:
    scope: Scope
    filters: Filters
    figures: list[Figure]


@reads_from_replica
def dashboard_figure(*, actor: Actor, key: str, filters: Filters, daily: DailySums | None = None) -> Figure:
    """One figure; `daily`, the page's one read of the daily table, for the figures that read it (else their own
    query)."""
    if key not in FIGURES:
        raise NotFound()
    if key in NEEDS_ACTOR:
        return FIGURES[key](filters, actor=actor)
    if key in READS_DAILY and daily is not None:
        return FIGURES[key](filters, daily)
    return FIGURES[key](filters)


@reads_from_replica
def dashboard_read(*, actor: Actor, params: Mapping[str, str], keys: list[str] | None = None) -> Dashboard:
    """Every figure (or those named) for the filters in `params` (?from=&to=&location=&provider=&type=). With
    more than one figure of the daily table, the table is read once for all of them."""
    scope = dashboard_scope(actor=actor)
    filters = parse_filters(params, scope)
    wanted = keys if keys is not None else list(FIGURES)
    daily = read_daily(filters) if len(READS_DAILY.intersection(wanted)) > 1 else None
    return Dashboard(scope, filters, [dashboard_figure(actor=actor, key=key, filters=filters, daily=daily)
                                      for key in wanted])
