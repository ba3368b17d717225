"""Parsing the subscription form (choices come from the user's reach; the service checks them again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..dashboards.filters import Scope
from .services import FIGURE_LABELS, SubscriptionInput
from .tables import WEEKDAYS


def _id(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    figures = forms.MultipleChoiceField(label=_("Figures"), required=False, widget=forms.CheckboxSelectMultiple,
                                        help_text=_("None ticked: every figure of the dashboards."))
    location = forms.ChoiceField(label=_("Location"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    appointment_type = forms.ChoiceField(label=_("Appointment type"), required=False)
    weeks = forms.IntegerField(label=_("Weeks before the send day"), min_value=1, max_value=52, initial=4)
    weekday = forms.TypedChoiceField(label=_("Day of the week"), choices=WEEKDAYS, coerce=int, initial=0)
    hour = forms.TypedChoiceField(label=_("Hour (the location's time)"), coerce=int, initial=7,
                                  choices=[(h, f"{h:02d}:00") for h in range(24)])
    recipients = forms.MultipleChoiceField(label=_("Send to"), widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, scope: Scope, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["figures"].choices = [(key, label) for key, label in FIGURE_LABELS.items()]
        fields["location"].choices = [("", _("Every location in reach")),
                                      *((loc.pk, loc.name) for loc in scope.locations)]
        fields["provider"].choices = [("", _("All providers"))] + [(p.pk, str(p)) for p in scope.practitioners]
        fields["appointment_type"].choices = [("", _("All types"))] + [(t.pk, t.local_name) for t in scope.types]
        fields["recipients"].choices = [(u.pk, u.get_full_name() or u.get_username()) for u in people]

    def to_input(self) -> SubscriptionInput:
        data = self.cleaned_data
        return SubscriptionInput(
            name=data["name"], figures=list(data["figures"]), location_id=_id(data["location"]),
            practitioner_id=_id(data["provider"]), appointment_type_id=_id(data["appointment_type"]),
            weeks=data["weeks"], weekday=data["weekday"], hour=data["hour"],
            recipient_ids=[int(pk) for pk in data["recipients"]], active=bool(data["active"]))


def initial_from(subscription: Any) -> dict[str, Any]:
    return {"name": subscription.name, "figures": subscription.figures,
            "location": subscription.location_id or "", "provider": subscription.practitioner_id or "",
            "appointment_type": subscription.appointment_type_id or "", "weeks": subscription.weeks,
            "weekday": subscription.weekday, "hour": subscription.hour, "active": subscription.active,
            "recipients": [str(u.pk) for u in subscription.recipients.all()]}
