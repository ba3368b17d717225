"""The payer list and its form (practice administrators), over patients.services.payers."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.audit.selectors import HistoryLine, change_history
from clinicdesk.core.exceptions import DomainError, PermissionDenied
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, require

from . import services
from .models import Payer, PayerKind
from .payer_forms import PayerForm

HISTORY_LABELS = {f.name: f.verbose_name for f in Payer._meta.get_fields() if hasattr(f, "verbose_name")}


def _money(amount: Decimal | None) -> str:
    return f"${number_format(amount, 2, force_grouping=True)}" if amount is not None else "—"


def _history(request: HttpRequest, payer: Payer) -> list[HistoryLine]:
    """The payer's changes, values in words (the kind's label, yes/no)."""
    kinds, kind_label = dict(PayerKind.choices), str(HISTORY_LABELS["kind"])

    def word(label: str, value: Any) -> Any:
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return kinds.get(value, value) if label == kind_label else value

    lines = change_history(actor=request.user, resource_type="payer", resource_id=payer.pk,
                           field_labels=HISTORY_LABELS)
    return [replace(line, changes=[(label, word(label, old), word(label, new)) for label, old, new in line.changes])
            for line in lines]


@login_required
def payers(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    payer_list = services.payers_list(actor=request.user, include_inactive=show_inactive)
    rows = [{"cells": [p.name, p.payer_code or "—", p.get_kind_display(), _money(p.default_copay_primary),
                       _money(p.default_copay_specialist)],
             "url": reverse("patients:payer_edit", args=[p.pk]), "inactive": not p.active} for p in payer_list]
    return render(request, "config/list.html", {
        "title": _("Payers"), "rows": rows,
        "intro": _("The insurance companies and programs offered on the insurance form, with the co-pays filled "
                   "in when the desk leaves them empty."),
        "columns": [_("Name"), _("Electronic payer id"), _("Kind"), _("Default co-pay, primary care"),
                    _("Default co-pay, specialist")],
        "new_url": reverse("patients:payer_new"), "new_label": _("Add a payer"), "show_inactive": show_inactive,
        "toggle_url": reverse("patients:payers") + ("" if show_inactive else "?inactive=include"),
        "empty": _("No payers yet."),
    })


def _show_errors(form: PayerForm, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    form_add_domain_error(form, error)


@login_required
@require_http_methods(["GET", "POST"])
def payer_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    form = PayerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payer = services.payer_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Payer %(name)s added.") % {"name": payer.name})
            return redirect("patients:payers")
    return render(request, "config/form.html", {
        "title": _("Add a payer"), "form": form, "submit_label": _("Add the payer"),
        "cancel_url": reverse("patients:payers"),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def payer_edit(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = services.payer_detail(actor=request.user, payer_id=payer_id)
    initial = {name: getattr(payer, name) for name in ("name", "payer_code", "kind", "default_copay_primary",
                                                       "default_copay_specialist", "active")}
    form = PayerForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.payer_update(actor=request.user, payer_id=payer.pk, **form.cleaned_data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Payer %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("patients:payers")
    return render(request, "config/form.html", {
        "title": payer.name, "form": form, "cancel_url": reverse("patients:payers"),
        "deactivate_url": reverse("patients:payer_deactivate", args=[payer.pk]) if payer.active else "",
        "deactivate_label": _("Deactivate the payer"),
        "history": _history(request, payer),
    }, status=422 if form.errors else 200)


@login_required
@require_POST
def payer_deactivate(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = services.payer_deactivate(actor=request.user, payer_id=payer_id)
    messages.success(request, _("Payer %(name)s deactivated: it is no longer offered for new insurance; "
                                "insurance on file keeps it.") % {"name": payer.name})
    return redirect("patients:payers")
