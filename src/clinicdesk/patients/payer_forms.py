"""The payer and plan forms (input parsing only; the rules are patients.services.payers and .payer_plans)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import PayerChannel, PayerKind, PlanType


class PayerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    payer_code = forms.CharField(label=_("Electronic payer id"), max_length=20, required=False,
                                 help_text=_("The id the clearinghouse uses for this payer."))
    kind = forms.ChoiceField(label=_("Kind"), choices=PayerKind.choices, initial=PayerKind.COMMERCIAL)
    address_line = forms.CharField(label=_("Street address"), max_length=120, required=False,
                                   help_text=_("Where paper claims and letters go."))
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    state = forms.CharField(label=_("State"), max_length=2, required=False, help_text=_("Two letters, e.g. MA."))
    postal_code = forms.CharField(label=capfirst(_("ZIP code")), max_length=10, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            help_text=_("Provider services, for benefits and claim questions."))
    claim_channel = forms.ChoiceField(label=_("Claims are sent"), choices=PayerChannel.choices,
                                      initial=PayerChannel.BATCH, required=False)
    eligibility_channel = forms.ChoiceField(label=_("Coverage is checked"), choices=PayerChannel.choices,
                                            initial=PayerChannel.REALTIME, required=False)
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

    def clean_claim_channel(self) -> str:
        return self.cleaned_data.get("claim_channel") or PayerChannel.NONE

    def clean_eligibility_channel(self) -> str:
        return self.cleaned_data.get("eligibility_channel") or PayerChannel.NONE


class PayerPlanForm(forms.Form):
    name = forms.CharField(label=_("Plan name"), max_length=120,
                           help_text=_("As the payer names it, e.g. Choice Plus."))
    plan_type = forms.ChoiceField(label=_("Plan type"), choices=PlanType.choices, initial=PlanType.PPO)
    network_id = forms.CharField(label=_("Network or product id"), max_length=40, required=False,
                                 help_text=_("The payer's id for the network or product, when it has one."))
    active = forms.BooleanField(label=_("Active (offered for new insurance)"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["active"]
