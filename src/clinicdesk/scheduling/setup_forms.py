"""Input parsing of the scheduling set-up screens. Types and shapes only: every rule (durations, overlaps,
effective dates, known providers) is the services' and comes back as field errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AppointmentCategory, AvailabilityException, ChecklistItem, Weekday
from .services import EQUIPMENT_KIND_CHOICES, ROOM_KIND_CHOICES

_DATE = {"type": "date"}
_TIME = {"type": "time", "step": 300}


def _ids(label: Any, choices: Iterable[tuple[int, str]], required: bool = False) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(label=label, required=required, coerce=int, choices=list(choices),
                                          widget=forms.CheckboxSelectMultiple)


class AppointmentTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("Short and unique, lower-case letters, digits and hyphens (e.g. new-patient)."))
    name = forms.CharField(label=_("Name (staff)"), max_length=80)
    name_es = forms.CharField(label=_("Name (staff), in Spanish"), max_length=80, required=False)
    patient_facing_name = forms.CharField(label=_("Name shown to patients"), max_length=80)
    patient_facing_name_es = forms.CharField(label=_("Name shown to patients, in Spanish"), max_length=80,
                                             required=False)
    category = forms.ChoiceField(label=_("Category"), choices=AppointmentCategory.choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), help_text=_("From 5 to 480 minutes."))
    buffer_before_minutes = forms.IntegerField(label=_("Buffer before (minutes)"), initial=0,
                                               help_text=_("Time the provider and room are held before the visit."))
    buffer_after_minutes = forms.IntegerField(label=_("Buffer after (minutes)"), initial=0,
                                              help_text=_("Time held after the visit (cleaning, notes)."))
    new_patient = forms.BooleanField(label=_("For new patients"), required=False)
    telehealth = forms.BooleanField(label=_("Telehealth visit"), required=False)
    room_kind = forms.ChoiceField(label=_("Room needed"), required=False,
                                  choices=[("", _("No room")), *ROOM_KIND_CHOICES])
    equipment_kinds = forms.MultipleChoiceField(label=_("Equipment needed"), required=False,
                                                choices=EQUIPMENT_KIND_CHOICES, widget=forms.CheckboxSelectMultiple)
    checklist = forms.MultipleChoiceField(label=_("Pre-visit checklist"), required=False,
                                          choices=ChecklistItem.choices, widget=forms.CheckboxSelectMultiple)
    allowed_practitioner_ids = forms.TypedMultipleChoiceField(
        label=_("Providers who take it"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every provider may take it."))
    color = forms.CharField(label=_("Colour on the calendar"), max_length=7, initial="#5b8def",
                            widget=forms.TextInput(attrs={"type": "color"}))

    def __init__(self, *args: Any, practitioners: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["allowed_practitioner_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(p.pk, str(p)) for p in practitioners]


class TemplateForm(forms.Form):
    """A weekly block. On "change", the provider and location are fixed (end the block and add another)."""

    practitioner_id = forms.TypedChoiceField(label=_("Provider"), coerce=int)
    location_id = forms.TypedChoiceField(label=_("Location"), coerce=int)
    weekday = forms.TypedChoiceField(label=_("Day of the week"), coerce=int, choices=Weekday.choices)
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs=_TIME))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs=_TIME))
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs=_DATE))
    effective_until = forms.DateField(label=_("Effective until (inclusive)"), required=False,
                                      widget=forms.DateInput(attrs=_DATE), help_text=_("Empty: no end."))
    reserved_type_ids = forms.TypedMultipleChoiceField(
        label=_("Reserved for"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any appointment type may be booked in this block."))
    label = forms.CharField(label=_("Label"), max_length=60, required=False)

    def __init__(self, *args: Any, practitioners: Iterable[Any] = (), locations: Iterable[Any] = (),
                 types: Iterable[Any] = (), editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {"practitioner_id": [(p.pk, str(p)) for p in practitioners],
                   "location_id": [(loc.pk, str(loc)) for loc in locations],
                   "reserved_type_ids": [(t.pk, str(t)) for t in types]}
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField | forms.TypedMultipleChoiceField)
            field.choices = values
        if editing:
            del self.fields["practitioner_id"], self.fields["location_id"]


class ExceptionForm(forms.Form):
    """Time away: whole days by default, or part of a day with times (in the location's time)."""

    practitioner_id = forms.TypedChoiceField(label=_("Provider"), coerce=int)
    location_id = forms.TypedChoiceField(label=_("Location"), coerce=int, required=False, empty_value=None,
                                         help_text=_("Empty: away from every location."))
    kind = forms.ChoiceField(label=_("Kind"), choices=AvailabilityException.Kind.choices,
                             initial=AvailabilityException.Kind.VACATION)
    first_day = forms.DateField(label=_("Away from (day)"), widget=forms.DateInput(attrs=_DATE))
    from_time = forms.TimeField(label=_("From (time)"), required=False, widget=forms.TimeInput(attrs=_TIME),
                                help_text=_("Empty: the start of the day."))
    last_day = forms.DateField(label=_("Back after (day, inclusive)"), widget=forms.DateInput(attrs=_DATE))
    until_time = forms.TimeField(label=_("Until (time)"), required=False, widget=forms.TimeInput(attrs=_TIME),
                                 help_text=_("Empty: the end of the day."))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, practitioners: Iterable[Any] = (), locations: Iterable[Any] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["practitioner_id"]
        places = self.fields["location_id"]
        assert isinstance(people, forms.TypedChoiceField) and isinstance(places, forms.TypedChoiceField)
        people.choices = [(p.pk, str(p)) for p in practitioners]
        places.choices = [("", _("Every location"))] + [(loc.pk, str(loc)) for loc in locations]


class HolidayForm(forms.Form):
    location_id = forms.TypedChoiceField(label=_("Location"), coerce=int)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs=_DATE))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: Thanksgiving, Staff training."))

    def __init__(self, *args: Any, locations: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = self.fields["location_id"]
        assert isinstance(places, forms.TypedChoiceField)
        places.choices = [(loc.pk, str(loc)) for loc in locations]
