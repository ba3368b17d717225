"""Input parsing for the campaign screens (#24 item 4); the rules are in campaign_services and the cohort filters'
checks in campaign_selectors.filters_clean."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .campaign_selectors import SEX_CHOICES

FILTER_FIELDS = ("locations", "age_min", "age_max", "ages", "sex", "language", "no_visit_months", "never_visited",
                 "provider", "missing_type", "missing_type_months")
AGES = (("", _("Any age")), ("minors", _("Children (under 18)")), ("adults", _("Adults (18 and over)")))
LANGUAGES = (("", _("Any language")), ("en", _("English")), ("es", _("Spanish")))


def _number(label: Any, help_text: Any = "", maximum: int = 600) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=maximum, help_text=help_text)


class CohortForm(forms.Form):
    """The cohort filters. `filters()` is the structured document stored on the campaign."""

    locations = forms.MultipleChoiceField(label=_("Patients of"), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=_("Their home location; none ticked: this location."))
    age_min = _number(_("Youngest age"), maximum=130)
    age_max = _number(_("Oldest age"), maximum=130)
    ages = forms.ChoiceField(label=_("Children or adults"), choices=AGES, required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False,
                            choices=(("", pgettext_lazy("sex", "Any")), *SEX_CHOICES))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False)
    no_visit_months = _number(_("No completed visit for (months)"),
                              _("Patients who have not been seen this long, or never."))
    never_visited = forms.BooleanField(label=_("Never had a completed visit"), required=False)
    provider = forms.ChoiceField(label=_("Patients who saw this provider"), required=False,
                                 help_text=_("Providers who left are listed too."))
    missing_type = forms.ChoiceField(label=_("Without a completed visit of this type"), required=False,
                                     help_text=_("For example a screening or a school physical."))
    missing_type_months = _number(_("…within the last (months)"))

    def __init__(self, *args: Any, locations: Any = (), providers: Any = (), types: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["locations"]).choices = [(str(loc.pk), loc.name) for loc in locations]
        cast(forms.ChoiceField, self.fields["provider"]).choices = [("", pgettext_lazy("provider", "Any"))] + [
            (str(p.pk), str(p) if p.active else _("%(name)s (left)") % {"name": p}) for p in providers]
        any_type = pgettext_lazy("appointment type", "Any")
        cast(forms.ChoiceField, self.fields["missing_type"]).choices = [("", any_type)] + [
            (str(t.pk), t.name) for t in types]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"locations": [int(pk) for pk in data.get("locations") or []], "age_min": data.get("age_min"),
                "age_max": data.get("age_max"), "ages": data.get("ages") or "", "sex": data.get("sex") or "",
                "language": data.get("language") or "", "no_visit_months": data.get("no_visit_months") or None,
                "never_visited": bool(data.get("never_visited")),
                "provider": int(data["provider"]) if data.get("provider") else None,
                "missing_type": int(data["missing_type"]) if data.get("missing_type") else None,
                "missing_type_months": data.get("missing_type_months") or None}

    @staticmethod
    def initial_from(filters: dict[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in filters.items() if k in FILTER_FIELDS and v not in (None, "", [])}
        initial["locations"] = [str(pk) for pk in filters.get("locations") or []]
        for name in ("provider", "missing_type"):
            if filters.get(name):
                initial[name] = str(filters[name])
        return initial


def _text(label: Any, rows: int = 0, max_length: int | None = None) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, required=False, max_length=max_length, widget=widget)


class CampaignForm(CohortForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = _text(_("Purpose"), rows=2)
    email_subject_en = _text(_("E-mail subject in English"), max_length=200)
    email_body_en = _text(_("E-mail in English"), rows=4)
    email_subject_es = _text(_("E-mail subject in Spanish"), max_length=200)
    email_body_es = _text(_("E-mail in Spanish"), rows=4)
    sms_body_en = _text(_("Text message in English"), rows=2)
    sms_body_es = _text(_("Text message in Spanish"), rows=2)
    cost_email = forms.DecimalField(label=_("Cost of one e-mail"), min_value=0, max_value=100, decimal_places=4,
                                    initial=0)
    cost_sms = forms.DecimalField(label=_("Cost of one text message"), min_value=0, max_value=100,
                                  decimal_places=4, initial=0)
    window_days = forms.IntegerField(label=_("A booking counts for (days)"), min_value=1, max_value=365,
                                     initial=90, help_text=_("A booking made this long after the message counts "
                                                             "as a response."))

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("name", "purpose", "email_subject_en", "email_body_en", "email_subject_es", "email_body_es",
                 "sms_body_en", "sms_body_es", "cost_email", "cost_sms", "window_days")
        return {name: data.get(name) for name in names} | {"filters": self.filters()}


class WaveForm(forms.Form):
    size = forms.IntegerField(label=_("How many people in this wave"), min_value=1, max_value=50_000, initial=100)
