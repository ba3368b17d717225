"""Patient account, desk payments, refunds, receipts and the drawer report."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied
from clinicdesk.practice.selectors import locations_for

from . import selectors, services
from .forms import PaymentForm, RefundForm
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
    return render(request, "billing/account.html", {
        "account": statement, "methods": PaymentMethod.choices, "locations": locations,
        "idempotency_key": secrets.token_urlsafe(16)})


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
    location = next((loc for loc in locations if str(loc.pk) == request.GET.get("location")), locations[0])
    day = parse_day(request.GET.get("day"), default=clock.today_in(location.tz))
    mine = request.GET.get("mine") == "1"
    report = selectors.drawer_report(actor=request.user, location=location, day=day,
                                     user_id=request.user.pk if mine else None)
    return render(request, "billing/drawer.html", {"report": report, "locations": locations, "location": location,
                                                   "day": day, "mine": mine})
