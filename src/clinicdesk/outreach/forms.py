"""Input parsing for the workshop and event screens (the rules are in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Audience, EventKind

LANGUAGE_CHOICES = (("en", _("English")), ("es", _("Spanish")))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title_en = forms.CharField(label=_("Title in English"), max_length=160)
    title_es = forms.CharField(label=_("Title in Spanish"), max_length=160)
    description_en = forms.CharField(label=_("Description in English"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_es = forms.CharField(label=_("Description in Spanish"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           help_text=_("At the location's local time."))
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=1, max_value=24 * 60, initial=60)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    audience = forms.ChoiceField(label=_("Who may come"), choices=Audience.choices, initial=Audience.PUBLIC)
    place = forms.CharField(label=_("Place"), max_length=240, required=False,
                            help_text=_("A room or a street address; empty: at the location."))
    online_url = forms.URLField(label=_("Online link"), max_length=400, required=False, assume_scheme="https",
                                help_text=_("For an event held online."))


class ContactForm(forms.Form):
    given_name = forms.CharField(label=_("First name"), max_length=80)
    family_name = forms.CharField(label=_("Last name"), max_length=80)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="en")
    consent = forms.BooleanField(label=_("Agrees to be contacted about this event and others"), required=False)

    prefix = "contact"


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How would you rate it, from 1 (poor) to 5 (excellent)?"),
                                    choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int,
                                    widget=forms.RadioSelect)
    useful = forms.TypedChoiceField(label=_("Did you learn something useful?"), coerce=lambda v: v == "yes",
                                    choices=(("yes", _("Yes")), ("no", _("No"))), widget=forms.RadioSelect)
    would_recommend = forms.TypedChoiceField(label=_("Would you recommend it to a friend?"),
                                             coerce=lambda v: v == "yes",
                                             choices=(("yes", _("Yes")), ("no", _("No"))), widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything else you want to tell us?"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
