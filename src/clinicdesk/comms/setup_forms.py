"""Input parsing for the message set-up screens; the rules are in `rules.py`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models import Channel, Kind

UNITS = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}
RULE_KIND_CHOICES = [(Kind.CONFIRMATION.value, _("Confirmation, at booking")),
                     (Kind.REMINDER.value, _("Reminder, before the appointment"))]


def split_minutes(minutes: int) -> tuple[int, str]:
    """72 * 60 -> (3, "days"); 90 -> (90, "minutes"): the largest unit that says it exactly."""
    for unit in ("days", "hours"):
        if minutes and minutes % UNIT_MINUTES[unit] == 0:
            return minutes // UNIT_MINUTES[unit], unit
    return minutes, "minutes"


class ReminderRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Message"), choices=RULE_KIND_CHOICES)
    channel = forms.ChoiceField(label=_("Sent by"), choices=Channel.choices)
    amount = forms.IntegerField(label=_("How long before"), min_value=0, max_value=100_000, initial=0,
                                help_text=_("Reminders only; a confirmation goes out at booking."))
    unit = forms.ChoiceField(label=_("Unit"), choices=UNITS, initial="days")
    appointment_type = forms.TypedChoiceField(label=_("Appointment type"), required=False, coerce=int,
                                              empty_value=None)
    location = forms.TypedChoiceField(label=_("Location"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].choices = [("", _("Every appointment type")), *choices["appointment_types"]]
        self.fields["location"].choices = [("", _("Every location")), *choices["locations"]]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes = 0 if data["kind"] == Kind.CONFIRMATION else data["amount"] * UNIT_MINUTES[data["unit"]]
        return {"kind": data["kind"], "channel": data["channel"], "minutes_before": minutes,
                "appointment_type_id": data["appointment_type"], "location_id": data["location"]}


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, sms: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sms:
            del self.fields["subject"]


def _hour_label(hour: int) -> str:
    return formats.time_format(dt.time(hour), "TIME_FORMAT")


class QuietHoursForm(forms.Form):
    start_hour = forms.TypedChoiceField(label=_("No messages from"), coerce=int)
    end_hour = forms.TypedChoiceField(label=_("Until"), coerce=int,
                                      help_text=_("In each patient's own time zone. The same hour twice: no quiet "
                                                  "hours."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = [(hour, _hour_label(hour)) for hour in range(24)]
        self.fields["start_hour"].choices = hours
        self.fields["end_hour"].choices = hours
