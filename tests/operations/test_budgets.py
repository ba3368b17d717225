"""Budgets (#21 item 11): lines per category and month, actuals computed from purchase orders, rosters and the
ledger (and entered by hand), variance by month and year to date; bad input refused with nothing written;
only the practice coordinator; every change audited. The data set is tests/operations/budget_data.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.budget_selectors import collections_by_month
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.operations import budget_selectors as selectors
from clinicdesk.operations.models import ActualEntry, Budget, BudgetLine, BudgetMonth
from clinicdesk.operations.services import budgets as services
from clinicdesk.staffing.hours_selectors import paid_hours_by_month
from tests.factories import UserFactory

from . import budget_data
from .budget_data import YEAR

D = Decimal


@pytest.fixture
def year_of_data(coordinator, location, settings, clock):
    return budget_data.whole_year(coordinator, location, settings)


def _row(report, category):
    return next(r for r in report.rows if r.category == category)


def test_an_annual_amount_is_spread_evenly_to_the_cent():
    months = services.spread(D("1000.00"))
    assert months[:4] == [D("83.34")] * 4 and months[4:] == [D("83.33")] * 8
    assert sum(months) == D("1000.00")


def test_paid_hours_come_from_published_rosters_only(location, db):
    budget_data.rosters(location)
    assert paid_hours_by_month(location_ids=[location.pk], year=YEAR) == {
        (location.pk, 10): D("7.50"), (location.pk, 11): D("15.00")}


def test_collections_are_counted_in_the_local_month(location, db):
    budget_data.ledger(location)
    money = collections_by_month(location_ids=[location.pk], year=YEAR)
    assert (money[(location.pk, 11)].patient, money[(location.pk, 11)].insurance) == (D("90.00"), D("0.00"))
    assert (money[(location.pk, 10)].patient, money[(location.pk, 10)].insurance) == (D("0.00"), D("500.00"))
    assert (location.pk, 12) not in money


def test_actuals_and_variance_by_month_are_as_hand_computed(coordinator, location, year_of_data):
    report = selectors.variance_report(actor=coordinator, location_id=location.pk, year=YEAR)
    assert report.through_month == 11
    supplies = _row(report, "supplies")
    october, november, december = supplies.months[9], supplies.months[10], supplies.months[11]
    assert (october.budget, october.actual, october.variance, october.percent) == (D("100.00"), D("465.00"),
                                                                                   D("365.00"), D("365.0"))
    assert october.unfavourable and not november.unfavourable
    assert (november.actual, november.variance, november.percent) == (D("25.00"), D("-75.00"), D("-75.0"))
    assert december.actual is None and december.variance is None  # still to come
    assert (supplies.ytd.budget, supplies.ytd.actual, supplies.ytd.variance) == (D("200.00"), D("490.00"),
                                                                                 D("290.00"))
    payroll = _row(report, "payroll")
    assert (payroll.months[9].actual, payroll.months[10].actual) == (D("225.00"), D("450.00"))
    assert payroll.months[10].budget == D("10000.00") and payroll.hourly_cost == D("30.00")
    assert payroll.hours == {10: D("7.50"), 11: D("15.00")}
    rent = _row(report, "rent")
    assert (rent.months[10].actual, rent.months[10].variance, rent.months[10].percent) == (D("3250.00"),
                                                                                          D("250.00"), D("8.3"))
    assert rent.months[10].unfavourable and rent.ytd.budget == D("33000.00")
    equipment = _row(report, "equipment")
    assert not equipment.budgeted and equipment.months[10].actual == D("800.00")
    assert equipment.months[10].percent is None and equipment.months[10].unfavourable  # nothing was budgeted
    patients = _row(report, "patient-pay")
    assert (patients.months[10].actual, patients.months[10].variance) == (D("90.00"), D("-10.00"))
    assert patients.months[10].unfavourable  # revenue below budget
    insurance = _row(report, "insurance-pay")
    assert insurance.months[9].actual == D("500.00") and not insurance.months[9].unfavourable
    nov = 10
    assert report.total_expenses.months[nov].budget == D("10000.00") + D("100.00") + D("3000.00")
    assert report.total_expenses.months[nov].actual == D("450.00") + D("25.00") + D("800.00") + D("3250.00")
    assert report.total_revenue.months[nov].actual == D("90.00")
    assert report.net.months[nov].actual == D("90.00") - D("4525.00")
    assert report.total_expenses.ytd.actual == D("225.00") + D("465.00") + D("4525.00")


def test_a_past_year_has_every_month_and_a_future_year_none(coordinator, location, year_of_data):
    future = selectors.variance_report(actor=coordinator, location_id=location.pk, year=YEAR + 1)
    assert future.through_month == 0 and future.budget is None and future.expenses == []
    later = selectors.variance_report(actor=coordinator, location_id=location.pk, year=YEAR,
                                      today=dt.date(2027, 2, 1))
    assert later.through_month == 12 and _row(later, "rent").ytd.budget == D("36000.00")


def test_a_second_budget_for_the_same_year_is_refused(coordinator, location, db):
    services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    with pytest.raises(Conflict, match="already has a budget for 2026"):
        services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    assert Budget.objects.count() == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"annual": D("-12.00")}, "cannot be negative"),
    ({"annual": "12.005"}, "enter an amount such as"),
    ({"annual": 12.5}, "enter an amount such as"),
    ({"monthly": [D("1")] * 11}, "each of the twelve months"),
    ({"monthly": [D("1")] * 11 + [D("-1")]}, "Month 12 cannot be negative"),
    ({"annual": D("1"), "monthly": [D("1")] * 12}, "twelve monthly amounts or one annual amount"),
])
def test_bad_amounts_are_refused_and_nothing_is_written(coordinator, location, db, kwargs, message):
    made = services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    with pytest.raises(ValidationFailed, match=message):
        services.budget_line_set(actor=coordinator, budget_id=made.pk, category="rent", **kwargs)
    assert not BudgetLine.objects.exists() and not BudgetMonth.objects.exists()


def test_payroll_needs_its_hourly_cost(coordinator, location, db):
    made = services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    with pytest.raises(ValidationFailed, match="blended hourly cost"):
        services.budget_line_set(actor=coordinator, budget_id=made.pk, category="payroll", annual=D("1000"))
    with pytest.raises(ValidationFailed, match="more than zero"):
        services.budget_line_set(actor=coordinator, budget_id=made.pk, category="payroll", annual=D("1000"),
                                 hourly_cost=D("0"))
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("changes, message", [
    ({"month": 13}, "from 1 to 12"), ({"month": 0}, "from 1 to 12"), ({"amount": D("-5.00")}, "more than zero"),
    ({"category": "supplies"}, "are computed"), ({"note": "  "}, "Note is required"), ({"year": 1999}, "2000"),
])
def test_bad_actual_entries_are_refused_and_nothing_is_written(coordinator, location, db, changes, message):
    entry = {"location_id": location.pk, "year": YEAR, "month": 3, "category": "utilities",
             "amount": D("410.20"), "note": "Electricity", **changes}
    with pytest.raises(ValidationFailed, match=message):
        services.actual_entry_add(actor=coordinator, **entry)
    assert not ActualEntry.objects.exists()


def test_only_the_practice_coordinator_works_budgets(coordinator, nurse, location, db):
    """Practice coordinators work at every location (a practice-wide role); nobody else holds
    operations.admin."""
    billing = UserFactory(role="billing", location=location)
    desk = UserFactory(role="front_desk", location=location)
    for who in (nurse, billing, desk):
        with pytest.raises(PermissionDenied):
            services.budget_create(actor=who, location_id=location.pk, year=YEAR)
        with pytest.raises(PermissionDenied):
            selectors.variance_report(actor=who, location_id=location.pk, year=YEAR)
    made = services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    with pytest.raises(PermissionDenied) as hidden:
        services.budget_line_set(actor=nurse, budget_id=made.pk, category="rent", annual=D("1"))
    assert hidden.value.status == 404
    assert not BudgetLine.objects.exists()


def test_every_change_is_audited(coordinator, location, db):
    made = services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    services.budget_line_set(actor=coordinator, budget_id=made.pk, category="rent", annual=D("1200.00"))
    services.budget_line_set(actor=coordinator, budget_id=made.pk, category="rent",
                             monthly=[D("100.00")] * 11 + [D("150.00")])
    entry = services.actual_entry_add(actor=coordinator, location_id=location.pk, year=YEAR, month=2,
                                      category="rent", amount=D("100.00"), note="February rent")
    services.actual_entry_remove(actor=coordinator, entry_id=entry.pk)
    services.budget_line_remove(actor=coordinator, budget_id=made.pk, category="rent")
    trail = list(AuditEntry.objects.filter(action__startswith="budget.").order_by("pk"))
    assert [e.action for e in trail] == ["budget.create", "budget.line", "budget.line", "budget.actual.add",
                                         "budget.actual.remove", "budget.line.remove"]
    assert trail[2].detail["changes"] == {"12": ["100.00", "150.00"]}
    assert trail[4].detail["amount"] == "100.00" and trail[4].detail["note"] == "February rent"
    assert all(e.actor_id == coordinator.pk for e in trail)


def test_the_demo_budget_has_lines_over_budget(location, db):
    from clinicdesk.core.permissions import Perm, SystemActor
    from clinicdesk.operations.demo_budget import budgets_demo

    budget_data.rosters(location)
    demo = SystemActor("demo", frozenset({Perm.OPERATIONS_ADMIN}))
    budgets_demo(actor=demo, location_ids=[location.pk], today=dt.date(2026, 11, 23))
    report = selectors.variance_report(actor=demo, location_id=location.pk, year=YEAR, today=dt.date(2026, 11, 23))
    over = {row.category for row in report.expenses for cell in row.months if cell.unfavourable}
    assert {"rent", "utilities", "equipment"} <= over
    payroll = _row(report, "payroll")
    assert payroll.months[8].budget == 0 and payroll.months[9].budget == D("29500.00")  # from the first roster
    assert ActualEntry.objects.filter(location=location, month=11, category="rent").exists()
