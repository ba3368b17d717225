"""Input parsing for the schedule pages. Only shapes here; every rule lives in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.timezones import local_to_utc
from clinicdesk.practice.models import Location


class LocalTimeMixin:
    """A date and a wall-clock time at the location, turned into UTC with the location's zone."""

    def moment(self, location: Location) -> dt.datetime:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return local_to_utc(data["day"], data["time"], location.tz)


class BookingForm(LocalTimeMixin, forms.Form):
    patient = forms.IntegerField(label=_("Patient"), min_value=1,
                                 error_messages={"required": _("Find and choose a patient first.")})
    practitioner = forms.IntegerField(label=_("Provider"), min_value=1)
    appointment_type = forms.IntegerField(label=_("Appointment type"), min_value=1)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    room = forms.IntegerField(label=_("Room"), required=False, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    overbook = forms.BooleanField(label=_("Overbook (double-book the provider)"), required=False)
    overbook_reason = forms.CharField(label=_("Reason for overbooking"), required=False, max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)


class MoveForm(LocalTimeMixin, forms.Form):
    day = forms.DateField(label=_("New day"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("New time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    practitioner = forms.IntegerField(label=_("Provider"), required=False, min_value=1)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class DropForm(forms.Form):
    """A drag-and-drop or keyboard move: the exact new start (ISO 8601 with offset)."""

    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"])
    practitioner = forms.IntegerField(required=False, min_value=1)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class StatusForm(forms.Form):
    status = forms.CharField(max_length=20)


class PatientPickForm(forms.Form):
    q = forms.CharField(label=_("Find a patient"), max_length=100)


class SearchForm(forms.Form):
    appointment_type = forms.IntegerField(label=_("Appointment type"), min_value=1)
    practitioner = forms.IntegerField(label=_("Provider (optional)"), required=False, min_value=1)
    first_day = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.MultipleChoiceField(
        label=_("Days"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(str(i), name) for i, name in enumerate([_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"),
                                                          _("Sat"), _("Sun")])])
    earliest = forms.TimeField(label=_("Not before"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    latest = forms.TimeField(label=_("Done by"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    prefer = forms.ChoiceField(label=_("Prefers"), required=False,
                               choices=[("", _("No preference")), ("morning", _("Mornings")),
                                        ("afternoon", _("Afternoons"))])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            raise forms.ValidationError(_("The last day is before the first day."))
        return data
