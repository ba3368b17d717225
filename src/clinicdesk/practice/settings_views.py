"""The practice settings screen (/practice/settings/): one form over practice_settings_update."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from clinicdesk.audit.selectors import change_history
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Perm, require

from .models import PracticeSettings
from .settings_selectors import practice_settings
from .settings_services import LATE_CANCEL_MAX_HOURS, SETTINGS_FIELDS, practice_settings_update


class PracticeSettingsForm(forms.Form):
    short_name = forms.CharField(label=gettext_lazy("Practice short name"), max_length=60,
                                 help_text=gettext_lazy("How messages to patients name the practice."))
    late_cancel_hours = forms.IntegerField(
        label=gettext_lazy("Late-cancellation window (hours)"), min_value=0, max_value=LATE_CANCEL_MAX_HOURS,
        help_text=gettext_lazy("A cancellation this close to the start is marked late."))
    records_retention_years = forms.IntegerField(label=gettext_lazy("Records retention (years)"), min_value=1,
                                                 max_value=100)
    receipt_footer = forms.CharField(label=gettext_lazy("Receipt footer"), max_length=300, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=gettext_lazy("Printed at the bottom of every receipt."))
    default_language = forms.ChoiceField(label=gettext_lazy("Default language"), choices=PracticeSettings.LANGUAGES,
                                         help_text=gettext_lazy("For new staff accounts, new patients and pages "
                                                                "seen before signing in."))


def _labels() -> dict[str, Any]:
    return {name: PracticeSettingsForm.base_fields[name].label for name in SETTINGS_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def practice_settings_edit(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    current = practice_settings()
    initial = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    form = PracticeSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                practice_settings_update(actor=request.user, **form.cleaned_data)
            except ValidationFailed as error:
                for name, problems in (error.fields or {}).items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
            else:
                messages.success(request, _("Practice settings saved."))
                return redirect("practice:settings")
        status = 422
    return render(request, "config/form.html", {
        "title": _("Practice settings"), "form": form, "submit_label": _("Save settings"),
        "intro": _("Settings that belong to the practice. Until they are saved, the server's configuration applies."),
        "history": change_history(actor=request.user, resource_type="practicesettings", resource_id=1,
                                  field_labels=_labels()),
    }, status=status)
