"""The demand forecast page, its CSV, and "compute now" (reports.read with the dashboards' reach; computing:
practice coordinators)."""

from __future__ import annotations

import csv
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.permissions import Actor, Perm, has_perm

from .selectors import ForecastView, forecast_read
from .services import demand_forecast_compute


def _number(value: float | None, places: int = 1) -> str:
    return "—" if value is None else formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _label(view: ForecastView, start: Any) -> str:
    return formats.date_format(start, "SHORT_DATE_FORMAT")


def _chart(view: ForecastView) -> dict[str, Any]:
    return {"labels": [_label(view, p.start) for p in view.points], "mean": [p.mean for p in view.points],
            "lo80": [p.lo80 for p in view.points], "hi80": [p.hi80 for p in view.points],
            "lo95": [p.lo95 for p in view.points], "hi95": [p.hi95 for p in view.points],
            "flagged": [p.flagged for p in view.points],
            "names": {"mean": _("Expected requests"), "band80": _("Likely range (8 in 10)"),
                      "band95": _("Wide range (19 in 20)"),
                      "flagged": _("Week over capacity")}}


def _facts(view: ForecastView, request: HttpRequest) -> list[tuple[str, Any]]:
    run = view.run
    if run is None:
        return []
    zone = view.scope.locations[0].tz
    return [
        (_("Computed"), formats.date_format(run.computed_at.astimezone(zone), "DATETIME_FORMAT")),
        (_("Series forecast (location and type)"), formats.number_format(view.series, use_l10n=True)),
        (_("Backtest error (MASE)"), _number(view.mase, 2)),
        (_("Seasonal-naive error (MASE)"), _number(view.naive_mase, 2)),
        (_("Time to compute (seconds)"), _number(run.seconds, 1)),
    ]


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    actor = cast(Actor, request.user)
    view = forecast_read(actor=actor, params=request.GET)
    query = urlencode({**view.query(), "grain": view.grain})
    return render(request, "insight/forecast.html", {
        "view": view, "scope": view.scope, "chart": _chart(view), "query": query, "facts": _facts(view, request),
        "rows": [(_label(view, p.start), _number(p.mean), _number(p.lo80), _number(p.hi80), _number(p.lo95),
                  _number(p.hi95), p.flagged) for p in view.points],
        "shortfalls": [(s, _number(s.demand_minutes / 60), _number(s.capacity_minutes / 60)) for s in view.shortfalls],
        "can_compute": has_perm(actor, Perm.PRACTICE_ADMIN) and has_perm(actor, Perm.REPORTS_READ)})


@login_required
@require_GET
def forecast_csv(request: HttpRequest) -> HttpResponse:
    view = forecast_read(actor=cast(Actor, request.user), params=request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="demand-forecast-{view.grain}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Week of") if view.grain == "week" else _("Day"), _("Expected requests"),
                     _("Likely low"), _("Likely high"), _("Wide low"), _("Wide high"), _("Week over capacity")])
    writer.writerows([p.start.isoformat(), p.mean, p.lo80, p.hi80, p.lo95, p.hi95, _("Yes") if p.flagged else _("No")]
                     for p in view.points)
    return response


@login_required
@require_POST
def forecast_compute(request: HttpRequest) -> HttpResponse:
    run = demand_forecast_compute(actor=cast(Actor, request.user))
    messages.success(request, _("The demand forecast was computed: %(series)s series in %(seconds)s seconds.") % {
        "series": run.series, "seconds": _number(run.seconds)})
    return redirect("insight:forecast")
