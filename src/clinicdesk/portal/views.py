"""The patient portal's pages (issue #23) and its staff screens. Thin: parse, call one service or selector,
render. Patient pages use the portal session (decorators.py); staff pages the staff session."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm

from . import selectors, services
from .actor import COOKIE_NAME
from .decorators import (
    LANGUAGE_COOKIE,
    actor_of,
    delete_session_cookie,
    portal_login_required,
    set_session_cookie,
    visitor_language,
)
from .forms import AnswerForm, BirthDateForm, BookingRuleForm, CodeForm, ContactForm, MessageForm, ProxyForm

SIGN_IN = "portal/sign_in.html"


def _staff(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _visitor(request: HttpRequest) -> str:
    language = visitor_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _no_store(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- sign-in -----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    _visitor(request)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.portal_sign_in_request(contact=form.cleaned_data["contact"])
        except ValidationFailed as error:
            form.add_error("contact", error.detail)
        except DomainError as error:
            return _no_store(render(request, SIGN_IN, {"form": form, "error": error.detail}, status=error.status))
        else:
            if channel == "email":
                return _no_store(render(request, "portal/check_email.html", {}))
            code_form = CodeForm(initial={"contact": form.cleaned_data["contact"]})
            return _no_store(render(request, "portal/enter_code.html", {"form": code_form}))
    return _no_store(render(request, SIGN_IN, {"form": form}, status=422 if form.errors else 200))


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail link: the date of birth, then the portal. Opening it (a mail scanner) does not use it up."""
    language = _visitor(request)
    try:
        usable = services.portal_sign_in_check(token=token)
    except services.TooManyRequests as error:
        return _no_store(render(request, "portal/link_problem.html", {"error": error.detail}, status=error.status))
    if not usable:
        return _no_store(render(request, "portal/link_problem.html", {}, status=404))
    form = BirthDateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signed = services.portal_sign_in_confirm(token=token, birth_date=form.cleaned_data["birth_date"],
                                                     language=language)
        except (ValidationFailed, services.TooManyRequests) as error:
            form.add_error(None, error.detail)
            status = error.status
        else:
            response = redirect("portal:home")
            set_session_cookie(response, signed.key)
            return response
    return _no_store(render(request, "portal/confirm_birth_date.html", {"form": form},
                            status=status if status != 200 else 422 if form.errors else 200))


@require_POST
def code(request: HttpRequest) -> HttpResponse:
    language = _visitor(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            signed = services.portal_sign_in_confirm(contact=form.cleaned_data["contact"],
                                                     code=form.cleaned_data["code"],
                                                     birth_date=form.cleaned_data["birth_date"], language=language)
        except (ValidationFailed, services.TooManyRequests) as error:
            form.add_error(None, error.detail)
            return _no_store(render(request, "portal/enter_code.html", {"form": form}, status=error.status))
        else:
            response = redirect("portal:home")
            set_session_cookie(response, signed.key)
            return response
    return _no_store(render(request, "portal/enter_code.html", {"form": form}, status=422))


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The patient's language, before sign-in (a cookie) and after (their portal session)."""
    chosen = request.POST.get("language", "")
    chosen = chosen if chosen in ("en", "es") else "en"
    found = services.portal_session_resume(key=request.COOKIES.get(COOKIE_NAME, ""))
    if found is not None:
        services.portal_language_set(actor=found[1], language=chosen)
    response = redirect("portal:home" if found is not None else "portal:start")
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="Lax", path="/portal/")
    return response


@require_POST
@portal_login_required
def sign_out(request: HttpRequest) -> HttpResponse:
    services.portal_sign_out(actor=actor_of(request))
    response = redirect("portal:start")
    delete_session_cookie(response)
    messages.info(request, _("You are signed out."))
    return response


# --- the patient's pages ---------------------------------------------------------------------------------
@require_GET
@portal_login_required
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.portal_home(actor=actor_of(request))
    return render(request, "portal/home.html", {"signed_in_nav": True, "nav": "home", "page": page,
                                                "actor": actor_of(request)})


@require_POST
@portal_login_required
def person(request: HttpRequest) -> HttpResponse:
    try:
        patient_id = int(request.POST.get("patient_id", ""))
    except ValueError:
        raise NotFound() from None
    services.portal_subject_choose(actor=actor_of(request), patient_id=patient_id)
    return redirect("portal:home")


@require_GET
@portal_login_required
def book(request: HttpRequest) -> HttpResponse:
    kinds = selectors.portal_bookable_types(actor=actor_of(request))
    return render(request, "portal/book.html", {"signed_in_nav": True, "nav": "book", "kinds": kinds})


@require_http_methods(["GET", "POST"])
@portal_login_required
def book_type(request: HttpRequest, type_id: int) -> HttpResponse:
    actor = actor_of(request)
    error, status = "", 200
    if request.method == "POST":
        try:
            appointment = services.portal_appointment_book(
                actor=actor, appointment_type_id=type_id, option=request.POST.get("option", ""),
                idempotency_key=request.POST.get("idempotency_key", ""))
        except ValidationFailed as refusal:
            error, status = refusal.detail, refusal.status
        except DomainError as refusal:
            if refusal.status == 404:
                raise
            error, status = refusal.detail, refusal.status
        else:
            messages.success(request, _("Your visit is booked. We sent you a confirmation."))
            return redirect("portal:appointment", appointment_id=appointment.pk)
    try:
        options = services.portal_options(actor=actor, appointment_type_id=type_id)
    except services.TooManyRequests as refusal:  # refused too often: a plain message, no times
        options, error, status = [], refusal.detail, refusal.status
    kind = services.bookable_rule(actor, type_id).appointment_type
    return render(request, "portal/options.html", {"signed_in_nav": True, "nav": "book",
        "kind": kind, "options": [(services.option_value(o), o) for o in options], "error": error,
        "idempotency_key": uuid.uuid4().hex}, status=status)


@require_POST
@portal_login_required
def waitlist(request: HttpRequest, type_id: int) -> HttpResponse:
    services.portal_waitlist_join(actor=actor_of(request), appointment_type_id=type_id)
    messages.success(request, _("You are on the waiting list. We will write to you if an earlier time opens."))
    return redirect("portal:home")


@require_GET
@portal_login_required
def appointment(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    item = selectors.portal_appointment(actor=actor, appointment_id=appointment_id)
    options: list = []
    if request.GET.get("move") == "1":
        try:
            options = [(services.option_value(o), o) for o in services.portal_options(
                actor=actor, appointment_type_id=item.appointment_type_id)]
        except NotFound:
            options = []
    return render(request, "portal/appointment.html", {"signed_in_nav": True, "nav": "home", "item": item,
                                                       "options": options,
                                                       "moving": request.GET.get("move") == "1"})


@require_POST
@portal_login_required
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        services.portal_appointment_cancel(actor=actor_of(request), appointment_id=appointment_id)
    except ValidationFailed as refusal:
        messages.error(request, refusal.detail)
        return redirect("portal:appointment", appointment_id=appointment_id)
    messages.success(request, _("Your visit is cancelled."))
    return redirect("portal:home")


@require_POST
@portal_login_required
def appointment_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        services.portal_appointment_reschedule(actor=actor_of(request), appointment_id=appointment_id,
                                               option=request.POST.get("option", ""))
    except ValidationFailed as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, _("Your visit is moved."))
    return redirect("portal:appointment", appointment_id=appointment_id)


@require_http_methods(["GET", "POST"])
@portal_login_required
def message_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = MessageForm(request.POST or None, initial={"idempotency_key": secrets.token_hex(12)})
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_message_send(actor=actor, topic=form.cleaned_data["topic"], body=form.cleaned_data["body"],
                                         idempotency_key=form.cleaned_data["idempotency_key"])
        except ValidationFailed as refusal:
            form.add_error(None, refusal.detail)
        else:
            messages.success(request, _("Your message is sent. We usually answer within two working days."))
            return redirect("portal:messages")
    items = selectors.portal_messages(actor=actor)
    services.portal_messages_mark_read(actor=actor)
    return render(request, "portal/messages.html", {"signed_in_nav": True, "nav": "messages", "form": form,
                                                    "items": items},
                  status=422 if form.errors else 200)


# --- staff screens ---------------------------------------------------------------------------------------
@login_required
@require_GET
def staff_inbox(request: HttpRequest) -> HttpResponse:
    items = selectors.portal_inbox(actor=_staff(request), waiting_only=request.GET.get("all") != "1")
    user = _staff(request)
    return render(request, "portal/staff/inbox.html", {
        "items": items, "can_rules": has_perm(user, Perm.PRACTICE_ADMIN),
        "can_proxies": has_perm(user, Perm.PATIENT_READ)})


@login_required
@require_http_methods(["GET", "POST"])
def staff_message(request: HttpRequest, message_id: int) -> HttpResponse:
    item = selectors.portal_inbox_message(actor=_staff(request), message_id=message_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.portal_message_answer(actor=_staff(request), message_id=message_id, body=form.cleaned_data["body"])
        messages.success(request, _("Answer sent. The patient was told a new message is waiting."))
        return redirect("portal:staff-inbox")
    return render(request, "portal/staff/message.html", {"item": item, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_GET
def staff_booking_rules(request: HttpRequest) -> HttpResponse:
    rows = selectors.booking_rules(actor=_staff(request))
    forms = []
    for kind, rule, practitioners in rows:
        choices = [(p.pk, str(p)) for p in practitioners]
        initial = {"bookable": rule.bookable, "who": rule.who, "max_days_ahead": rule.max_days_ahead,
                   "min_notice_hours": rule.min_notice_hours, "max_open_bookings": rule.max_open_bookings,
                   "practitioner_ids": [p.pk for p in rule.practitioners.all()]} if rule else {
            "who": "anyone", "max_days_ahead": 60, "min_notice_hours": 24, "max_open_bookings": 2}
        forms.append((kind, rule, BookingRuleForm(initial=initial, practitioners=choices, prefix=f"t{kind.pk}")))
    return render(request, "portal/staff/booking_rules.html", {"rows": forms})


@login_required
@require_POST
def staff_booking_rule_save(request: HttpRequest, type_id: int) -> HttpResponse:
    form = BookingRuleForm(request.POST, prefix=f"t{type_id}",
                           practitioners=[(int(v), v) for v in request.POST.getlist(f"t{type_id}-practitioner_ids")
                                          if v.isdigit()])
    if not form.is_valid():
        messages.error(request, _("Check the values: %(fields)s") % {"fields": ", ".join(form.errors)})
        return redirect("portal:staff-booking-rules")
    services.booking_rule_save(actor=_staff(request), appointment_type_id=type_id, **form.cleaned_data)
    messages.success(request, _("Online booking rule saved."))
    return redirect("portal:staff-booking-rules")


@login_required
@require_http_methods(["GET", "POST"])
def staff_proxies(request: HttpRequest) -> HttpResponse:
    form = ProxyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found: dict[str, Any] = {}
        for field in ("proxy_mrn", "dependent_mrn"):
            patient = selectors.proxy_patient_by_mrn(actor=_staff(request), mrn=data[field])
            if patient is None:
                form.add_error(field, _("No patient with this MRN."))
            found[field] = patient
        if not form.errors:
            try:
                services.proxy_authorize(actor=_staff(request), proxy_id=found["proxy_mrn"].pk,
                                         dependent_id=found["dependent_mrn"].pk, kind=data["kind"],
                                         valid_from=data["valid_from"], valid_to=data["valid_to"],
                                         note=data["note"])
            except ValidationFailed as refusal:
                form.add_error(None, refusal.detail)
            else:
                messages.success(request, _("Proxy authorization recorded."))
                return redirect("portal:staff-proxies")
    items = selectors.proxy_authorizations(actor=_staff(request))
    return render(request, "portal/staff/proxies.html", {"form": form, "items": items},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def staff_proxy_revoke(request: HttpRequest, authorization_id: int) -> HttpResponse:
    services.proxy_revoke(actor=_staff(request), authorization_id=authorization_id)
    messages.success(request, _("Proxy authorization revoked."))
    return redirect("portal:staff-proxies")
