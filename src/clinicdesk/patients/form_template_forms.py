"""Input parsing for the form-template screens; the rules are in `services.consents.form_template_publish`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

LANGUAGE_LABELS = {"en": _("English"), "es": _("Spanish")}


class FormPublishForm(forms.Form):
    """A new version of a form (or the first one, with a code), in English and optionally Spanish."""

    code = forms.CharField(label=_("Short code"), required=False,
                           help_text=_("Letters, digits and hyphens, e.g. photo-consent. It cannot change later."))
    title_en = forms.CharField(label=_("Title in English"), required=False)
    body_en = forms.CharField(label=_("Text in English"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    title_es = forms.CharField(label=_("Title in Spanish"), required=False)
    body_es = forms.CharField(label=_("Text in Spanish"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                              help_text=_("Leave both Spanish fields empty to offer the form in English only."))
    required = forms.BooleanField(
        label=_("Every patient must sign it"), required=False,
        help_text=_("Patients who signed an earlier version must sign this one again: the chart and check-in "
                    "show it as outstanding."))

    def __init__(self, *args: Any, new_form: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new_form:
            del self.fields["code"]

    def texts(self) -> dict[str, tuple[str, str]]:
        """The service's `texts`: English always (the service names it when empty), Spanish when given."""
        data = self.cleaned_data
        texts = {"en": (data.get("title_en", ""), data.get("body_en", ""))}
        if data.get("title_es", "").strip() or data.get("body_es", "").strip():
            texts["es"] = (data.get("title_es", ""), data.get("body_es", ""))
        return texts
