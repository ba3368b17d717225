"""Payment reports (#19): the page with charts and tables, each table as CSV, the whole report as PDF."""

from __future__ import annotations

import csv
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinicdesk.core.permissions import Actor

from .report_filters import PATIENT_PAYER, require_report_reader
from .report_pdf import report_pdf
from .report_selectors import Report, payment_report, report_titles


def _where(report: Report) -> str:
    f = report.filters
    wide = f.scope is not None and f.scope.practice_wide
    parts = [f.location.name if f.location else (_("Whole practice") if wide else _("All my locations"))]
    if f.practitioner is not None:
        parts.append(str(f.practitioner))
    if f.payer:
        parts.append(f.payer_name)
    return " · ".join(parts)


@login_required
@require_GET
def reports_home(request: HttpRequest) -> HttpResponse:
    require_report_reader(cast(Actor, request.user))
    return redirect("billing:report", name="day-sheet")


@login_required
@require_GET
def report(request: HttpRequest, name: str) -> HttpResponse:
    result = payment_report(actor=cast(Actor, request.user), name=name, params=request.GET)
    query = urlencode(result.filters.query())
    cards = [(table, f"chart-{table.key}", f"chart-{table.key}-data") for table in result.tables]
    tabs = [{"label": label, "url": reverse("billing:report", args=[key]) + "?" + query, "current": key == name}
            for key, label in report_titles()]
    return render(request, "billing/reports/report.html", {
        "report": result, "filters": result.filters, "scope": result.filters.scope, "query": query,
        "cards": cards, "where": _where(result), "tabs": tabs, "patient_payer": PATIENT_PAYER})


@login_required
@require_GET
def report_csv(request: HttpRequest, name: str, table: str) -> HttpResponse:
    result = payment_report(actor=cast(Actor, request.user), name=name, params=request.GET, every_row=True)
    chosen = result.table(table)
    f = result.filters
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="{name}-{chosen.key}-{f.first_day.isoformat()}-'
                                       f'{f.last_day.isoformat()}.csv"')
    writer = csv.writer(response)
    writer.writerow(chosen.columns)
    writer.writerows(chosen.csv_rows())
    return response


@login_required
@require_GET
def report_pdf_view(request: HttpRequest, name: str) -> HttpResponse:
    result = payment_report(actor=cast(Actor, request.user), name=name, params=request.GET)
    f = result.filters
    response = HttpResponse(report_pdf(result, where=_where(result)), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="{name}-{f.first_day.isoformat()}-'
                                       f'{f.last_day.isoformat()}.pdf"')
    return response
