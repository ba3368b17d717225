"""Input parsing for the practice set-up screens. The rules (NPI check digit, time zones, duplicates, overlapping
hours) are the services'; these forms only turn the posted text into Python values."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Equipment, OpeningHours, Room

_US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
             "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico")


def time_zone_choices() -> list[tuple[str, str]]:
    """The US zones first, then every other IANA zone."""
    others = sorted(available_timezones() - set(_US_ZONES))
    return [(zone, zone) for zone in (*_US_ZONES, *others)]


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    tax_id = forms.CharField(label=_("Tax ID (EIN)"), max_length=12, required=False,
                             help_text=_("Nine digits, NN-NNNNNNN."))
    npi = forms.CharField(label=_("Billing (group) NPI"), max_length=10, required=False,
                          help_text=_("Ten digits; the last one is a check digit."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class LocationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20,
                           help_text=_("A short name for lists and imports: letters, digits and hyphens."))
    name = forms.CharField(label=_("Name"), max_length=120)
    address_line = forms.CharField(label=_("Address"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=80)
    state = forms.CharField(label=_("State"), max_length=2, help_text=_("Two letters, e.g. MA."))
    postal_code = forms.CharField(label=_("ZIP code"), max_length=10)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices,
                                  help_text=_("Appointments and opening hours are in this zone."))


class LocationEditForm(LocationForm):
    active = forms.BooleanField(label=_("Active"), required=False,
                                help_text=_("Clear to take the location out of use; tick to bring it back."))


class HoursRowForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=[("", "—"), *OpeningHours.Weekday.choices], coerce=int,
                                     empty_value=None)
    opens = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes = forms.TimeField(label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


HoursFormSet = forms.formset_factory(HoursRowForm, extra=2, can_delete=True, max_num=50, validate_max=True)


def hours_from(formset: Any) -> list[tuple[int, Any, Any]]:
    """The periods of a valid hours formset (blank and deleted rows left out)."""
    return [(row.cleaned_data["weekday"], row.cleaned_data["opens"], row.cleaned_data["closes"])
            for row in formset.forms
            if row.has_changed() and row.cleaned_data and not row.cleaned_data.get("DELETE")]


class PractitionerForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    credentials = forms.CharField(label=_("Credentials"), max_length=40, required=False,
                                  help_text=_("e.g. MD, DO, NP, PA-C"))
    npi = forms.CharField(label=_("NPI"), max_length=10, help_text=_("Ten digits; the last one is a check digit."))
    specialty_codes = forms.MultipleChoiceField(label=_("Specialties"), required=False,
                                                help_text=_("The first one is shown beside the name."))
    location_ids = forms.TypedMultipleChoiceField(label=_("Works at"), coerce=int, widget=forms.CheckboxSelectMultiple)
    min_patient_age = forms.IntegerField(label=_("Youngest patient age (years)"), required=False, min_value=0,
                                         max_value=130)
    max_patient_age = forms.IntegerField(label=_("Oldest patient age (years)"), required=False, min_value=0,
                                         max_value=130, help_text=_("Leave both blank when the provider sees any age."))
    color = forms.CharField(label=_("Colour on the schedule"), max_length=7, initial="#2f6f9f",
                            widget=forms.TextInput(attrs={"type": "color"}))

    def __init__(self, *args: Any, specialties: Any = (), locations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty_codes"].choices = [(s.code, s.name) for s in specialties]
        self.fields["location_ids"].choices = [(loc.pk, loc.name) for loc in locations]


class PractitionerEditForm(PractitionerForm):
    active = forms.BooleanField(label=_("Active"), required=False,
                                help_text=_("Clear when the provider leaves; tick to bring them back."))


class ResourceForm(forms.Form):
    """A room or a piece of equipment: where, what it is called, what kind."""

    location_id = forms.TypedChoiceField(label=_("Location"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"))
    kinds: Any = ()

    def __init__(self, *args: Any, locations: Any = (), editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = self.kinds
        if editing:
            del self.fields["location_id"]
            self.fields["active"] = forms.BooleanField(
                label=_("Active"), required=False, help_text=_("Clear to take it out of use; tick to bring it back."))
        else:
            self.fields["location_id"].choices = [(loc.pk, loc.name) for loc in locations]


class RoomForm(ResourceForm):
    kinds = Room.Kind.choices


class EquipmentForm(ResourceForm):
    kinds = Equipment.Kind.choices
