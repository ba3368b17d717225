from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError

from . import selectors, services
from .webhook_auth import webhook_allowed


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """A patient's confirm/cancel page, in the patient's language (a bad link: in the browser's). GET only
    shows the choice (mail scanners open links); the POST does it."""
    try:
        page = selectors.answer_page(token=token)
    except DomainError as error:
        return render(request, "comms/answer.html", {"error": error.detail}, status=404)
    with translation.override(page.language):
        context: dict[str, object] = {"token": token, "page": page}
        status = 200
        if request.method == "POST":
            choice = request.POST.get("answer", "")
            try:
                services.appointment_answer(token=token, answer=choice)
                context["done"] = choice
            except DomainError as error:
                context["error"], status = error.detail, error.status
        response = render(request, "comms/answer.html", context, status=status)
    response.headers["Content-Language"] = page.language
    return response


@csrf_exempt  # RFC 8058 one-click: the mail provider POSTs "List-Unsubscribe=One-Click" with no cookie or form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A patient's unsubscribe link, in their language: GET asks (mail scanners open links), POST stops e-mails for
    the link's purpose (consent.contact_refusal holds from then on). The signed token is the proof, so the POST
    needs no CSRF token: a mail provider's one-click unsubscribe (List-Unsubscribe-Post) posts it directly."""
    try:
        language, purpose = services.unsubscribe_language(token=token)
    except DomainError as error:
        return render(request, "comms/unsubscribe.html", {"error": error.detail}, status=404)
    with translation.override(language):
        context: dict[str, object] = {"token": token, "purpose": purpose}
        if request.method == "POST":
            services.email_unsubscribe(token=token)
            context["done"] = True
        response = render(request, "comms/unsubscribe.html", context)
    response.headers["Content-Language"] = language
    return response


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    if not webhook_allowed(request):
        return JsonResponse({"detail": "forbidden"}, status=403)
    outcome = services.sms_reply_receive(from_number=request.POST.get("From", ""), body=request.POST.get("Body", ""))
    return JsonResponse({"outcome": outcome})


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    if not webhook_allowed(request):
        return JsonResponse({"detail": "forbidden"}, status=403)
    services.delivery_report_receive(provider_id=request.POST.get("MessageSid", ""),
                                     provider_status=request.POST.get("MessageStatus", ""),
                                     detail=request.POST.get("ErrorCode", ""))
    return HttpResponse(status=204)


@login_required
def outbox(request: HttpRequest, patient_id: int) -> HttpResponse:
    rows = selectors.outbox_for_patient(actor=request.user, patient_id=patient_id)
    return render(request, "comms/outbox.html", {"rows": rows, "patient_id": patient_id})


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    return render(request, "comms/worklist.html",
                  {"rows": selectors.messages_needing_attention(actor=request.user)})


@login_required
@require_POST
def resend(request: HttpRequest, message_id: int) -> HttpResponse:
    copy = services.message_resend(actor=request.user, message_id=message_id)
    flash.success(request, _("Message queued again."))
    return redirect("comms:outbox", patient_id=copy.patient_id)
