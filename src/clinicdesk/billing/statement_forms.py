"""Input parsing for statements, holds, credit refunds and disputes: amounts become Decimal, ids int, dates date,
before a service sees them. The rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import AmountField
from .models import DisputeOutcome


class _Form(forms.Form):
    def first_error(self) -> str:
        for name, problems in self.errors.items():
            field = self.fields.get(name)
            if field is None or not field.label:
                return str(problems[0])
            return str(_("%(field)s: %(message)s") % {"field": field.label, "message": problems[0]})
        return str(_("Check the form and try again."))


class CycleForm(_Form):
    as_of = forms.DateField(label=_("Statement date"), required=False)
    location = forms.IntegerField(label=_("Location"), min_value=1, required=False)


class SettingsForm(_Form):
    cycle_day = forms.IntegerField(label=_("Cycle day of the month"), min_value=1, max_value=28)
    interval_days = forms.IntegerField(label=_("Days between statements"), min_value=7, max_value=120)
    dispute_days = forms.IntegerField(label=_("Days to answer a dispute"), min_value=1, max_value=180)
    plan_reminder_days = forms.IntegerField(label=_("Reminder days before an instalment"), min_value=0,
                                            max_value=30)
    plan_missed_limit = forms.IntegerField(label=_("Missed instalments before a plan defaults"), min_value=1,
                                           max_value=6)


class ReasonForm(_Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RefundRequestForm(_Form):
    amount = AmountField(label=_("Amount"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    idempotency_key = forms.CharField(max_length=100, required=False)


class DisputeForm(_Form):
    entry = forms.IntegerField(label=_("Charge"), min_value=1, required=False)
    amount = AmountField(label=_("Amount disputed"), required=False)
    reason = forms.CharField(label=_("What the patient says"), max_length=2000)


class DisputeCloseForm(_Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DisputeOutcome.choices)
    response = forms.CharField(label=_("Response to the patient"), max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(label=_("Letter language"), choices=[("en", "English"), ("es", "Español")],
                                 required=False)
