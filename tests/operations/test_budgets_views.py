"""The budget screens, CSV and JSON API: the variance table with its over-budget marks in words, the lines and
actuals forms (bad input: 422 and nothing written), a plain-language CSV, the API's decimal strings; only the
practice coordinator."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from clinicdesk.operations.models import ActualEntry, Budget, BudgetLine, BudgetMonth

from . import budget_data
from .budget_data import YEAR


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def _flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_variance_page_marks_over_budget_cells_in_words(coordinator, location, settings, clock, client_for,
                                                            django_assert_max_num_queries):
    budget_data.whole_year(coordinator, location, settings)
    client = client_for(coordinator)
    with django_assert_max_num_queries(30):
        page = client.get(f"/operations/budgets/?location={location.pk}&year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-line="supplies"' in html and "+$365" in html and "365.0 %" in html
    assert "over budget" in html and "below budget" in html  # words, not colour alone
    assert "Payroll (paid hours at $30.00 an hour)" in html
    assert "Not budgeted" in html  # the equipment line
    assert "payroll" not in html.split('data-line="payroll"')[1].split("</tbody>")[0].replace(
        'data-line="payroll"', "")  # no internal codes in the cells


def test_without_a_budget_the_page_offers_to_make_one_and_refuses_a_second(coordinator, location, client_for):
    client = client_for(coordinator)
    supplies = client.get(f"/operations/supplies/?location={location.pk}").content.decode()
    assert 'href="/operations/budgets/"' in supplies  # the supplies section's tab
    page = client.get(f"/operations/budgets/?location={location.pk}&year={YEAR}")
    assert "Make the 2026 budget" in page.content.decode()
    made = client.post("/operations/budgets/new/", {"location": location.pk, "year": YEAR})
    budget = Budget.objects.get()
    assert made["Location"] == f"/operations/budgets/{budget.pk}/lines/"
    again = client.post("/operations/budgets/new/", {"location": location.pk, "year": YEAR})
    assert any("already has a budget for 2026" in m for m in _flashes(again))
    assert Budget.objects.count() == 1


def test_lines_are_set_from_the_screen_and_bad_amounts_write_nothing(coordinator, location, client_for):
    client = client_for(coordinator)
    client.post("/operations/budgets/new/", {"location": location.pk, "year": YEAR})
    budget = Budget.objects.get()
    url = f"/operations/budgets/{budget.pk}/lines/"
    months = {f"month_{m}": "100.00" for m in range(1, 13)}
    refused = client.post(url, {"category": "rent", "mode": "monthly", **months, "month_3": "-5"})
    assert refused.status_code == 422 and not BudgetLine.objects.exists()
    refused = client.post(url, {"category": "payroll", "mode": "annual", "annual": "1000"})
    assert refused.status_code == 422 and "blended hourly cost" in refused.content.decode()
    assert client.post(url, {"category": "rent", "mode": "monthly", **months, "month_12": "150"}).status_code == 302
    assert client.post(url, {"category": "utilities", "mode": "annual", "annual": "1200"}).status_code == 302
    assert sorted(BudgetMonth.objects.filter(line__category="rent").values_list("amount", flat=True))[-1] == \
        Decimal("150.00")
    page = client.get(url).content.decode()
    assert "Rent" in page and "$1,250.00" in page and "$1,200.00" in page
    client.post(f"{url}utilities/remove/")
    assert list(BudgetLine.objects.values_list("category", flat=True)) == ["rent"]


def test_actuals_are_entered_and_removed_from_the_screen(coordinator, location, client_for):
    client = client_for(coordinator)
    url = f"/operations/budgets/actuals/?location={location.pk}&year={YEAR}"
    refused = client.post(url, {"location": location.pk, "year": YEAR, "month": "13", "category": "rent",
                                "amount": "10", "note": "x"})
    assert refused.status_code == 422 and not ActualEntry.objects.exists()
    done = client.post(url, {"location": location.pk, "year": YEAR, "month": "3", "category": "utilities",
                             "amount": "410.20", "note": "Electricity, March"})
    assert done.status_code == 302
    entry = ActualEntry.objects.get()
    assert "Electricity, March" in client.get(url).content.decode()
    client.post(f"/operations/budgets/actuals/{entry.pk}/remove/", {"location": location.pk, "year": YEAR})
    assert not ActualEntry.objects.exists()


def test_the_csv_has_plain_words_and_exact_numbers(coordinator, location, settings, clock, client_for):
    budget_data.whole_year(coordinator, location, settings)
    response = client_for(coordinator).get(f"/operations/budgets/export.csv?location={location.pk}&year={YEAR}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Location", "Year", "Budget line", "Month", "Budget", "Actual", "Variance", "Variance %",
                       "Outside budget"]
    october = next(r for r in rows if r[2] == "Supplies" and r[3] == "October")
    assert october == ["Downtown", "2026", "Supplies", "October", "100.00", "465.00", "365.00", "365.0",
                       "Over budget"]
    december = next(r for r in rows if r[2] == "Supplies" and r[3] == "December")
    assert december[5:] == ["", "", "", ""]
    assert not any("patient-pay" in cell or cell == "payroll" for row in rows for cell in row)


def test_the_api_gives_the_same_figures_as_decimal_strings(coordinator, nurse, location, settings, clock,
                                                           client_for):
    budget_data.whole_year(coordinator, location, settings)
    answer = client_for(coordinator).get(f"/api/v1/budgets/{location.pk}/{YEAR}").json()
    assert answer["throughMonth"] == 11
    supplies = next(line for line in answer["lines"] if line["line"] == "supplies")
    assert supplies["months"][9] == {"month": 10, "budget": "100.00", "actual": "465.00", "variance": "365.00",
                                     "variancePercent": "365.0", "unfavourable": True}
    payroll = next(line for line in answer["lines"] if line["line"] == "payroll")
    assert payroll["hourlyCost"] == "30.00" and payroll["paidHours"] == {"10": "7.50", "11": "15.00"}
    assert answer["totals"]["revenue"]["months"][10]["actual"] == "90.00"
    assert client_for(nurse).get(f"/api/v1/budgets/{location.pk}/{YEAR}").status_code == 403
    assert client_for(coordinator).get(f"/api/v1/budgets/{location.pk}/1800").status_code == 404


def test_staff_without_operations_admin_are_refused(nurse, location, client_for):
    client = client_for(nurse)
    assert client.get(f"/operations/budgets/?location={location.pk}").status_code == 403
    assert client.get(f"/operations/budgets/actuals/?location={location.pk}").status_code == 403
    assert client.post("/operations/budgets/new/", {"location": location.pk, "year": YEAR}).status_code == 403
    assert not Budget.objects.exists()
