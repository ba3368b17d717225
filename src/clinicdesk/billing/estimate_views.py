"""Estimates on the patient's billing pages (#19 item 10): the patient's estimates with the form to make one for an
upcoming visit (or a date), one estimate with its lines, assumptions and notices, signing it or marking it
received, and its PDF. Thin: one service or selector each; a refusal comes back as a message (post, redirect)."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied
from clinicdesk.practice.selectors import locations_for

from . import estimate_selectors
from .estimate_models import EstimateKind, EstimateStatus, SignatureMethod
from .money import format_money
from .services import estimates

LINE_ROWS = 6


class EstimateForm(forms.Form):
    appointment = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    location = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    service_date = forms.DateField(required=False)
    self_pay = forms.BooleanField(required=False)
    language = forms.ChoiceField(choices=[("", ""), ("en", "English"), ("es", "Español")], required=False)
    diagnoses = forms.CharField(required=False, max_length=200)
    idempotency_key = forms.CharField(max_length=64)

    def lines(self, data: dict[str, str]) -> list[estimates.EstimateLine]:
        out = []
        for n in range(1, LINE_ROWS + 1):
            code = (data.get(f"code_{n}") or "").strip()
            if not code:
                continue
            units = (data.get(f"units_{n}") or "1").strip()
            out.append(estimates.EstimateLine(code[:5], (data.get(f"modifiers_{n}") or "")[:11],
                                              int(units) if units.isdigit() and len(units) < 4 else 0))
        return out


class SignForm(forms.Form):
    method = forms.ChoiceField(choices=SignatureMethod.choices, label=gettext_lazy("How"))
    signed_name = forms.CharField(required=False, max_length=120, label=gettext_lazy("Name as signed"))


@login_required
@require_GET
def patient_estimates(request: HttpRequest, patient_id: int) -> HttpResponse:
    found = estimate_selectors.patient_estimates(actor=request.user, patient_id=patient_id)
    return render(request, "billing/estimates/patient.html", {
        "found": found, "patient": found.patient, "idempotency_key": secrets.token_urlsafe(16),
        "rows": range(1, LINE_ROWS + 1), "locations": list(locations_for(request.user))})


@login_required
@require_POST
def estimate_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = EstimateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the estimate's fields: a date as YYYY-MM-DD, a visit from the list."))
        return redirect("billing:estimates", patient_id)
    data = form.cleaned_data
    try:
        made = estimates.estimate_create(
            actor=request.user, patient_id=patient_id, appointment_id=data["appointment"],
            location_id=data["location"],
            service_date=data["service_date"], self_pay=data["self_pay"], language=data["language"],
            diagnoses=[d for d in data["diagnoses"].replace(";", ",").split(",") if d.strip()],
            lines=form.lines(request.POST), idempotency_key=data["idempotency_key"])
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("billing:estimates", patient_id)
    messages.success(request, _("%(kind)s %(number)s made: the patient pays about %(amount)s.")
                     % {"kind": EstimateKind(made.kind).label, "number": made.number,
                        "amount": format_money(made.patient_total)})
    return redirect("billing:estimate", made.pk)


@login_required
@require_GET
def estimate(request: HttpRequest, estimate_id: int) -> HttpResponse:
    found = estimate_selectors.estimate_detail(actor=request.user, estimate_id=estimate_id)
    return render(request, "billing/estimates/detail.html", {
        "estimate": found, "words": estimate_selectors.estimate_words(found), "sign_form": SignForm(),
        "gfe": found.kind == EstimateKind.GOOD_FAITH, "issued": found.status == EstimateStatus.ISSUED})


@login_required
@require_POST
def estimate_sign(request: HttpRequest, estimate_id: int) -> HttpResponse:
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose signed or received."))
        return redirect("billing:estimate", estimate_id)
    try:
        done = estimates.estimate_sign(actor=request.user, estimate_id=estimate_id,
                                       method=form.cleaned_data["method"],
                                       signed_name=form.cleaned_data["signed_name"])
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("billing:estimate", estimate_id)
    messages.success(request, _("Estimate %(number)s: %(status)s. The signed copy is on the chart.")
                     % {"number": done.number, "status": EstimateStatus(done.status).label})
    return redirect("billing:estimate", done.pk)


@login_required
@require_GET
def estimate_pdf(request: HttpRequest, estimate_id: int) -> HttpResponse:
    data, name = estimate_selectors.estimate_file(actor=request.user, estimate_id=estimate_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
