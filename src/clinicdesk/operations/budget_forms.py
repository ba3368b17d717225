"""Input parsing for the budget screens (the services decide the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models_budget import ENTERED_CATEGORIES, MONTHS, BudgetCategory


def month_names() -> list[tuple[int, str]]:
    """(1, "January") ... in the user's language."""
    import datetime as dt

    return [(m, formats.date_format(dt.date(2000, m, 1), "F")) for m in MONTHS]


def _money(label: Any, required: bool = False, **extra: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=0, max_digits=12, decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
                              **extra)


class BudgetCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class BudgetLineForm(forms.Form):
    MODES = [("annual", _("An annual amount, spread evenly over the twelve months")),
             ("monthly", _("An amount for each month"))]
    category = forms.ChoiceField(label=_("Budget line"), choices=BudgetCategory.choices)
    mode = forms.ChoiceField(label=_("How to enter it"), choices=MODES, widget=forms.RadioSelect, initial="annual")
    annual = _money(_("Annual amount"))
    hourly_cost = _money(_("Blended hourly cost (payroll only)"),
                         help_text=_("Wages, payroll taxes and benefits per paid hour: the payroll actual is the "
                                     "published rosters' paid hours times this."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for month, name in month_names():
            self.fields[f"month_{month}"] = _money(name)

    def month_fields(self) -> list[Any]:
        return [self[f"month_{m}"] for m in MONTHS]

    def amounts(self) -> dict[str, Any]:
        """The service's arguments: monthly (twelve amounts, empty ones as zero) or annual."""
        data = self.cleaned_data
        if data["mode"] == "monthly":
            return {"monthly": [data.get(f"month_{m}") or 0 for m in MONTHS]}
        return {"annual": data.get("annual") if data.get("annual") is not None else ""}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "annual" and data.get("annual") is None and "annual" not in self.errors:
            self.add_error("annual", _("Enter the annual amount."))
        return data


class ActualEntryForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, choices=[])
    category = forms.ChoiceField(label=_("Budget line"),
                                 choices=[(c.value, c.label) for c in BudgetCategory if c in ENTERED_CATEGORIES])
    amount = _money(_("Amount"), required=True)
    note = forms.CharField(label=_("Note"), max_length=200,
                           help_text=_("What it was, e.g. the December rent or the electricity bill."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_names()  # type: ignore[attr-defined]


MONTH_ALIASES = {f"month-{m}": f"month_{m}" for m in MONTHS}
__all__ = ["MONTH_ALIASES", "ActualEntryForm", "BudgetCreateForm", "BudgetLineForm", "month_names"]
