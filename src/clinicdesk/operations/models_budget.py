"""Budgets (issue #21, item 11): a yearly budget per location, with a line per category and an amount per month.

Actuals are not stored here: they are computed from the other records (budget_selectors) -- supplies and equipment
from purchase orders received, payroll from the published rosters' paid hours times the blended hourly cost the
payroll line carries, revenue from the payments posted on the patient ledger. Only rent, utilities, equipment,
services and other expenses that never pass through the system are entered by hand, one `ActualEntry` each (with
a note), audited like every change to a budget. Money is Decimal with two places, never negative.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BudgetCategory(models.TextChoices):
    PAYROLL = "payroll", _("Payroll")
    SUPPLIES = "supplies", _("Supplies")
    RENT = "rent", _("Rent")
    UTILITIES = "utilities", _("Utilities")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICES = "services", _("Purchased services")
    OTHER = "other", _("Other expenses")
    PATIENT_COLLECTIONS = "patient-pay", _("Patient collections")
    INSURANCE_COLLECTIONS = "insurance-pay", _("Insurance collections")


REVENUE_CATEGORIES = frozenset({BudgetCategory.PATIENT_COLLECTIONS, BudgetCategory.INSURANCE_COLLECTIONS})
# Categories whose actuals the coordinator enters by hand (the rest are computed from other records).
ENTERED_CATEGORIES = frozenset({BudgetCategory.RENT, BudgetCategory.UTILITIES, BudgetCategory.EQUIPMENT,
                                BudgetCategory.SERVICES, BudgetCategory.OTHER})
MONTHS = tuple(range(1, 13))


class Budget(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["location", "year"], name="operations_budget_once_a_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="operations_budget_year"),
        ]


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=16, choices=BudgetCategory.choices)
    hourly_cost = models.DecimalField(_("blended hourly cost"), max_digits=8, decimal_places=2, null=True,
                                      blank=True)  # payroll only: wages, taxes and benefits per paid hour

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="operations_budget_line_once"),
            models.CheckConstraint(condition=Q(hourly_cost__isnull=True) | Q(hourly_cost__gte=0),
                                   name="operations_budget_line_cost"),
        ]


class BudgetMonth(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="months")
    month = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["line", "month"], name="operations_budget_month_once"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="operations_budget_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="operations_budget_month_amount"),
        ]


class ActualEntry(models.Model):
    """An actual expense the system does not otherwise know (the rent, the power bill), for one month."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    category = models.CharField(_("category"), max_length=16, choices=BudgetCategory.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200)
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["year", "month", "category", "pk"]
        indexes = [models.Index(fields=["location", "year"], name="operations_actual_at_year")]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="operations_actual_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="operations_actual_amount"),
        ]
