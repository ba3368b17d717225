"""The dashboards page and each figure's CSV (reports.read; practice-wide or per location, see filters.py)."""

from __future__ import annotations

import csv
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from clinicdesk.core.permissions import Actor

from ..dashboard_selectors import dashboard_read


@login_required
@require_GET
def dashboards(request: HttpRequest) -> HttpResponse:
    board = dashboard_read(actor=cast(Actor, request.user), params=request.GET)
    query = urlencode(board.filters.query())
    return render(request, "insight/dashboards.html", {
        "board": board, "filters": board.filters, "scope": board.scope, "query": query,
        "cards": [(figure, f"chart-{figure.key}", f"chart-{figure.key}-data", figure.chart_data())
                  for figure in board.figures]})


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, key: str) -> HttpResponse:
    board = dashboard_read(actor=cast(Actor, request.user), params=request.GET, keys=[key])
    figure = board.figures[0]
    filters = board.filters
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{figure.key}-{filters.first_day.isoformat()}-{filters.last_day.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(figure.columns())
    writer.writerows(figure.csv_rows())
    return response
