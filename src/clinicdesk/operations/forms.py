"""Input parsing for the supplies screens (the services decide the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemCategory, OverUse


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    unit = forms.CharField(label=_("Unit"), max_length=30, help_text=_("What one counts: each, box, roll, vial..."))
    category = forms.ChoiceField(label=_("Category"), choices=ItemCategory.choices)
    tracks_lots = forms.BooleanField(label=_("Track lots and expiry dates"), required=False)
    over_use = forms.ChoiceField(label=_("When more is used than is on hand"), choices=OverUse.choices)
    par_level = forms.IntegerField(label=_("Par level"), min_value=0, max_value=1_000_000,
                                   help_text=_("How many to have after an order arrives."))
    reorder_point = forms.IntegerField(label=_("Reorder point"), min_value=0, max_value=1_000_000,
                                       help_text=_("Order more when the stock falls below this."))


class ItemEditForm(ItemForm):
    active = forms.BooleanField(label=_("Active"), required=False)


class PlaceForm(forms.Form):
    storage = forms.CharField(label=_("Storage"), max_length=120, required=False,
                              help_text=_("Where it is kept, e.g. supply room, shelf B2."))
    par_level = forms.IntegerField(label=_("Par level"), min_value=0, max_value=1_000_000)
    reorder_point = forms.IntegerField(label=_("Reorder point"), min_value=0, max_value=1_000_000)


class UseForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    lot = forms.CharField(label=_("Lot"), max_length=40, required=False,
                          help_text=_("Leave empty to use the earliest-expiring lot first."))
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class AdjustForm(forms.Form):
    KINDS = [("adjust", _("Correct the stock (+ found, - missing)")), ("waste", _("Waste or expired"))]
    kind = forms.ChoiceField(label=_("What happened"), choices=KINDS)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=-1_000_000, max_value=1_000_000)
    lot = forms.CharField(label=_("Lot"), max_length=40, required=False)
    expires_on = forms.DateField(label=_("Expiry date"), required=False, help_text=_("For a new lot."),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TransferForm(forms.Form):
    to_location = forms.TypedChoiceField(label=_("Send to"), coerce=int, choices=[])
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    lot = forms.CharField(label=_("Lot"), max_length=40, required=False)

    def __init__(self, *args: Any, locations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_location"].choices = [(loc.pk, loc.name) for loc in locations]  # type: ignore[attr-defined]


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=120, required=False)
    email = forms.EmailField(label=_("Order e-mail"), required=False,
                             help_text=_("Purchase orders are sent here as PDF."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=250, required=False)


class SupplierEditForm(SupplierForm):
    active = forms.BooleanField(label=_("Active"), required=False)


class SupplierItemForm(forms.Form):
    item = forms.TypedChoiceField(label=_("Item"), coerce=int, choices=[])
    supplier_code = forms.CharField(label=_("Supplier's code"), max_length=40, required=False)
    price = forms.DecimalField(label=_("Price per pack"), min_value=0, max_digits=10, decimal_places=2)
    pack_size = forms.IntegerField(label=_("Units per pack"), min_value=1, max_value=100_000, initial=1)
    preferred = forms.BooleanField(label=_("Preferred supplier for this item"), required=False)

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(item.pk, item.name) for item in items]  # type: ignore[attr-defined]


class InvoiceHeadForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    invoice_date = forms.DateField(label=_("Invoice date"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class VisitSupplyForm(forms.Form):
    appointment_type = forms.TypedChoiceField(label=_("Appointment type"), coerce=int, choices=[])
    item = forms.TypedChoiceField(label=_("Item"), coerce=int, choices=[])
    quantity = forms.IntegerField(label=_("Used per visit"), min_value=0, max_value=1000,
                                  help_text=_("0 removes the item from the appointment type."))

    def __init__(self, *args: Any, kinds: list[tuple[int, str]], items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].choices = kinds  # type: ignore[attr-defined]
        self.fields["item"].choices = [(item.pk, item.name) for item in items]  # type: ignore[attr-defined]


def whole_or_none(value: Any) -> int | None:
    """A count typed on a screen: a whole number, None when empty; ValueError otherwise."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 9:
        raise ValueError(text)
    return int(text)
