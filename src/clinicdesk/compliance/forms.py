"""Input parsing for the compliance screens (the services decide the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    Audience,
    Channel,
    ComplaintTopic,
    DisclosurePurpose,
    GrievanceBasis,
    IncidentKind,
    RecordPart,
    RequestKind,
    Severity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LANGUAGES = [("", _("The patient's language")), ("en", _("English")), ("es", _("Spanish"))]
MRN_HELP = _("The patient's medical record number.")


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=DATETIME,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Where"), max_length=120, help_text=_("Where at the location, e.g. exam room 3."))
    what = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    staff_involved = forms.CharField(label=_("Staff involved"), max_length=300, required=False)
    patient_mrn = forms.CharField(label=_("Patient involved (MRN)"), max_length=12, required=False,
                                  help_text=_("Leave empty when no patient was involved."))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ReviewForm(forms.Form):
    notes = forms.CharField(label=_("Review"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Corrective action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[])
    due_on = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = staff  # type: ignore[attr-defined]


class ActionDoneForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=300)


class ComplaintForm(forms.Form):
    patient_mrn = forms.CharField(label=_("Patient (MRN)"), max_length=12, help_text=MRN_HELP)
    channel = forms.ChoiceField(label=_("Received by"), choices=Channel.choices)
    topic = forms.ChoiceField(label=_("About"), choices=ComplaintTopic.choices)
    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    high_level = forms.BooleanField(label=_("High-level complaint: escalate to the practice coordinator"),
                                    required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("How staff resolved it"), max_length=500)


class GrievanceForm(forms.Form):
    basis = forms.ChoiceField(label=_("Why it is a grievance"), choices=GrievanceBasis.choices,
                              widget=forms.RadioSelect)


class AcknowledgeForm(forms.Form):
    language = forms.ChoiceField(label=_("Letter language"), choices=LANGUAGES, required=False)


class AnswerForm(forms.Form):
    steps_taken = forms.CharField(label=_("Steps taken to investigate"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    results = forms.CharField(label=_("Results"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    contact_person = forms.CharField(label=_("Contact person"), max_length=160)
    completed_on = forms.DateField(label=_("Date of completion"), widget=DATE)
    language = forms.ChoiceField(label=_("Letter language"), choices=LANGUAGES, required=False)


class RequestForm(forms.Form):
    patient_mrn = forms.CharField(label=_("Patient (MRN)"), max_length=12, help_text=MRN_HELP)
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    received_on = forms.DateField(label=_("Received"), widget=DATE)
    details = forms.CharField(label=_("What is asked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    recipient = forms.CharField(label=_("Recipient (release)"), max_length=160, required=False)
    recipient_address = forms.CharField(label=_("Recipient's address"), max_length=300, required=False)
    authorization_signed_on = forms.DateField(label=_("Authorization signed"), widget=DATE, required=False)
    authorization_expires_on = forms.DateField(label=_("Authorization expires"), widget=DATE, required=False)
    authorization_covers = forms.MultipleChoiceField(label=_("Authorization covers"), choices=RecordPart.choices,
                                                     required=False, widget=forms.CheckboxSelectMultiple)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class FulfilForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=500, required=False)
    sent_parts = forms.MultipleChoiceField(label=_("What was sent"), choices=RecordPart.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)


class CloseRequestForm(forms.Form):
    status = forms.ChoiceField(label=_("Close as"), choices=[("denied", _("Denied")), ("withdrawn", _("Withdrawn"))])
    outcome = forms.CharField(label=_("Reason"), max_length=500)


class DisclosureForm(forms.Form):
    patient_mrn = forms.CharField(label=_("Patient (MRN)"), max_length=12, help_text=MRN_HELP)
    disclosed_on = forms.DateField(label=_("Date"), widget=DATE)
    recipient = forms.CharField(label=_("Recipient"), max_length=160)
    recipient_address = forms.CharField(label=_("Recipient's address"), max_length=300, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=DisclosurePurpose.choices)
    parts = forms.MultipleChoiceField(label=_("What was disclosed"), choices=RecordPart.choices,
                                      widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


class AccountingForm(forms.Form):
    patient_mrn = forms.CharField(label=_("Patient (MRN)"), max_length=12, help_text=MRN_HELP)
    language = forms.ChoiceField(label=_("Report language"), choices=LANGUAGES, required=False)


class BreachForm(forms.Form):
    discovered_on = forms.DateField(label=_("Discovered"), widget=DATE)
    individuals_affected = forms.IntegerField(label=_("Individuals affected"), min_value=1, max_value=100_000_000)
    description = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class NoticeForm(forms.Form):
    audience = forms.ChoiceField(label=_("Notified"), choices=Audience.choices)
    sent_on = forms.DateField(label=_("Sent"), widget=DATE)
    note = forms.CharField(label=_("How"), max_length=300, required=False,
                           help_text=_("e.g. first-class mail to 42 patients, HHS breach portal"))
