from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clinicdesk.accounts.models import User

from .models import Outcome
from .selectors import AuditFilter


class AuditFilterForm(forms.Form):
    patient_id = forms.IntegerField(label=_("Patient id"), required=False, min_value=1)
    actor = forms.ModelChoiceField(label=_("Staff user"), queryset=User.objects.order_by("username"),
                                   required=False)
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("Any")), *Outcome.choices])
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def criteria(self) -> AuditFilter:
        data = self.cleaned_data
        tz = ZoneInfo(settings.TIME_ZONE)

        def midnight(day: dt.date | None) -> dt.datetime | None:
            return dt.datetime.combine(day, dt.time(0), tzinfo=tz) if day else None

        return AuditFilter(
            patient_id=data.get("patient_id"),
            actor_id=data["actor"].pk if data.get("actor") else None,
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            start=midnight(data.get("start")),
            end=midnight(data["end"] + dt.timedelta(days=1)) if data.get("end") else None,
        )
