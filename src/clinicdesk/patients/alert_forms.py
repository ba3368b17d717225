"""Forms of patient alerts and alert kinds (input parsing only; the rules are patients.services.alerts)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AlertSeverity


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("Alert"))
    detail = forms.CharField(label=_("Detail"), max_length=80, required=False,
                             help_text=_("For an interpreter: the language."))
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why the alert is set: staff read it on the chart."))

    def __init__(self, *args: Any, kinds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—")] + [(str(k.pk), k.label) for k in kinds]


class AlertEndForm(forms.Form):
    reason = forms.CharField(label=_("Reason for ending"), max_length=300, required=False)


class AlertKindForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40,
                           help_text=_("A short name for the API and imports: lower-case letters, digits, hyphens."))
    label_en = forms.CharField(label=_("Label (English)"), max_length=80)
    label_es = forms.CharField(label=_("Label (Spanish)"), max_length=80)
    severity = forms.ChoiceField(label=_("Colour"), choices=AlertSeverity.choices, initial=AlertSeverity.WARNING)
    needs_detail = forms.BooleanField(label=_("Asks for a detail (such as a language)"), required=False)
    active = forms.BooleanField(label=_("Active (offered on charts)"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["active"]
        else:
            del self.fields["code"]
