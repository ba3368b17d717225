"""The payer form (input parsing only; the rules are patients.services.payers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PayerKind


class PayerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    payer_code = forms.CharField(label=_("Electronic payer id"), max_length=20, required=False,
                                 help_text=_("The id the clearinghouse uses for this payer."))
    kind = forms.ChoiceField(label=_("Kind"), choices=PayerKind.choices, initial=PayerKind.COMMERCIAL)
    default_copay_primary = forms.DecimalField(
        label=_("Default co-pay, primary care ($)"), required=False, min_value=0, max_digits=7, decimal_places=2,
        help_text=_("Filled in on new insurance with this payer when the desk leaves the co-pay empty."))
    default_copay_specialist = forms.DecimalField(
        label=_("Default co-pay, specialist ($)"), required=False, min_value=0, max_digits=7, decimal_places=2)
    active = forms.BooleanField(label=_("Active (offered for new insurance)"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["active"]
