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


WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate([_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"),
                                                             _("Friday"), _("Saturday"), _("Sunday")])]


class WaitlistForm(forms.Form):
    """A patient's place on the waitlist and what would suit them (`waitlist_add`). Choices are filled by the view
    from the location's types and providers; the service decides whether they are valid."""

    patient = forms.IntegerField(label=_("Patient"), min_value=1,
                                 error_messages={"required": _("Find and choose a patient first.")})
    appointment_type = forms.TypedChoiceField(label=_("Appointment type"), coerce=int)
    location = forms.TypedChoiceField(label=_("Location"), coerce=int, empty_value=None, required=False)
    practitioners = forms.TypedMultipleChoiceField(
        label=_("Providers"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any provider."))
    weekdays = forms.TypedMultipleChoiceField(label=_("Days"), coerce=int, required=False, choices=WEEKDAY_CHOICES,
                                              widget=forms.CheckboxSelectMultiple,
                                              help_text=_("None ticked: any day."))
    earliest_time = forms.TimeField(label=_("Not before"), required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}))
    latest_time = forms.TimeField(label=_("Done by"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    notice_hours = forms.IntegerField(label=_("Notice needed (hours)"), min_value=0, max_value=336, initial=24)
    priority = forms.IntegerField(label=_("Priority"), min_value=0, max_value=100, initial=0,
                                  help_text=_("Higher is offered first."))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, types: Any = (), locations: Any = (), practitioners: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].choices = [(t.pk, t.local_name) for t in types]
        self.fields["location"].choices = [("", _("Any location")), *((loc.pk, loc.name) for loc in locations)]
        self.fields["practitioners"].choices = [(p.pk, str(p)) for p in practitioners]

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of `waitlist_add` (actor aside)."""
        data = self.cleaned_data
        return {"patient_id": data["patient"], "appointment_type_id": data["appointment_type"],
                "location_id": data["location"], "practitioner_ids": tuple(data["practitioners"]),
                "weekdays": tuple(data["weekdays"]), "earliest_time": data["earliest_time"],
                "latest_time": data["latest_time"], "notice_hours": data["notice_hours"],
                "priority": data["priority"], "note": data["note"]}


class SeriesForm(LocalTimeMixin, forms.Form):
    """A recurring series: the first visit (as in the booking dialog), how often and how many times."""

    UNITS = (("weeks", _("weeks")), ("days", _("days")))
    ON_CONFLICT = (("all", _("Book nothing if any visit does not fit")),
                   ("fit", _("Book the visits that fit and skip the others")))

    patient = forms.IntegerField(label=_("Patient"), min_value=1,
                                 error_messages={"required": _("Find and choose a patient first.")})
    practitioner = forms.IntegerField(label=_("Provider"), min_value=1)
    appointment_type = forms.IntegerField(label=_("Appointment type"), min_value=1)
    day = forms.DateField(label=_("First visit"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    room = forms.IntegerField(label=_("Room"), required=False, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=90, initial=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=UNITS, initial="weeks")
    count = forms.IntegerField(label=_("Number of visits"), min_value=1, max_value=52, initial=6)
    on_conflict = forms.ChoiceField(label=_("If a visit does not fit"), choices=ON_CONFLICT, initial="all",
                                    required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("every") and data.get("unit"):
            days = data["every"] * (7 if data["unit"] == "weeks" else 1)
            if days > 90:
                self.add_error("every", _("Visits repeat every 1 to 90 days (at most 12 weeks)."))
            data["interval_days"] = days
        return data
