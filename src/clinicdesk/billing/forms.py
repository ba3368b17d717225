"""Input parsing for the desk's money: amounts become Decimal and ids int here, before a service sees them.
The rules (positive, two places, a ceiling; who may collect where) stay in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.exceptions import ValidationFailed

from .money import parse_amount
from .services import Tender


class AmountField(forms.Field):
    """'25', '$1,025.50' -> Decimal('1025.50'); the same wording as the services for a bad amount."""

    widget = forms.TextInput

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value).strip() if value is not None else ""
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text, allow_negative=self.allow_negative)
        except ValidationFailed as error:
            raise forms.ValidationError(error.detail, code=error.code) from error


class PaymentForm(forms.Form):
    """A payment at the desk (billing/views.py `collect`)."""

    patient = forms.IntegerField(label=_("Patient"), min_value=1)
    location = forms.IntegerField(label=_("Location"), min_value=1)
    amount = AmountField(label=_("Amount"))
    method = forms.CharField(label=_("Method"), max_length=20)
    check_number = forms.CharField(label=_("Check number"), max_length=40, required=False)
    card_reference = forms.CharField(label=_("Terminal reference"), max_length=60, required=False)
    card_last4 = forms.CharField(label=_("Card last four digits"), max_length=8, required=False)
    appointment = forms.IntegerField(label=_("Appointment"), min_value=1, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    idempotency_key = forms.CharField(max_length=100, required=False)
    purpose = forms.CharField(max_length=20, required=False)
    confirm_second = forms.BooleanField(required=False)

    def payment(self) -> dict[str, Any]:
        """The keyword arguments of `payment_collect` (actor aside), parsed."""
        data = self.cleaned_data
        return {"patient_id": data["patient"], "location_id": data["location"], "amount": data["amount"],
                "tender": Tender(data["method"], check_number=data["check_number"],
                                 card_reference=data["card_reference"], card_last4=data["card_last4"]),
                "appointment_id": data["appointment"], "description": data["description"],
                "idempotency_key": data["idempotency_key"] or None, "copay": data["purpose"] == "copay",
                "confirm_second": data["confirm_second"]}

    def first_error(self) -> str:
        """The first problem, in words, naming its field: the desk shows it as a message."""
        for name, messages in self.errors.items():
            field = self.fields.get(name)
            if field is None or name == "amount":  # the amount's messages name the amount already
                return str(messages[0])
            return str(_("%(field)s: %(message)s") % {"field": field.label, "message": messages[0]})
        return str(_("Check the payment and try again."))


class RefundForm(forms.Form):
    """Money given back against a payment (billing/views.py `refund`)."""

    amount = AmountField(label=_("Amount"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    idempotency_key = forms.CharField(max_length=100, required=False)

    def first_error(self) -> str:
        for messages in self.errors.values():
            return str(messages[0])
        return str(_("Check the refund and try again."))


class _LocationChoice:
    """A form whose `location` is chosen among the user's locations (filled by the view)."""

    fields: dict[str, Any]

    def _set_locations(self, locations: Any) -> None:
        self.fields["location"].choices = [(loc.pk, loc.name) for loc in locations]


class ChargeForm(_LocationChoice, forms.Form):
    """A charge posted to a patient account (billing/views.py `charge_new`)."""

    location = forms.TypedChoiceField(label=_("Location"), coerce=int)
    amount = AmountField(label=_("Amount"), help_text=_("What the patient owes for it, e.g. 45.00."))
    description = forms.CharField(label=_("Description"), max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args: Any, locations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_locations(locations)


class AdjustmentForm(_LocationChoice, forms.Form):
    """A write-off or correction of the balance (billing/views.py `adjustment_new`)."""

    location = forms.TypedChoiceField(label=_("Location"), coerce=int)
    amount = AmountField(label=_("Amount"), allow_negative=True,
                         help_text=_("Negative lowers what the patient owes (a write-off), e.g. -20.00."))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args: Any, locations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_locations(locations)


class ReversalForm(forms.Form):
    """A mistaken entry corrected by its mirror image (billing/views.py `entry_reverse`)."""

    reason = forms.CharField(label=_("Reason"), max_length=200)
    confirm = forms.BooleanField(label=_("Yes, post a reversing entry for the opposite amount"),
                                 error_messages={"required": _("Tick the box to confirm the reversal.")})
