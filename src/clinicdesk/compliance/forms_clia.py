"""Input parsing for the CLIA screens (the services decide the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models_clia import CertificateKind, QcLevel, Reading, ResultKind, WaivedTest

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Certificate type"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("CLIA number"), max_length=14,
                             help_text=_("10 characters: two digits, the letter D, then seven digits, e.g. "
                                         "22D0123456."))
    effective_on = forms.DateField(label=_("Effective"), widget=DATE)
    expires_on = forms.DateField(label=_("Expires"), widget=DATE)


class WaivedTestForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=120)
    measures = forms.CharField(label=_("What it measures"), max_length=160,
                               help_text=_("e.g. blood glucose, group A streptococcus antigen."))
    result_kind = forms.ChoiceField(label=_("Result"), choices=ResultKind.choices)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False,
                           help_text=_("For a number, e.g. mg/dL or INR. Leave empty for positive or negative."))
    item_id = forms.TypedChoiceField(label=_("Kit (supply item)"), coerce=int, choices=[], empty_value=None,
                                     help_text=_("The supply item tracked by lot and expiry in the inventory."))
    low_min = forms.CharField(label=_("Low control from"), max_length=12, required=False, widget=NUMBER)
    low_max = forms.CharField(label=_("Low control to"), max_length=12, required=False, widget=NUMBER)
    high_min = forms.CharField(label=_("High control from"), max_length=12, required=False, widget=NUMBER)
    high_max = forms.CharField(label=_("High control to"), max_length=12, required=False, widget=NUMBER,
                               help_text=_("The control ranges of a test with a number for a result; a positive or "
                                           "negative test runs a positive and a negative control."))

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_id"].choices = [("", "—"), *items]  # type: ignore[attr-defined]


def _lot_field(lots: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Kit lot"), choices=[("", "—"), *lots],
                             help_text=_("Lots in stock at this location and in date."))


class QcRunForm(forms.Form):
    """A QC run of one test: the kit lot and one result per required control level."""

    def __init__(self, *args: Any, test: WaivedTest, lots: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = test.levels
        self.fields["lot"] = _lot_field(lots)
        for level in test.levels:
            label = QcLevel(level).label
            if test.result_kind == ResultKind.NUMERIC:
                low, high = test.control_range(level) or (None, None)
                self.fields[level] = forms.CharField(
                    label=label, max_length=12, widget=NUMBER,
                    help_text=_("Acceptable range: %(low)s to %(high)s %(unit)s") % {
                        "low": low, "high": high, "unit": test.unit})
            else:
                self.fields[level] = forms.ChoiceField(label=label, choices=[("", "—"), *Reading.choices])

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"lot": data["lot"], "results": {level: data.get(level) for level in self.levels}}


class CorrectionForm(forms.Form):
    action = forms.CharField(label=_("Corrective action: what was done"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("e.g. new control vials opened, meter cleaned, QC repeated."))


class PatientTestForm(forms.Form):
    patient_mrn = forms.CharField(label=_("Patient (MRN)"), max_length=12,
                                  help_text=_("The patient's medical record number."))

    def __init__(self, *args: Any, test: WaivedTest, lots: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"] = _lot_field(lots)
        if test.result_kind == ResultKind.NUMERIC:
            self.fields["value"] = forms.CharField(label=_("Result (%(unit)s)") % {"unit": test.unit},
                                                   max_length=12, widget=NUMBER)
        else:
            self.fields["reading"] = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *Reading.choices])
        self.fields["idempotency_key"] = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class LogFilterForm(forms.Form):
    day_from = forms.DateField(label=_("From"), widget=DATE, required=False)
    day_to = forms.DateField(label=_("To"), widget=DATE, required=False)
    test = forms.TypedChoiceField(label=_("Test"), coerce=int, choices=[], required=False, empty_value=None)

    def __init__(self, *args: Any, tests: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["test"].choices = [("", _("All tests")), *tests]  # type: ignore[attr-defined]
