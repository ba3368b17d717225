"""Patient account, desk payments, refunds, receipts and the drawer report."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Perm, has_perm, require
from clinicdesk.practice.selectors import locations_for

from . import selectors, services
from .coding import coded_charges
from .forms import AdjustmentForm, ChargeForm, PaymentForm, RefundForm, ReversalForm
from .models import PaymentMethod
from .money import format_money
from .receipts import receipt_pdf


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


@login_required
def account(request: HttpRequest, patient_id: int) -> HttpResponse:
    statement = selectors.patient_account(actor=request.user, patient_id=patient_id)
    locations = list(locations_for(request.user))
    coded = coded_charges([line.entry.pk for line in statement.lines if line.entry.kind == "charge"])
    for line in statement.lines:  # a charge posted from a superbill shows its code and diagnoses
        line.coded = coded.get(line.entry.pk)  # type: ignore[attr-defined]
    return render(request, "billing/account.html", {
        "account": statement,
        "methods": [(v, label) for v, label in PaymentMethod.choices if v != PaymentMethod.ONLINE],
        "locations": locations,
        "idempotency_key": secrets.token_urlsafe(16),
        "can_post": has_perm(request.user, Perm.BILLING_WRITE)})


@login_required
@require_POST
def collect(request: HttpRequest) -> HttpResponse:
    p = request.POST
    default = reverse("billing:account", args=[p.get("patient") or 0]) if (p.get("patient") or "").isdigit() else "/"
    form = PaymentForm(p)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _back(request, default)
    try:
        entry = services.payment_collect(actor=request.user, **form.payment())
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return _back(request, default)
    messages.success(request, _("Payment of %(amount)s recorded, receipt %(number)s.")
                     % {"amount": format_money(-entry.amount), "number": entry.receipt_number})
    return _back(request, default)


@login_required
@require_POST
def refund(request: HttpRequest, entry_id: int) -> HttpResponse:
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _back(request, "/")
    try:
        entry = services.refund_issue(actor=request.user, payment_id=entry_id, amount=form.cleaned_data["amount"],
                                      reason=form.cleaned_data["reason"],
                                      idempotency_key=form.cleaned_data["idempotency_key"] or None)
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return _back(request, "/")
    messages.success(request, _("Refund of %(amount)s recorded.") % {"amount": format_money(entry.amount)})
    return _back(request, reverse("billing:account", args=[entry.patient_id]))


@login_required
def receipt(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.ledger_entry(actor=request.user, entry_id=entry_id)
    if not entry.receipt_number:
        raise NotFound()
    response = HttpResponse(receipt_pdf(entry, services.balance_of(entry.patient_id)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{entry.receipt_number}.pdf"'
    return response


@login_required
@require_POST
def receipt_email(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        services.receipt_email(actor=request.user, entry_id=entry_id)
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Receipt e-mailed to the address on file."))
    return _back(request, "/")


@login_required
def drawer(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for(request.user))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    location = current_location(request, locations) or locations[0]  # the top bar's switcher
    day = parse_day(request.GET.get("day"), default=clock.today_in(location.tz))
    mine = request.GET.get("mine") == "1"
    report = selectors.drawer_report(actor=request.user, location=location, day=day,
                                     user_id=request.user.pk if mine else None)
    return render(request, "billing/drawer.html", {"report": report, "locations": locations, "location": location,
                                                   "day": day, "mine": mine})


# --- charges, adjustments, reversals (billing write) ---------------------------------------------------------

def _apply(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error)


def _ledger_form(request: HttpRequest, patient_id: int, form_class: Any, *, title: Any, intro: Any, submit: Any,
                 post: Callable[[dict[str, Any]], Any], done: Callable[[Any], str]) -> HttpResponse:
    """A charge or an adjustment: the form opens only for those who may post (billing write), on an account
    they may see; a valid POST goes to the service, a refusal comes back on the form (422, nothing written)."""
    require(request.user, Perm.BILLING_WRITE)
    statement = selectors.patient_account(actor=request.user, patient_id=patient_id)
    locations = list(locations_for(request.user))
    home = statement.patient.home_location_id
    initial = {"idempotency_key": secrets.token_urlsafe(16),
               "location": home if any(loc.pk == home for loc in locations) else None}
    form = form_class(request.POST or None, initial=initial, locations=locations)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                entry = post(form.cleaned_data)
            except (ValidationFailed, Conflict) as error:
                _apply(form, error)
                status = error.status
            else:
                messages.success(request, done(entry))
                return redirect("billing:account", patient_id)
    account_url = reverse("billing:account", args=[patient_id])
    return render(request, "config/form.html", {
        "title": _("%(what)s: %(patient)s") % {"what": title, "patient": statement.patient.display_name},
        "intro": intro % {"balance": format_money(statement.balance)}, "form": form, "submit_label": submit,
        "cancel_url": account_url, "history": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def charge_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _ledger_form(
        request, patient_id, ChargeForm, title=_("Post a charge"), submit=_("Post the charge"),
        intro=gettext_lazy("Balance now: %(balance)s. A charge raises what the patient owes."),
        post=lambda data: services.charge_post(
            actor=request.user, patient_id=patient_id, location_id=data["location"], amount=data["amount"],
            description=data["description"], idempotency_key=data["idempotency_key"] or None),
        done=lambda entry: _("Charge of %(amount)s posted.") % {"amount": format_money(entry.amount)})


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _ledger_form(
        request, patient_id, AdjustmentForm, title=_("Adjust the balance"), submit=_("Post the adjustment"),
        intro=gettext_lazy("Balance now: %(balance)s. A negative adjustment lowers what the patient owes."),
        post=lambda data: services.adjustment_post(
            actor=request.user, patient_id=patient_id, location_id=data["location"], amount=data["amount"],
            reason=data["reason"], idempotency_key=data["idempotency_key"] or None),
        done=lambda entry: _("Adjustment of %(amount)s posted.") % {"amount": format_money(entry.amount, signed=True)})


@login_required
@require_http_methods(["GET", "POST"])
def entry_reverse(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Reverse a ledger line: the entry is shown, a reason and a confirmation asked; the service posts the mirror."""
    require(request.user, Perm.BILLING_WRITE)  # as the service: a role without it is refused (403)
    entry = selectors.ledger_entry(actor=request.user, entry_id=entry_id)
    require(request.user, Perm.BILLING_WRITE, location=entry.location_id, hide=True, resource_type="ledgerentry",
            resource_id=entry.pk, patient_id=entry.patient_id)
    form = ReversalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                reversal = services.entry_reverse(actor=request.user, entry_id=entry_id,
                                                  reason=form.cleaned_data["reason"])
            except (ValidationFailed, Conflict) as error:
                _apply(form, error)
                status = error.status
            else:
                messages.success(request, _("%(kind)s of %(amount)s reversed.") % {
                    "kind": entry.get_kind_display(), "amount": format_money(entry.amount, signed=True)})
                return redirect("billing:account", reversal.patient_id)
    when = formats.date_format(entry.created_at.astimezone(entry.location.tz), "DATE_FORMAT")
    intro = _("%(kind)s of %(amount)s on %(day)s (%(description)s), %(patient)s. Nothing is deleted: a reversing "
              "entry for %(opposite)s is posted.") % {
        "kind": entry.get_kind_display(), "amount": format_money(entry.amount, signed=True), "day": when,
        "description": entry.description or "—", "patient": entry.patient.display_name,
        "opposite": format_money(-entry.amount, signed=True)}
    return render(request, "config/form.html", {
        "title": _("Reverse an entry"), "intro": intro, "form": form, "submit_label": _("Reverse the entry"),
        "cancel_url": reverse("billing:account", args=[entry.patient_id]), "history": None}, status=status)
