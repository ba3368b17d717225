"""Input of the correspondence screens (#24); the rules are in `compose.py` and `incoming.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ComposeChannel, IncomingItem, Purpose


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=ComposeChannel.choices)
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200, required=False)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 8}))
    subject_es = forms.CharField(label=_("Subject (Spanish)"), max_length=200, required=False)
    body_es = forms.CharField(label=_("Text (Spanish)"), widget=forms.Textarea(attrs={"rows": 8}))
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # name, purpose and channel stay; the wording gets a new version
            for name in ("name", "purpose", "channel"):
                del self.fields[name]
        else:
            del self.fields["active"]


class IncomingForm(forms.Form):
    medium = forms.ChoiceField(label=_("Came as"), choices=IncomingItem.Medium.choices,
                               initial=IncomingItem.Medium.FAX)
    kind = forms.ChoiceField(label=_("What it is"), choices=IncomingItem.Kind.choices)
    sender = forms.CharField(label=_("Sender"), max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    received_on = forms.DateField(label=_("Received"))
    file = forms.FileField(label=_("Scanned document"), required=False,
                           help_text=_("PDF, JPEG or PNG."))
    pool = forms.ChoiceField(label=_("Pool"), required=False)
    assignee = forms.TypedChoiceField(label=_("Assigned to"), required=False, coerce=int, empty_value=None)
    due_date = forms.DateField(label=_("Due"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = [("", _("No pool")), *IncomingItem.Pool.choices]
        self.fields["assignee"].choices = [("", _("Nobody yet")), *people]
        self.fields["received_on"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["due_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IncomingUpdateForm(IncomingForm):
    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, people=people, **kwargs)
        for name in ("medium", "sender", "subject", "received_on", "file"):
            del self.fields[name]
