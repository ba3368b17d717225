"""The payer list, a payer's page with its plans, and their forms (practice coordinators and billing), over
patients.services.payers and .payer_plans."""

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.audit.selectors import HistoryLine, change_history
from clinicdesk.core.exceptions import DomainError, PermissionDenied
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, has_perm

from . import services
from .models import Payer, PayerChannel, PayerKind, PayerPlan, PlanType
from .payer_forms import PayerForm, PayerPlanForm

HISTORY_LABELS = {f.name: f.verbose_name for f in Payer._meta.get_fields() if hasattr(f, "verbose_name")}
PLAN_LABELS = {f.name: f.verbose_name for f in PayerPlan._meta.get_fields() if hasattr(f, "verbose_name")}
_PAYER_FIELDS = ("name", "payer_code", "kind", "address_line", "city", "state", "postal_code", "phone",
                 "claim_channel", "eligibility_channel", "default_copay_primary", "default_copay_specialist", "active")


def _money(amount: Decimal | None) -> str:
    return f"${number_format(amount, 2, force_grouping=True)}" if amount is not None else "—"


def _words(label: str, value: Any, choices: dict[str, dict[Any, Any]]) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return choices.get(label, {}).get(value, value)


def _history(request: HttpRequest, resource_type: str, pk: int, labels: dict[str, Any],
             choices: dict[str, dict[Any, Any]]) -> list[HistoryLine] | None:
    """The record's changes, values in words; None (no panel) for a billing user, who keeps payers but does
    not read the practice's configuration history."""
    if not has_perm(request.user, Perm.PRACTICE_ADMIN):
        return None
    lines = change_history(actor=request.user, resource_type=resource_type, resource_id=pk, field_labels=labels)
    return [replace(line, changes=[(label, _words(label, old, choices), _words(label, new, choices))
                                   for label, old, new in line.changes]) for line in lines]


def _payer_history(request: HttpRequest, payer: Payer) -> list[HistoryLine] | None:
    channels = dict(PayerChannel.choices)
    return _history(request, "payer", payer.pk, HISTORY_LABELS, {
        str(HISTORY_LABELS["kind"]): dict(PayerKind.choices), str(HISTORY_LABELS["claim_channel"]): channels,
        str(HISTORY_LABELS["eligibility_channel"]): channels})


@login_required
@require_GET
def payers(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    payer_list = services.payers_list(actor=request.user, include_inactive=show_inactive)
    rows = [{"cells": [p.name, p.payer_code or "—", p.get_kind_display(), p.get_claim_channel_display(),
                       p.get_eligibility_channel_display(), p.plan_count or "—", _money(p.default_copay_primary),
                       _money(p.default_copay_specialist)],
             "url": reverse("patients:payer_detail", args=[p.pk]), "inactive": not p.active} for p in payer_list]
    return render(request, "config/list.html", {
        "title": _("Payers"), "rows": rows,
        "intro": _("The insurance companies and programs offered on the insurance form: how claims and coverage "
                   "checks reach each one, its plans, and the co-pays filled in when the desk leaves them empty."),
        "columns": [_("Name"), _("Electronic payer id"), _("Kind"), _("Claims"), _("Coverage checks"),
                    _("Plans"), _("Default co-pay, primary care"), _("Default co-pay, specialist")],
        "new_url": reverse("patients:payer_new"), "new_label": _("Add a payer"), "show_inactive": show_inactive,
        "toggle_url": reverse("patients:payers") + ("" if show_inactive else "?inactive=include"),
        "empty": _("No payers yet."),
    })


def _show_errors(form: Any, error: DomainError) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    form_add_domain_error(form, error)


@login_required
@require_GET
def payer_detail(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = services.payer_detail(actor=request.user, payer_id=payer_id)
    plans = services.payer_plans_list(actor=request.user, payer_id=payer.pk, include_inactive=True)
    address = ", ".join(part for part in (payer.address_line, payer.city,
                                          f"{payer.state} {payer.postal_code}".strip()) if part)
    facts = [(_("Electronic payer id"), payer.payer_code or "—"), (_("Kind"), payer.get_kind_display()),
             (_("Address"), address or "—"), (_("Phone"), payer.phone or "—"),
             (_("Claims are sent"), payer.get_claim_channel_display()),
             (_("Coverage is checked"), payer.get_eligibility_channel_display()),
             (_("Default co-pay, primary care"), _money(payer.default_copay_primary)),
             (_("Default co-pay, specialist"), _money(payer.default_copay_specialist)),
             (_("Status"), _("Active") if payer.active else _("Inactive"))]
    return render(request, "patients/payer_detail.html", {
        "payer": payer, "facts": facts, "plans": plans, "history": _payer_history(request, payer),
    })


@login_required
@require_http_methods(["GET", "POST"])
def payer_new(request: HttpRequest) -> HttpResponse:
    services.payers_list(actor=request.user)  # the same rule as the save: refused here, not on submit
    form = PayerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payer = services.payer_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Payer %(name)s added.") % {"name": payer.name})
            return redirect("patients:payer_detail", payer.pk)
    return render(request, "config/form.html", {
        "title": _("Add a payer"), "form": form, "submit_label": _("Add the payer"),
        "cancel_url": reverse("patients:payers"),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def payer_edit(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = services.payer_detail(actor=request.user, payer_id=payer_id)
    form = PayerForm(request.POST or None, initial={name: getattr(payer, name) for name in _PAYER_FIELDS},
                     creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.payer_update(actor=request.user, payer_id=payer.pk, **form.cleaned_data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Payer %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("patients:payer_detail", payer.pk)
    return render(request, "config/form.html", {
        "title": payer.name, "form": form, "cancel_url": reverse("patients:payer_detail", args=[payer.pk]),
        "deactivate_url": reverse("patients:payer_deactivate", args=[payer.pk]) if payer.active else "",
        "deactivate_label": _("Deactivate the payer"), "history": _payer_history(request, payer),
    }, status=422 if form.errors else 200)


@login_required
@require_POST
def payer_deactivate(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = services.payer_deactivate(actor=request.user, payer_id=payer_id)
    messages.success(request, _("Payer %(name)s deactivated: it is no longer offered for new insurance; "
                                "insurance on file keeps it.") % {"name": payer.name})
    return redirect("patients:payers")


# --- plans --------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = services.payer_detail(actor=request.user, payer_id=payer_id)
    form = PayerPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.payer_plan_create(actor=request.user, payer_id=payer.pk, **form.cleaned_data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Plan %(name)s added.") % {"name": plan.name})
            return redirect("patients:payer_detail", payer.pk)
    return render(request, "config/form.html", {
        "title": _("Add a plan to %(payer)s") % {"payer": payer.name}, "form": form,
        "submit_label": _("Add the plan"), "cancel_url": reverse("patients:payer_detail", args=[payer.pk]),
    }, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = services.payer_plan_detail(actor=request.user, plan_id=plan_id)
    form = PayerPlanForm(request.POST or None, creating=False,
                         initial={name: getattr(plan, name) for name in ("name", "plan_type", "network_id", "active")})
    if request.method == "POST" and form.is_valid():
        try:
            services.payer_plan_update(actor=request.user, plan_id=plan.pk, **form.cleaned_data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Plan %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("patients:payer_detail", plan.payer_id)
    history = _history(request, "payerplan", plan.pk, PLAN_LABELS,
                       {str(PLAN_LABELS["plan_type"]): dict(PlanType.choices)})
    return render(request, "config/form.html", {
        "title": f"{plan.payer.name}: {plan.name}", "form": form,
        "cancel_url": reverse("patients:payer_detail", args=[plan.payer_id]),
        "deactivate_url": reverse("patients:plan_deactivate", args=[plan.pk]) if plan.active else "",
        "deactivate_label": _("Deactivate the plan"), "history": history,
    }, status=422 if form.errors else 200)


@login_required
@require_POST
def plan_deactivate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = services.payer_plan_deactivate(actor=request.user, plan_id=plan_id)
    messages.success(request, _("Plan %(name)s deactivated: it is no longer offered for new insurance; "
                                "insurance on file keeps it.") % {"name": plan.name})
    return redirect("patients:payer_detail", plan.payer_id)
