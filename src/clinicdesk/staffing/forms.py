"""Forms of the staffing configuration screens: plain forms whose cleaned data the services take."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


def weekday_choices() -> list[tuple[int, Any]]:
    return [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class ShiftTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=8, help_text=_("Shown in the roster grid, e.g. E, L, N."))
    name = forms.CharField(label=_("Name"), max_length=80)
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    crosses_midnight = forms.BooleanField(label=_("Ends the next day"), required=False)
    paid_minutes = forms.IntegerField(label=_("Paid minutes"), min_value=1, max_value=24 * 60,
                                      help_text=_("The shift's length less unpaid breaks."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SkillForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ContractForm(forms.Form):
    skill_ids = forms.TypedMultipleChoiceField(label=_("Skills"), coerce=int, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    min_hours_week = forms.IntegerField(label=_("Minimum hours a week"), min_value=0, max_value=80, initial=0)
    max_hours_week = forms.IntegerField(label=_("Maximum hours a week"), min_value=0, max_value=80, initial=40)
    unavailable_weekdays = forms.TypedMultipleChoiceField(label=_("Days they cannot work"), coerce=int,
                                                          required=False, widget=forms.CheckboxSelectMultiple)
    max_consecutive_shifts = forms.IntegerField(label=_("Maximum shifts in a row"), min_value=1, max_value=14,
                                                initial=5)
    min_rest_minutes = forms.IntegerField(label=_("Minimum rest between shifts (minutes)"), min_value=0,
                                          max_value=24 * 60, initial=660)
    max_weekends = forms.IntegerField(label=_("Maximum weekends worked in 4 weeks"), min_value=0, max_value=4,
                                      initial=2)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, skills: list[tuple[int, str]], users: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["skill_ids"]).choices = skills
        cast(forms.ChoiceField, self.fields["unavailable_weekdays"]).choices = weekday_choices()
        if users is not None:  # a new contract: whose
            self.fields["user_id"] = forms.TypedChoiceField(label=_("Staff member"), coerce=int, choices=users)
            self.order_fields(["user_id"])


class CoverNeedForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), coerce=int, required=False, empty_value=None)
    date = forms.DateField(label=_("Or one date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           help_text=_("A date's need replaces the weekday's for the same shift and skill."))
    shift_type_id = forms.TypedChoiceField(label=_("Shift"), coerce=int)
    skill_id = forms.TypedChoiceField(label=_("Skill"), coerce=int, required=False, empty_value=None)
    count = forms.IntegerField(label=_("How many"), min_value=0, max_value=50)
    under_weight = forms.IntegerField(label=_("Cost of each one short"), min_value=0, max_value=10_000, initial=100)
    over_weight = forms.IntegerField(label=_("Cost of each one over"), min_value=0, max_value=10_000, initial=1)

    def __init__(self, *args: Any, shifts: list[tuple[int, str]], skills: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["weekday"]).choices = [("", "—"), *weekday_choices()]
        cast(forms.ChoiceField, self.fields["shift_type_id"]).choices = shifts
        cast(forms.ChoiceField, self.fields["skill_id"]).choices = [("", _("Anyone")), *skills]


class LeaveForm(forms.Form):
    """Ask for leave; the coordinator also chooses whose (a staff account, or a provider with or without one)."""

    person = forms.ChoiceField(label=_("Person"), required=False)
    kind = forms.ChoiceField(label=_("Kind"))
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           help_text=_("Optional. Never a diagnosis: “medical appointment” is enough."))

    def __init__(self, *args: Any, people: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        from .models import LeaveKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = LeaveKind.choices
        if people:
            cast(forms.ChoiceField, self.fields["person"]).choices = [("", _("Myself")), *people]
        else:
            del self.fields["person"]

    def person_ids(self) -> dict[str, int | None]:
        """user_id or practitioner_id from the person field ("u:<id>" or "p:<id>")."""
        raw = self.cleaned_data.get("person") or ""
        kind, _sep, pk = raw.partition(":")
        if kind == "u" and pk.isdigit():
            return {"user_id": int(pk), "practitioner_id": None}
        if kind == "p" and pk.isdigit():
            return {"user_id": None, "practitioner_id": int(pk)}
        return {"user_id": None, "practitioner_id": None}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=300, required=False)


# --- swaps, trainings, shift requests (#20 items 5 and 6) ----------------------------------------------------------

class SwapOfferForm(forms.Form):
    assignment_id = forms.TypedChoiceField(label=_("Your shift"), coerce=int)
    offered_to_id = forms.TypedChoiceField(label=_("Offer to"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, shifts: list[tuple[int, str]], colleagues: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignment_id"]).choices = shifts
        cast(forms.ChoiceField, self.fields["offered_to_id"]).choices = [("", _("Anyone qualified")), *colleagues]


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=300, required=False)


class TrainingRecordForm(forms.Form):
    user_id = forms.TypedChoiceField(label=_("Person"), coerce=int)
    training_id = forms.TypedChoiceField(label=_("Training"), coerce=int)
    completed_on = forms.DateField(label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.FileField(label=_("Certificate (PDF, JPEG or PNG)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], trainings: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user_id"]).choices = people
        cast(forms.ChoiceField, self.fields["training_id"]).choices = trainings


class ShiftRequestForm(forms.Form):
    staff_member_id = forms.TypedChoiceField(label=_("Person"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Request"))
    shift_type_id = forms.TypedChoiceField(label=_("Shift"), coerce=int, required=False, empty_value=None,
                                           help_text=_("Leave empty to ask for the whole day off."))
    weight = forms.IntegerField(label=_("How much it matters (1-100)"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args: Any, people: list[tuple[int, str]], shifts: list[tuple[int, str]],
                 manage: bool, **kwargs: Any) -> None:
        from .models import RequestKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["staff_member_id"]).choices = people
        cast(forms.ChoiceField, self.fields["kind"]).choices = RequestKind.choices
        cast(forms.ChoiceField, self.fields["shift_type_id"]).choices = [("", _("Any shift")), *shifts]
        if not manage:
            del self.fields["weight"]
