"""Billing disputes (#19 item 9): the worklist (open, by due date; or closed), opening one from a ledger line or the
balance page, one dispute's page with the response form, and the response letter (PDF on the chart)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.l10n import known_language
from clinicdesk.core.permissions import Perm, has_perm

from . import services, statement_selectors
from .models import DisputeStatus
from .statement_forms import DisputeCloseForm, DisputeForm

REFUSALS = (ValidationFailed, Conflict, InvalidTransition)


@login_required
@require_GET
def disputes(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", DisputeStatus.OPEN)
    if status not in DisputeStatus.values:
        status = DisputeStatus.OPEN
    rows = statement_selectors.disputes_worklist(actor=request.user, status=status)
    tabs = [{"label": label, "url": f"?status={value}", "current": status == value}
            for value, label in DisputeStatus.choices]
    return render(request, "billing/disputes/worklist.html", {"rows": rows, "tabs": tabs,
                                                              "today": clock.now().date()})


@login_required
@require_POST
def dispute_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("billing:balance", patient_id=patient_id)
    data = form.cleaned_data
    try:
        dispute = services.dispute_open(actor=request.user, patient_id=patient_id, reason=data["reason"],
                                        amount=data["amount"], entry_id=data["entry"])
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:balance", patient_id=patient_id)
    messages.success(request, _("Dispute recorded: statements for this balance are held until it is answered."))
    return redirect("billing:dispute", dispute_id=dispute.pk)


@login_required
@require_http_methods(["GET", "POST"])
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    found = statement_selectors.dispute_detail(actor=request.user, dispute_id=dispute_id)
    form = DisputeCloseForm(request.POST or None,
                            initial={"language": known_language(found.patient.preferred_language)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dispute_close(actor=request.user, dispute_id=found.pk, outcome=data["outcome"],
                                   response=data["response"], language=data["language"])
        except REFUSALS as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Dispute answered: the letter is on the chart."))
            return redirect("billing:dispute", dispute_id=found.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "billing/disputes/detail.html", {
        "dispute": found, "form": form,
        "can_close": has_perm(request.user, Perm.BILLING_WRITE, location=found.location_id)}, status=status)


@login_required
@require_GET
def dispute_letter(request: HttpRequest, dispute_id: int) -> FileResponse:
    found, handle = statement_selectors.dispute_letter_file(actor=request.user, dispute_id=dispute_id)
    return FileResponse(handle, content_type="application/pdf", filename=f"dispute-{found.pk}-letter.pdf")
