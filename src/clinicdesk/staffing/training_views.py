"""The training screens (#20 item 6): the compliance matrix (staff x training: red expired or missing, amber due
within 30 days) for the coordinator, one's own trainings for everyone, recording a completion with its
certificate, and the certificate's download. Thin over training_services and training_selectors."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, Role, has_perm, require

from . import training_selectors, training_services
from .forms import TrainingRecordForm
from .views import FIXABLE, _actor, _location, _tabs


@login_required
@require_GET
def training(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="training")
    location = _location(request)
    manage = has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk)
    today = timezone.localdate()
    trainings, rows = (training_selectors.compliance_matrix(actor=actor, location_id=location.pk, today=today)
                       if manage else ([], []))
    return render(request, "staffing/training.html", {
        "tabs": _tabs(request, "training"), "location": location, "manage": manage, "trainings": trainings,
        "rows": rows, "mine": training_selectors.my_trainings(actor=actor, today=today),
        "records": training_selectors.records_of(actor=actor, user_id=request.user.pk or 0)[:20],
        "due_days": training_selectors.DUE_SOON_DAYS,
        "all_trainings": training_selectors.trainings_list(actor=actor, include_inactive=True) if manage else []})


@login_required
@require_http_methods(["GET", "POST"])
def training_record_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="trainingrecord")
    location = _location(request)
    manage = has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk)
    if manage:
        _trainings, rows = training_selectors.compliance_matrix(actor=actor, location_id=location.pk,
                                                                today=timezone.localdate())
        people = [(row.user.pk, row.name) for row in rows]
    else:
        user = cast(Any, request.user)  # signed in (login_required)
        people = [(user.pk, str(user.get_full_name() or user.get_username()))]
    trainings = [(t.pk, t.name) for t in training_selectors.trainings_list(actor=actor)]
    form = TrainingRecordForm(request.POST or None, request.FILES or None, people=people, trainings=trainings,
                              initial={"user_id": request.GET.get("user"), "training_id": request.GET.get("training")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training_services.training_record_create(
                actor=actor, user_id=data["user_id"], training_id=data["training_id"],
                completed_on=data["completed_on"], evidence=data["evidence"], note=data["note"])
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error, aliases={"user": "user_id", "training": "training_id"})
        else:
            messages.success(request, _("Training recorded."))
            return redirect("staffing:training")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "staffing/training_form.html", {
        "form": form, "title": _("Record a completed training"), "submit_label": _("Record"),
        "intro": _("It is valid for the training's months from the day it was completed. Attach the certificate."),
        "cancel_url": reverse("staffing:training")}, status=status)


@login_required
@require_GET
def training_evidence(request: HttpRequest, record_id: int) -> FileResponse:
    record, handle = training_selectors.record_evidence(actor=_actor(request), record_id=record_id)
    return FileResponse(handle, content_type=record.evidence_type or "application/octet-stream",
                        filename=record.evidence_name or "certificate", as_attachment=True)


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request: HttpRequest, training_id: int) -> HttpResponse:
    """The coordinator edits a training: its name, the roles that must hold it, how long it is valid, active."""
    from clinicdesk.audit.selectors import change_history

    from .clock_forms import TrainingForm

    actor = _actor(request)
    require(actor, Perm.STAFFING_ADMIN, resource_type="training", resource_id=training_id)
    found = training_selectors.training_detail(actor=actor, training_id=training_id)
    form = TrainingForm(request.POST or None, initial={
        "name": found.name, "roles": list(found.roles or []), "valid_months": found.valid_months,
        "active": found.active})
    if request.method == "POST" and form.is_valid():
        try:
            training_services.training_update(actor=actor, training_id=training_id, **form.cleaned_data)
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Training saved."))
            return redirect("staffing:training")
    status = 422 if request.method == "POST" and form.errors else 200
    def roles_in_words(value: Any) -> str:
        text = str(value)
        for role in sorted(Role, key=lambda r: -len(r.value)):
            text = text.replace(f"'{role.value}'", str(role.label))
        return text.strip("[]") or "—"

    labels = {"name": _("name"), "roles": _("required of"), "valid_months": _("valid for (months)"),
              "active": _("active")}
    return render(request, "config/form.html", {
        "form": form, "title": _("Edit %(training)s") % {"training": found.name}, "submit_label": _("Save"),
        "intro": _("A new validity applies to completions recorded from now on; records already kept keep their "
                   "dates."),
        "cancel_url": reverse("staffing:training"),
        "history": change_history(actor=actor, resource_type="training", resource_id=found.pk,
                                  field_labels=labels, formatters={"roles": roles_in_words})}, status=status)
