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

from .dashboards.figures import FIGURES, NEEDS_ACTOR, Figure
from .dashboards.filters import Filters, Scope, dashboard_scope, parse_filters


@dataclass
class Dashboard:
    scope: Scope
    filters: Filters
    figures: list[Figure]


@reads_from_replica
def dashboard_figure(*, actor: Actor, key: str, filters: Filters) -> Figure:
    if key not in FIGURES:
        raise NotFound()
    if key in NEEDS_ACTOR:
        return FIGURES[key](filters, actor=actor)
    return FIGURES[key](filters)


@reads_from_replica
def dashboard_read(*, actor: Actor, params: Mapping[str, str], keys: list[str] | None = None) -> Dashboard:
    """Every figure (or those named) for the filters in `params` (?from=&to=&location=&provider=&type=)."""
    scope = dashboard_scope(actor=actor)
    filters = parse_filters(params, scope)
    return Dashboard(scope, filters, [dashboard_figure(actor=actor, key=key, filters=filters)
                                      for key in (keys if keys is not None else list(FIGURES))])
