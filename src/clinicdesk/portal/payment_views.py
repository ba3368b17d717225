"""Paying online in the portal (issue #23, item 4): the balance and payments page, the way to the provider's
checkout and back, receipts, a payment plan, and the provider's webhook. Thin over services/payments.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, ValidationFailed

from . import gateway
from .decorators import actor_of, portal_login_required
from .services import payments

PAGE = "portal/pay.html"


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    account = payments.portal_account(actor=actor_of(request))
    response = render(request, PAGE, {"signed_in_nav": True, "nav": "pay", "account": account, "error": error,
                                      "plan_choices": payments.PLAN_CHOICES,
                                      "chosen": request.POST.get("choice", "")}, status=status)
    if origin := gateway.origin():  # "Pay now" is answered by a redirect to the provider's checkout
        response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {origin}")
    return response


@require_http_methods(["GET", "POST"])
@portal_login_required
def pay(request: HttpRequest) -> HttpResponse:
    """GET: what is owed and paid. POST: start paying what was chosen, at the provider's checkout."""
    if request.method == "GET":
        return _page(request)
    try:
        _payment, url = payments.portal_payment_start(
            actor=actor_of(request), choice=request.POST.get("choice", ""), amount=request.POST.get("amount", ""),
            base_url=request.build_absolute_uri("/"), locale=request.LANGUAGE_CODE)
    except ValidationFailed as refusal:
        return _page(request, error=refusal.detail, status=422)
    except DomainError as refusal:
        if refusal.status == 404:
            raise
        return _page(request, error=refusal.detail, status=refusal.status)
    return HttpResponseRedirect(url)


@require_GET
@portal_login_required
def pay_return(request: HttpRequest, reference: str) -> HttpResponse:
    """Back from the provider: paid, or still waiting for the provider's word, or not paid."""
    payment = payments.portal_payment(actor=actor_of(request), reference=reference)
    return render(request, "portal/pay_return.html", {"signed_in_nav": True, "nav": "pay", "payment": payment})


@require_GET
@portal_login_required
def pay_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    _payment, pdf = payments.portal_receipt_pdf(actor=actor_of(request), reference=reference)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{_payment.receipt_number}.pdf"'
    return response


@require_POST
@portal_login_required
def pay_plan(request: HttpRequest) -> HttpResponse:
    try:
        instalments = int(request.POST.get("instalments", ""))
    except ValueError:
        instalments = 0
    try:
        payments.portal_plan_agree(actor=actor_of(request), instalments=instalments)
    except ValidationFailed as refusal:
        return _page(request, error=refusal.detail, status=422)
    messages.success(request, _("Your payment plan is saved. Pay each instalment here by its due date."))
    return redirect("portal:pay")


@csrf_exempt  # the provider's server-to-server call: its signature is the proof, not a cookie
@require_POST
def pay_webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = payments.payment_webhook_receive(
            body=request.body, timestamp=request.headers.get(gateway.TIMESTAMP_HEADER, ""),
            signature=request.headers.get(gateway.SIGNATURE_HEADER, ""), ip=request.META.get("REMOTE_ADDR", ""))
    except payments.WebhookThrottled:
        return HttpResponse("Too many refused requests. Try again later.\n", status=429, content_type="text/plain")
    except payments.WebhookRefused:
        return HttpResponse("Refused: the signature, time or content of this request is not valid.\n", status=400,
                            content_type="text/plain")
    return HttpResponse(f"{outcome}\n", content_type="text/plain")
