from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .labels import OUTCOME_CHOICES, action_choices
from .selectors import AuditFilter, audit_staff_choices


class AuditFilterForm(forms.Form):
    patient = forms.CharField(label=_("Patient"), required=False, max_length=120,
                              help_text=_("MRN, name or date of birth, as in the patient search"))
    actor = forms.ModelChoiceField(label=_("Staff user"), queryset=audit_staff_choices(), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("Any")), *OUTCOME_CHOICES])
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any")), *action_choices()]

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
            patient_query=" ".join((data.get("patient") or "").split()),
            actor_id=data["actor"].pk if data.get("actor") else None,
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            start=midnight(data.get("start")),
            end=midnight(data["end"] + dt.timedelta(days=1)) if data.get("end") else None,
        )
