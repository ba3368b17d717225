"""Input of the contact-preferences screen (#24 item 5); the rules are in `consent_records.py`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ConsentChannel, ConsentPurpose, ConsentSource

GRANTED_CHOICES = [("granted", pgettext_lazy("consent", "Granted")),
                   ("revoked", pgettext_lazy("consent", "Withdrawn"))]


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("For"), choices=ConsentPurpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices)
    answer = forms.ChoiceField(label=_("Consent"), choices=GRANTED_CHOICES, widget=forms.RadioSelect,
                               initial="granted")
    source = forms.ChoiceField(label=_("How it was given"), choices=ConsentSource.choices,
                               initial=ConsentSource.DESK)
    note = forms.CharField(label=_("Note or evidence"), max_length=300, required=False,
                           help_text=_("For example: signed form scanned to the chart on arrival."))
