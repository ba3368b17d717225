"""Input parsing for the compliance program's screens: calendar, OSHA, HIPAA program, policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.permissions import ROLE_CHOICES

from .models import CaseOutcome, CaseType, ItemStatus, OfficerRole, PrivacyReason, Recurrence, SafetyDocKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE = forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
FILE_HELP = _("A PDF, JPEG or PNG file.")


class _Staff(forms.Form):
    """A form with staff-member choices (`owner` or `user`), filled by the view."""

    staff_field = "owner"

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.staff_field].choices = staff  # type: ignore[attr-defined]


class DutyForm(_Staff):
    title = forms.CharField(label=_("Title"), max_length=160)
    owner_id = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[])
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    starts_on = forms.DateField(label=_("First due"), widget=DATE)
    staff_field = "owner_id"


class CompleteForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    evidence_note = forms.CharField(label=_("Evidence"), max_length=500, required=False,
                                    help_text=_("What was checked and found, e.g. flushed 3 minutes, water clear."))
    evidence_file = forms.FileField(label=_("Evidence file"), required=False, widget=FILE, help_text=FILE_HELP)


class SafetyDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=SafetyDocKind.choices)
    title = forms.CharField(label=_("Product or title"), max_length=160)
    item_id = forms.TypedChoiceField(label=_("Hazardous supply item"), coerce=int, choices=[], required=False,
                                     empty_value=None)
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=120, required=False)
    review_on = forms.DateField(label=_("Review due"), widget=DATE)
    file = forms.FileField(label=_("Document file"), required=False, widget=FILE, help_text=FILE_HELP)

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_id"].choices = [("", _("None")), *items]  # type: ignore[attr-defined]


class ReviewedForm(forms.Form):
    next_review_on = forms.DateField(label=_("Next review due"), widget=DATE)


class SharpsForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date of injury"), widget=DATE)
    device = forms.CharField(label=_("Type and brand of device"), max_length=160)
    work_area = forms.CharField(label=_("Department or work area"), max_length=120)
    how = forms.CharField(label=_("How the incident occurred"), max_length=500, widget=forms.Textarea(attrs={
        "rows": 3}))


class CaseForm(forms.Form):
    employee_name = forms.CharField(label=_("Employee's name"), max_length=160)
    job_title = forms.CharField(label=_("Job title"), max_length=120)
    occurred_on = forms.DateField(label=_("Date of injury or onset of illness"), widget=DATE)
    where = forms.CharField(label=_("Where the event occurred"), max_length=120)
    description = forms.CharField(label=_("Injury or illness, parts of body affected, and object or substance"),
                                  max_length=300)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    days_away = forms.IntegerField(label=_("Days away from work"), min_value=0, max_value=180, initial=0)
    days_restricted = forms.IntegerField(label=_("Days on job transfer or restriction"), min_value=0,
                                         max_value=180, initial=0)
    case_type = forms.ChoiceField(label=_("Injury or illness"), choices=CaseType.choices)
    privacy_reason = forms.ChoiceField(label=_("Privacy case"), required=False,
                                       choices=[("", _("Not a privacy case")), *PrivacyReason.choices],
                                       help_text=_("A privacy case shows \"Privacy case\" instead of the name on "
                                                   "the log."))
    sharps_id = forms.TypedChoiceField(label=_("From the sharps-injury log"), coerce=int, required=False,
                                       empty_value=None, choices=[])

    def __init__(self, *args: Any, sharps: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sharps_id"].choices = [("", _("Not a sharps injury")), *sharps]  # type: ignore[attr-defined]


class StartAssessmentForm(_Staff):
    owner_id = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[])
    staff_field = "owner_id"


class RiskItemForm(_Staff):
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    owner_id = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[], required=False, empty_value=None)
    evidence_note = forms.CharField(label=_("Evidence"), max_length=500, required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False, widget=FILE)
    staff_field = "owner_id"


class BaaForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=160)
    services = forms.CharField(label=_("Services"), max_length=300)
    signed_on = forms.DateField(label=_("Signed"), widget=DATE)
    expires_on = forms.DateField(label=_("Expires"), widget=DATE, required=False)
    review_on = forms.DateField(label=_("Review due"), widget=DATE)
    file = forms.FileField(label=_("Signed agreement"), required=False, widget=FILE, help_text=FILE_HELP)


class OfficerForm(_Staff):
    role = forms.ChoiceField(label=_("Role"), choices=OfficerRole.choices)
    user_id = forms.TypedChoiceField(label=_("Staff member"), coerce=int, choices=[])
    since = forms.DateField(label=_("Since"), widget=DATE)
    staff_field = "user_id"


class PolicyForm(_Staff):
    title = forms.CharField(label=_("Title"), max_length=160)
    owner_id = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[])
    review_on = forms.DateField(label=_("Review due"), widget=DATE)
    audience = forms.MultipleChoiceField(label=_("Who must acknowledge it"), choices=ROLE_CHOICES,
                                         widget=forms.CheckboxSelectMultiple)
    staff_field = "owner_id"


class VersionForm(forms.Form):
    effective_on = forms.DateField(label=_("Effective"), widget=DATE)
    summary = forms.CharField(label=_("What changed"), max_length=300, required=False)
    text = forms.CharField(label=_("Text"), max_length=20000, required=False,
                           widget=forms.Textarea(attrs={"rows": 10}))
    file = forms.FileField(label=_("Document"), required=False, widget=FILE, help_text=FILE_HELP)
    review_on = forms.DateField(label=_("Next review due"), widget=DATE, required=False)
