"""Input parsing for the portal's pages (no rules here: they are in services.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MessageTopic, ProxyKind, WhoMayBook


class ContactForm(forms.Form):
    contact = forms.CharField(label=_("Your e-mail address or mobile phone number"), max_length=254,
                              widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}))


class BirthDateForm(forms.Form):
    birth_date = forms.DateField(label=_("Your date of birth"), widget=forms.DateInput(attrs={"type": "date"}))


class CodeForm(BirthDateForm):
    contact = forms.CharField(widget=forms.HiddenInput, max_length=254)
    code = forms.RegexField(label=_("The 6-digit code we sent you"), regex=r"^\s*\d{6}\s*$", max_length=8,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                            error_messages={"invalid": _("Enter the 6 digits of the code.")})

    field_order = ["contact", "code", "birth_date"]


class MessageForm(forms.Form):
    topic = forms.ChoiceField(label=_("What is it about?"), choices=MessageTopic.choices)
    body = forms.CharField(label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class BookingRuleForm(forms.Form):
    bookable = forms.BooleanField(label=_("Patients may book online"), required=False)
    who = forms.ChoiceField(label=_("Who may book"), choices=WhoMayBook.choices)
    practitioner_ids = forms.TypedMultipleChoiceField(label=_("Providers (none chosen: everyone who sees this type)"),
                                                      coerce=int, required=False, choices=[])
    max_days_ahead = forms.IntegerField(label=_("How far ahead (days)"), min_value=1, max_value=365)
    min_notice_hours = forms.IntegerField(label=_("Minimum notice (hours)"), min_value=0, max_value=1440)
    max_open_bookings = forms.IntegerField(label=_("Open bookings a patient may hold"), min_value=1, max_value=20)

    def __init__(self, *args: object, practitioners: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["practitioner_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = practitioners or []


class ProxyForm(forms.Form):
    proxy_mrn = forms.CharField(label=_("Proxy's MRN (the parent or caregiver)"), max_length=12)
    dependent_mrn = forms.CharField(label=_("Dependent's MRN (the child or the person cared for)"), max_length=12)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProxyKind.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid until (optional)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
