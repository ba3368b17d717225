"""Payment plans, the practice's side (#19 item 8): a patient's plans with their standing (each instalment paid,
due or missed) and the form to set one up for the balance; ending a plan. The plan model is the portal's (the
patient pays its instalments in the portal); the rules are in services/plans.py."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Actor, Perm, has_perm

from .services import plans
from .services.payments import PLAN_CHOICES

REFUSALS = (ValidationFailed, Conflict, InvalidTransition)


def _staff(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


class PlanForm(forms.Form):
    total = forms.DecimalField(label=gettext_lazy("Amount on the plan"), max_digits=10, decimal_places=2,
                               min_value=Decimal("0.01"), required=False)
    instalments = forms.TypedChoiceField(label=gettext_lazy("Monthly instalments"), coerce=int,
                                         choices=[(n, str(n)) for n in PLAN_CHOICES])
    first_due = forms.DateField(label=gettext_lazy("First instalment due"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


@login_required
@require_http_methods(["GET", "POST"])
def staff_plans(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plans.staff_plan_create(actor=_staff(request), patient_id=patient_id, instalments=data["instalments"],
                                    first_due=data["first_due"], total=data["total"])
        except REFUSALS as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Payment plan set up: the patient pays the instalments in the portal."))
            return redirect("portal:staff-plans", patient_id=patient_id)
    patient, standings, balance = plans.staff_plans(actor=_staff(request), patient_id=patient_id)
    return render(request, "portal/staff/plans.html", {
        "patient": patient, "standings": standings, "balance": balance, "form": form,
        "has_open": any(s.status in ("active", "late") for s in standings),
        "can_write": has_perm(_staff(request), Perm.BILLING_WRITE)},
        status=422 if form.errors else 200)


@login_required
@require_POST
def staff_plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plans.staff_plan_end(actor=_staff(request), plan_id=plan_id)
    messages.success(request, _("Payment plan ended: the balance is back on statements."))
    return redirect("portal:staff-plans", patient_id=plan.patient_id)
