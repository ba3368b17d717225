"""Patient alerts on the chart (set, end) and the alert kinds' configuration screens (practice administrators),
over patients.services.alerts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.audit.selectors import change_history
from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, require

from . import services
from .alert_forms import AlertEndForm, AlertForm, AlertKindForm
from .models import AlertKind, AlertSeverity, PatientAlert
from .selectors import alert_kinds_offered, patient_alerts, patient_chart
from .services.alerts import require_alert_writer

KIND_LABELS = {f.name: f.verbose_name for f in AlertKind._meta.get_fields() if hasattr(f, "verbose_name")}


def _show(form: Any, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    form_add_domain_error(form, error)


# --- alerts on a chart ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_chart(actor=request.user, patient_id=patient_id)
    require_alert_writer(request.user, patient.pk)  # the form only for those who could save it
    form = AlertForm(request.POST or None, kinds=alert_kinds_offered())
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.patient_alert_add(actor=request.user, patient_id=patient.pk,
                                               kind_id=int(form.cleaned_data["kind"]),
                                               reason=form.cleaned_data["reason"], detail=form.cleaned_data["detail"])
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Alert set: %(label)s.") % {"label": alert.label})
            return redirect("patients:chart", patient.pk)
    history = patient_alerts(actor=request.user, patient_id=patient.pk)
    return render(request, "patients/alert_form.html", {
        "patient": patient, "form": form, "title": _("Set an alert"), "alerts": history,
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def alert_end(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = PatientAlert.objects.filter(pk=alert_id).values_list("patient_id", flat=True).first()
    if alert is None:
        raise NotFound()
    patient = patient_chart(actor=request.user, patient_id=alert)
    require_alert_writer(request.user, patient.pk)
    form = AlertEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.patient_alert_end(actor=request.user, alert_id=alert_id,
                                               reason=form.cleaned_data["reason"])
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Alert ended: %(label)s. It stays in the chart's history.")
                             % {"label": ended.label})
            return redirect("patients:chart", patient.pk)
    return render(request, "patients/alert_form.html", {
        "patient": patient, "form": form, "title": _("End an alert"), "submit_label": _("End the alert"),
    }, status=422 if form.errors else 200)


# --- alert kinds (configuration) --------------------------------------------------------------------------------

@login_required
def alert_kinds(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    kinds = services.alert_kinds_list(actor=request.user, include_inactive=show_inactive)
    rows = [{"cells": [k.label_en, k.label_es, k.get_severity_display(), _("yes") if k.needs_detail else _("no")],
             "url": reverse("patients:alert_kind_edit", args=[k.pk]), "inactive": not k.active} for k in kinds]
    return render(request, "config/list.html", {
        "title": _("Patient alert kinds"), "rows": rows,
        "intro": _("The alerts staff can set on a chart (shown on the chart, the flow board and the schedule)."),
        "columns": [_("Label (English)"), _("Label (Spanish)"), _("Colour"), _("Asks for a detail")],
        "new_url": reverse("patients:alert_kind_new"), "new_label": _("Add an alert kind"),
        "show_inactive": show_inactive,
        "toggle_url": reverse("patients:alert_kinds") + ("" if show_inactive else "?inactive=include"),
        "empty": _("No alert kinds yet."),
    })


@login_required
@require_http_methods(["GET", "POST"])
def alert_kind_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    form = AlertKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.alert_kind_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Alert kind %(name)s added.") % {"name": kind.label})
            return redirect("patients:alert_kinds")
    return render(request, "config/form.html", {
        "title": _("Add an alert kind"), "form": form, "submit_label": _("Add the alert kind"),
        "cancel_url": reverse("patients:alert_kinds"),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def alert_kind_edit(request: HttpRequest, kind_id: int) -> HttpResponse:
    kind = services.alert_kind_detail(actor=request.user, kind_id=kind_id)
    initial = {name: getattr(kind, name) for name in ("label_en", "label_es", "severity", "needs_detail", "active")}
    form = AlertKindForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_kind_update(actor=request.user, kind_id=kind.pk, **form.cleaned_data)
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Alert kind %(name)s saved.") % {"name": form.cleaned_data["label_en"]})
            return redirect("patients:alert_kinds")
    severities = dict(AlertSeverity.choices)
    history = change_history(actor=request.user, resource_type="alertkind", resource_id=kind.pk,
                             field_labels=KIND_LABELS)
    history = [replace(line, changes=[(label, severities.get(old, old), severities.get(new, new))
                                      for label, old, new in line.changes]) for line in history]
    return render(request, "config/form.html", {
        "title": kind.label, "form": form, "cancel_url": reverse("patients:alert_kinds"),
        "deactivate_url": reverse("patients:alert_kind_deactivate", args=[kind.pk]) if kind.active else "",
        "deactivate_label": _("Deactivate the alert kind"), "history": history,
    }, status=422 if form.errors else 200)


@login_required
@require_POST
def alert_kind_deactivate(request: HttpRequest, kind_id: int) -> HttpResponse:
    kind = services.alert_kind_deactivate(actor=request.user, kind_id=kind_id)
    messages.success(request, _("Alert kind %(name)s deactivated: it is no longer offered; alerts already set keep "
                                "it.") % {"name": kind.label})
    return redirect("patients:alert_kinds")
