"""Configuration screens of consent and intake forms: the list, a form's versions, publishing, deactivating."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.audit.selectors import change_history
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, require

from .form_template_forms import LANGUAGE_LABELS, FormPublishForm
from .form_template_selectors import FormSummary, form_template_versions, form_templates_summary
from .services import form_template_deactivate, form_template_publish

HISTORY_LABELS = {"active": gettext_lazy("active"), "required": gettext_lazy("required for every patient")}


def _apply(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error)


def _languages(codes: list[str]) -> str:
    return ", ".join(str(LANGUAGE_LABELS.get(code, code)) for code in codes)


@login_required
def form_templates(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    forms = form_templates_summary(actor=request.user, include_inactive=show_inactive)
    rows = [{"cells": [f.current.title, _("Version %(n)s") % {"n": f.current.version},
                       _languages(f.current.languages),
                       _("Required") if f.current.required else _("Optional"), f.current.signed],
             "url": reverse("patients:form_template", args=[f.code]), "inactive": not f.active} for f in forms]
    base = reverse("patients:form_templates")
    return render(request, "config/list.html", {
        "title": _("Consent and intake forms"),
        "intro": _("Patients sign the current version of each form. Publishing a new version of a required form "
                   "asks every patient who signed an earlier one to sign again."),
        "columns": [_("Form"), _("Current version"), _("Languages"), _("Signing"),
                    _("Patients who signed this version")],
        "rows": rows, "new_url": reverse("patients:form_template_new"), "new_label": _("Add a form"),
        "show_inactive": show_inactive, "toggle_url": base if show_inactive else f"{base}?inactive=include",
        "empty": _("No forms yet."),
    })


def _history(request: HttpRequest, form: FormSummary) -> list[Any]:
    """Who published and withdrew each version, newest first (each version's entries name its English row)."""
    lines = [line for version in form.versions
             for line in change_history(actor=request.user, resource_type="formtemplate",
                                        resource_id=version.anchor.pk, field_labels=HISTORY_LABELS)]
    return sorted(lines, key=lambda line: line.at, reverse=True)


@login_required
def form_template(request: HttpRequest, code: str) -> HttpResponse:
    form = form_template_versions(actor=request.user, code=code)
    return render(request, "patients/form_templates_detail.html", {
        "form_template": form, "history": _history(request, form), "language_labels": LANGUAGE_LABELS,
        "deactivate_url": reverse("patients:form_template_deactivate", args=[form.code]) if form.active else "",
    })


def _publish_page(request: HttpRequest, *, form: FormPublishForm, current: FormSummary | None) -> HttpResponse:
    title = (_("New version of %(form)s") % {"form": current.current.title}) if current else _("Add a form")
    cancel = reverse("patients:form_template", args=[current.code]) if current else \
        reverse("patients:form_templates")
    return render(request, "config/form.html", {
        "title": title, "form": form, "cancel_url": cancel, "submit_label": _("Publish"),
        "intro": _("Publishing is final: earlier versions stay as they were, read-only, with their signatures."),
    }, status=422 if form.errors else 200)


def _publish(request: HttpRequest, current: FormSummary | None) -> HttpResponse:
    if request.method == "POST":
        form = FormPublishForm(request.POST, new_form=current is None)
        if form.is_valid():
            code = current.code if current else form.cleaned_data["code"]
            try:
                created = form_template_publish(actor=request.user, code=code, required=form.cleaned_data["required"],
                                                texts=form.texts())
            except DomainError as error:
                _apply(form, error)
            else:
                messages.success(request, _("Version %(n)s of %(form)s is published.")
                                 % {"n": created[0].version, "form": created[0].title})
                return redirect("patients:form_template", code=created[0].code)
        return _publish_page(request, form=form, current=current)
    initial: dict[str, Any] = {"required": True}
    if current is not None:
        for language in ("en", "es"):
            row = current.current.text(language)
            if row is not None:
                initial |= {f"title_{language}": row.title, f"body_{language}": row.body}
        initial["required"] = current.current.required
    return _publish_page(request, form=FormPublishForm(initial=initial, new_form=current is None), current=current)


@login_required
@require_http_methods(["GET", "POST"])
def form_template_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)  # before showing the page; the service checks again
    return _publish(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def form_template_publish_version(request: HttpRequest, code: str) -> HttpResponse:
    return _publish(request, form_template_versions(actor=request.user, code=code))


@login_required
@require_POST
def form_template_deactivate_view(request: HttpRequest, code: str) -> HttpResponse:
    rows = form_template_deactivate(actor=request.user, code=code)
    messages.success(request, _("%(form)s is no longer offered for signing.") % {"form": rows[0].title})
    return redirect("patients:form_template", code=rows[0].code)
