"""Forms of the time clock screens and the training edit screen: input parsing only; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.permissions import ROLE_CHOICES, Role

from .models_clock import PayPeriod

_PIN_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*", "maxlength": "8"}


class DeskPunchForm(forms.Form):
    """The shared desk screen: staff ID and PIN; the button pressed says in or out."""

    staff_id = forms.IntegerField(label=_("Staff ID"), min_value=1, widget=forms.NumberInput(
        attrs={"autocomplete": "off", "inputmode": "numeric"}))
    pin = forms.CharField(label=_("PIN"), max_length=8, widget=forms.PasswordInput(attrs=_PIN_ATTRS))
    action = forms.ChoiceField(choices=[("in", _("Clock in")), ("out", _("Clock out"))], widget=forms.HiddenInput)


class PinForm(forms.Form):
    staff_member_id = forms.TypedChoiceField(label=_("Person"), coerce=int)
    pin = forms.CharField(label=_("New PIN"), max_length=8, help_text=_("4 to 8 digits."),
                          widget=forms.PasswordInput(attrs=_PIN_ATTRS))
    pin_again = forms.CharField(label=_("The new PIN again"), max_length=8,
                                widget=forms.PasswordInput(attrs=_PIN_ATTRS))

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["staff_member_id"]).choices = people
        if len(people) == 1:
            self.fields["staff_member_id"].widget = forms.HiddenInput()
            self.fields["staff_member_id"].initial = people[0][0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin_again") and data["pin"] != data["pin_again"]:
            self.add_error("pin_again", _("The two PINs differ."))
        return data


_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CorrectionForm(forms.Form):
    """A punch's times as the location's wall clock shows them."""

    clock_in = forms.DateTimeField(label=_("Clock-in time"), widget=_LOCAL, input_formats=["%Y-%m-%dT%H:%M"])
    clock_out = forms.DateTimeField(label=_("Clock-out time"), widget=_LOCAL, input_formats=["%Y-%m-%dT%H:%M"],
                                    required=False, help_text=_("Leave empty while the person is still at work."))
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             help_text=_("Required: it is kept in the audit trail with the old and new times."))

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, **kwargs)

    def _aware(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=self.tz, fold=0).astimezone(dt.UTC)

    def times(self) -> dict[str, dt.datetime | None]:
        return {"clock_in": self._aware(self.cleaned_data["clock_in"]),
                "clock_out": self._aware(self.cleaned_data.get("clock_out"))}


class ClockSettingsForm(forms.Form):
    pay_period = forms.ChoiceField(label=_("Pay period"), choices=PayPeriod.choices)
    anchor = forms.DateField(label=_("A pay period starts on"), widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Any first day of a pay period; the others follow from it."))
    grace_minutes = forms.IntegerField(label=_("Grace minutes"), min_value=0, max_value=120,
                                       help_text=_("A clock-in later than the shift's start plus these minutes "
                                                   "counts as late."))


class TrainingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    roles = forms.MultipleChoiceField(label=_("Required of"), required=False, widget=forms.CheckboxSelectMultiple)
    valid_months = forms.IntegerField(label=_("Valid for (months)"), min_value=1, max_value=120)
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roles"]).choices = [
            (value, label) for value, label in ROLE_CHOICES if value != Role.SYSADMIN]
