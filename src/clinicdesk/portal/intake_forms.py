"""Input parsing for intake and the kiosk (no rules here: they are in services/intake.py and services/kiosk.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DetailsForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}))
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    city = forms.CharField(label=_("City"), max_length=80, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    state = forms.CharField(label=_("State (2 letters)"), max_length=2, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "address-level1"}))
    postal_code = forms.CharField(label=_("ZIP code"), max_length=10, required=False,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                "autocomplete": "postal-code"}))

    @classmethod
    def of(cls, patient: Any, data: Any = None, prefix: str | None = None) -> DetailsForm:
        return cls(data, prefix=prefix, initial={name: getattr(patient, name) for name in cls.base_fields})


class InsuranceForm(forms.Form):
    payer_id = forms.TypedChoiceField(label=_("Insurance company"), coerce=int, choices=())
    member_id = forms.CharField(label=_("Member ID"), max_length=30)
    group_number = forms.CharField(label=_("Group number"), max_length=30, required=False)
    plan_name = forms.CharField(label=_("Plan name"), max_length=120, required=False)
    card_front = forms.FileField(label=_("Photo of the front of the card"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
    card_back = forms.FileField(label=_("Photo of the back of the card"), required=False,
                                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))

    def __init__(self, *args: Any, payers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payer_field = self.fields["payer_id"]
        assert isinstance(payer_field, forms.TypedChoiceField)
        payer_field.choices = [("", _("Choose…"))] + [(p.pk, p.name) for p in payers]


class HistoryForm(forms.Form):
    problems = forms.CharField(label=_("Conditions you have (one per line)"), required=False, max_length=6000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    medications = forms.CharField(label=_("Medicines you take, with the dose (one per line)"), required=False,
                                  max_length=6000, widget=forms.Textarea(attrs={"rows": 3}))
    allergies = forms.CharField(label=_("Allergies (one per line, or 'none')"), required=False, max_length=6000,
                                widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=160, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))
    agree = forms.BooleanField(label=_("I have read this form and I agree to it"), required=False)


class KioskFindForm(forms.Form):
    family_name = forms.CharField(label=_("Your last name"), max_length=80, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    birth_date = forms.DateField(label=_("Your date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}))
    code = forms.CharField(label=_("Or the code from your reminder"), max_length=400, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=(("accept", _("Accept into the chart")), ("reject", _("Do not accept"))))
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
