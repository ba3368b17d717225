"""Statements and patient balances (#19 item 8): the statement cycle (preview, run, settings, the print queue), a
patient's balance page (statements, collections hold, credit refunds, disputes, payment plans). Thin: one service
or selector each; a refusal comes back as a message on the page it came from."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Perm, has_perm
from clinicdesk.practice.selectors import locations_for

from . import services, statement_selectors
from .money import format_money
from .statement_forms import CycleForm, ReasonForm, RefundRequestForm, SettingsForm
from .statement_pdf import bucket_labels

REFUSALS = (ValidationFailed, Conflict, InvalidTransition)


@login_required
@require_http_methods(["GET", "POST"])
def cycle(request: HttpRequest) -> HttpResponse:
    """GET: the preview of the cycle for a date (who gets a statement, who is skipped and why). POST: run it."""
    form = CycleForm(request.POST if request.method == "POST" else request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    as_of = data.get("as_of") or clock.now().date()
    location_id = data.get("location")
    if request.method == "POST":
        try:
            result = services.statement_cycle_run(actor=request.user, as_of=as_of, location_id=location_id)
        except REFUSALS as error:
            messages.error(request, error.detail)
            return redirect("billing:statements")
        messages.success(request, _("%(count)s statements made.") % {"count": len(result.created)})
        return redirect("billing:statements")
    try:
        plan = services.statement_cycle_preview(actor=request.user, as_of=as_of, location_id=location_id)
    except ValidationFailed as error:
        messages.error(request, error.detail)
        as_of = clock.now().date()
        plan = services.statement_cycle_preview(actor=request.user, as_of=as_of, location_id=location_id)
    return render(request, "billing/statements/cycle.html", {
        "plan": plan, "as_of": as_of, "location_id": location_id, "locations": locations_for(request.user),
        "settings": services.statement_settings(), "settings_form": SettingsForm(),
        "queue": statement_selectors.print_queue(actor=request.user), "bucket_labels": bucket_labels(),
        "refunds": statement_selectors.refunds_waiting(actor=request.user),
        "can_approve": has_perm(request.user, Perm.BILLING_APPROVE)})


@login_required
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("billing:statements")
    try:
        services.statement_settings_update(actor=request.user, **form.cleaned_data)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:statements")
    messages.success(request, _("Statement settings saved."))
    return redirect("billing:statements")


@login_required
@require_GET
def balance(request: HttpRequest, patient_id: int) -> HttpResponse:
    page = statement_selectors.balance_page(actor=request.user, patient_id=patient_id)
    entry = request.GET.get("entry", "")
    return render(request, "billing/statements/balance.html", {
        "page": page, "can_write": has_perm(request.user, Perm.BILLING_WRITE),
        "can_dispute": has_perm(request.user, Perm.BILLING_WRITE) or has_perm(request.user, Perm.FRONTDESK),
        "can_approve": has_perm(request.user, Perm.BILLING_APPROVE),
        "chosen_entry": int(entry) if entry.isdigit() and len(entry) < 12 else None,
        "idempotency_key": secrets.token_urlsafe(16), "bucket_labels": bucket_labels()})


def _to_balance(patient_id: int) -> HttpResponse:
    return redirect("billing:balance", patient_id=patient_id)


@login_required
@require_POST
def statement_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    try:
        statement = services.statement_create(actor=request.user, patient_id=patient_id)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return _to_balance(patient_id)
    messages.success(request, _("Statement made: %(how)s.") % {"how": statement.get_delivery_display()})
    return _to_balance(patient_id)


@login_required
@require_GET
def statement_pdf(request: HttpRequest, statement_id: int) -> FileResponse:
    statement, handle = statement_selectors.statement_file(actor=request.user, statement_id=statement_id)
    return FileResponse(handle, content_type="application/pdf", filename=f"statement-{statement.pk}.pdf")


@login_required
@require_POST
def statement_printed(request: HttpRequest, statement_id: int) -> HttpResponse:
    services.statement_mark_printed(actor=request.user, statement_id=statement_id)
    messages.success(request, _("Marked as printed."))
    return redirect("billing:statements")


@login_required
@require_POST
def hold_place(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _to_balance(patient_id)
    try:
        services.collections_hold_place(actor=request.user, patient_id=patient_id, reason=form.cleaned_data["reason"])
    except REFUSALS as error:
        messages.error(request, error.detail)
        return _to_balance(patient_id)
    messages.success(request, _("Collections hold placed: no statements until it is released."))
    return _to_balance(patient_id)


@login_required
@require_POST
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    try:
        hold = services.collections_hold_release(actor=request.user, hold_id=hold_id)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:statements")
    messages.success(request, _("Collections hold released."))
    return _to_balance(hold.patient_id)


@login_required
@require_POST
def refund_request(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = RefundRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _to_balance(patient_id)
    data = form.cleaned_data
    try:
        refund = services.credit_refund_request(actor=request.user, patient_id=patient_id, amount=data["amount"],
                                                reason=data["reason"], idempotency_key=data["idempotency_key"])
    except REFUSALS as error:
        messages.error(request, error.detail)
        return _to_balance(patient_id)
    messages.success(request, _("Refund of %(amount)s requested: it waits for approval.")
                     % {"amount": format_money(refund.amount)})
    return _to_balance(patient_id)


@login_required
@require_GET
def refund_queue(request: HttpRequest) -> HttpResponse:
    """The approver's queue: credit refunds waiting for approval, each approved or declined in place."""
    return render(request, "billing/statements/refunds.html", {
        "rows": statement_selectors.refund_approval_queue(actor=request.user)})


@login_required
@require_POST
def refund_decide(request: HttpRequest, refund_id: int, action: str) -> HttpResponse:
    """Approve or decline from the balance page, the statements page or the approver's queue (`back=queue`: the
    answer comes back to the queue)."""
    from_queue = request.POST.get("back") == "queue"
    decide = services.credit_refund_approve if action == "approve" else services.credit_refund_decline
    try:
        refund = decide(actor=request.user, refund_id=refund_id)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:refunds" if from_queue else "billing:statements")
    except PermissionDenied as error:
        if error.code != "own-refund":
            raise
        messages.error(request, error.detail)  # asked by this user: someone else approves it, nothing posted
        return redirect("billing:refunds") if from_queue else _to_balance(error.patient_id)
    if action == "approve":
        messages.success(request, _("Refund of %(amount)s approved and posted.")
                         % {"amount": format_money(refund.amount)})
    else:
        messages.success(request, _("Refund declined."))
    return redirect("billing:refunds") if from_queue else _to_balance(refund.patient_id)
