"""The budget screens (issue #21, item 11): budget against actuals by month for a location and year (with the
year to date, a CSV and the JSON twin in budget_api.py), the budget's lines, and the actual amounts entered by
hand. Thin over services.budgets and budget_selectors; the practice coordinator's pages."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error

from . import budget_selectors as selectors
from .budget_forms import MONTH_ALIASES, ActualEntryForm, BudgetCreateForm, BudgetLineForm, month_names
from .models_budget import MONTHS, BudgetCategory
from .pdf import money
from .services import budgets as services
from .views import FIXABLE, _actor, _locations


def _year(request: HttpRequest) -> int:
    raw = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if raw.isdigit() and services.FIRST_YEAR <= int(raw) <= services.LAST_YEAR:
        return int(raw)
    return clock.now().year


def _query(location: Any, year: int) -> str:
    return urlencode({"location": location.pk, "year": year})


def _tabs(current: str, location: Any, year: int, budget: Any) -> list[dict[str, Any]]:
    query = _query(location, year)
    tabs = [("variance", _("Budget and actuals"), reverse("operations:budgets") + "?" + query)]
    if budget is not None:
        tabs.append(("lines", _("Budget lines"), reverse("operations:budget-lines", args=[budget.pk])))
    tabs.append(("actuals", _("Entered actuals"), reverse("operations:budget-actuals") + "?" + query))
    return [{"label": label, "url": url, "current": key == current} for key, label, url in tabs]


def dollars(value: Any) -> str:
    """A grid amount to the dollar ('$52,000', '-$1,800'): the table stays readable; the CSV and the API carry
    the cents."""
    amount = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    number = formats.number_format(abs(amount), 0, use_l10n=True, force_grouping=True)
    # the grid's own words for an amount: fourteen columns must fit a 1,400 px screen ('4 500 $' in Spanish)
    text = pgettext("budget grid", "$%(number)s") % {"number": number}
    return f"-{text}" if amount < 0 else text


def _pct(value: Any) -> str:
    return "—" if value is None else formats.number_format(value, 1, use_l10n=True) + " %"


def _signed(value: Any) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + dollars(value)


def _flag(cell: selectors.Cell) -> tuple[str, str] | None:
    if not cell.unfavourable:
        return None
    if cell.revenue:
        return pgettext("budget cell", "Below"), _("below budget")
    return pgettext("budget cell", "Over"), _("over budget")


def _display(row: selectors.Row) -> dict[str, Any]:
    """One line of the table as four rows of text: budget, actual, variance, variance %."""
    cells = [*row.months, row.ytd, row.year]
    label = row.label
    if row.hourly_cost is not None:
        label = _("%(line)s (paid hours at %(cost)s an hour)") % {"line": row.label, "cost": money(row.hourly_cost)}
    return {"label": label, "key": row.category, "total": row.category in ("total", "net"),
            "unbudgeted": not row.budgeted, "measures": [
                (_("Budget"), [(dollars(c.budget), None) for c in cells]),
                (_("Actual"), [("—" if c.actual is None else dollars(c.actual), None) for c in cells]),
                (_("Variance"), [(_signed(c.variance), _flag(c)) for c in cells]),
                (_("Variance %"), [(_pct(c.percent), None) for c in cells])]}


def _years(request: HttpRequest, location: Any, year: int) -> list[int]:
    this = clock.now().year
    return sorted({*selectors.years_budgeted(actor=_actor(request), location_id=location.pk), this - 1, this,
                   this + 1, year}, reverse=True)


@login_required
@require_GET
def budgets(request: HttpRequest) -> HttpResponse:
    location, locations = _locations(request)
    year = _year(request)
    report = selectors.variance_report(actor=_actor(request), location_id=location.pk, year=year)
    short = [formats.date_format(dt.date(2000, m, 1), "M") for m in MONTHS]
    payroll = next((r for r in report.expenses if r.category == BudgetCategory.PAYROLL), None)
    hours = [payroll.hours.get(m) for m in MONTHS] if payroll else []
    through = formats.date_format(dt.date(year, report.through_month, 1), "F") if report.through_month else ""
    return render(request, "operations/budget.html", {
        "tabs": _tabs("variance", location, year, report.budget), "location": location, "locations": locations,
        "year": year, "years": _years(request, location, year), "report": report, "months": short,
        "rows": [_display(row) for row in report.rows], "through": through, "payroll": payroll,
        "hours": [formats.number_format(h, 2, use_l10n=True) if h is not None else "—" for h in hours],
        "query": _query(location, year), "create_form": BudgetCreateForm(initial={"year": year}),
        "facts": [(_("Expenses, year to date"), money(report.total_expenses.ytd.actual or 0),
                   money(report.total_expenses.ytd.budget)),
                  (_("Revenue, year to date"), money(report.total_revenue.ytd.actual or 0),
                   money(report.total_revenue.ytd.budget))]})


@login_required
@require_POST
def budget_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    form = BudgetCreateForm(request.POST)
    year = _year(request)
    if form.is_valid():
        try:
            budget = services.budget_create(actor=_actor(request), location_id=location.pk,
                                            year=form.cleaned_data["year"])
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Budget made: set its lines."))
            return redirect("operations:budget-lines", budget_id=budget.pk)
    else:
        selectors.require_budgets(_actor(request), location.pk)
        for problems in form.errors.values():
            messages.error(request, " ".join(str(p) for p in problems))
    return redirect(reverse("operations:budgets") + "?" + _query(location, year))


@login_required
@require_http_methods(["GET", "POST"])
def budget_lines(request: HttpRequest, budget_id: int) -> HttpResponse:
    budget = selectors.budget_detail(actor=_actor(request), budget_id=budget_id)
    amounts = selectors.budget_amounts(budget)
    costs = {line.category: line.hourly_cost for line in budget.lines.all()}
    wanted = request.GET.get("category", "")
    initial: dict[str, Any] = {"mode": "annual", "category": wanted or BudgetCategory.PAYROLL}
    if wanted in amounts:
        initial.update({"mode": "monthly", "hourly_cost": costs.get(wanted),
                        **{f"month_{m}": a for m, a in zip(MONTHS, amounts[wanted], strict=True)}})
    form = BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.budget_line_set(actor=_actor(request), budget_id=budget_id, category=data["category"],
                                     hourly_cost=data.get("hourly_cost"), **form.amounts())
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error, MONTH_ALIASES)
        else:
            messages.success(request, _("Budget line saved."))
            return redirect("operations:budget-lines", budget_id=budget_id)
    labels = dict(BudgetCategory.choices)
    rows = [{"category": c.value, "label": labels[c], "total": sum(amounts[c]), "hourly_cost": costs.get(c),
             "edit_url": reverse("operations:budget-lines", args=[budget_id]) + "?" + urlencode({"category": c}),
             "remove_url": reverse("operations:budget-line-remove", args=[budget_id, c.value])}
            for c in BudgetCategory if c in amounts]
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "operations/budget_lines.html", {
        "tabs": _tabs("lines", budget.location, budget.year, budget), "budget": budget, "location": budget.location,
        "year": budget.year, "form": form, "rows": rows, "month_fields": form.month_fields()}, status=status)


@login_required
@require_POST
def budget_line_remove(request: HttpRequest, budget_id: int, category: str) -> HttpResponse:
    try:
        services.budget_line_remove(actor=_actor(request), budget_id=budget_id, category=category)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Budget line removed."))
    return redirect("operations:budget-lines", budget_id=budget_id)


@login_required
@require_http_methods(["GET", "POST"])
def budget_actuals(request: HttpRequest) -> HttpResponse:
    location, locations = _locations(request)
    year = _year(request)
    selectors.require_budgets(_actor(request), location.pk)
    today = clock.now()
    form = ActualEntryForm(request.POST or None,
                           initial={"month": today.month if year == today.year else 12, "category": "rent"})
    if request.method == "POST" and form.is_valid():
        try:
            services.actual_entry_add(actor=_actor(request), location_id=location.pk, year=year,
                                      **form.cleaned_data)
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Actual amount recorded."))
            return redirect(reverse("operations:budget-actuals") + "?" + _query(location, year))
    entries = selectors.actual_entries(actor=_actor(request), location_id=location.pk, year=year)
    names = dict(month_names())
    rows = [{"month": names[e.month], "label": e.get_category_display(), "amount": money(e.amount), "note": e.note,
             "by": e.entered_by.get_full_name() if e.entered_by else "—", "at": e.entered_at,
             "remove_url": reverse("operations:budget-actual-remove", args=[e.pk])} for e in entries]
    budget = selectors.budget_for(actor=_actor(request), location_id=location.pk, year=year)
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "operations/budget_actuals.html", {
        "tabs": _tabs("actuals", location, year, budget), "location": location, "locations": locations,
        "year": year, "years": _years(request, location, year), "form": form, "rows": rows,
        "total": money(sum((e.amount for e in entries), 0))}, status=status)


@login_required
@require_POST
def budget_actual_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    location, _all = _locations(request)
    year = _year(request)
    try:
        services.actual_entry_remove(actor=_actor(request), entry_id=entry_id)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Actual amount removed."))
    return redirect(reverse("operations:budget-actuals") + "?" + _query(location, year))


def _text(value: str) -> str:
    """Words in a CSV cell with any spreadsheet formula neutralised (a leading = + - @ gets a quote)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_rows(report: selectors.VarianceReport) -> tuple[list[str], list[list[str]]]:
    """The report as plain rows: a line per budget line and month (then the year to date and the year)."""
    header = [_("Location"), _("Year"), _("Budget line"), _("Month"), _("Budget"), _("Actual"), _("Variance"),
              _("Variance %"), _("Outside budget")]
    names = [name for _m, name in month_names()] + [_("Year to date"), _("Full year")]
    rows = []
    for row in report.rows:
        for name, cell in zip(names, [*row.months, row.ytd, row.year], strict=True):
            flag = _flag(cell)
            rows.append([_text(report.location.name), str(report.year), _text(row.label), name,  # type: ignore[attr-defined]
                         str(cell.budget), "" if cell.actual is None else str(cell.actual),
                         "" if cell.variance is None else str(cell.variance),
                         "" if cell.percent is None else str(cell.percent),
                         flag[1].capitalize() if flag else ""])
    return header, rows


@login_required
@require_GET
def budget_csv(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    year = _year(request)
    report = selectors.variance_report(actor=_actor(request), location_id=location.pk, year=year)
    header, rows = csv_rows(report)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget-{location.pk}-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
