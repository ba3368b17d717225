"""Pages of intake before the visit, the desk's review of it, and the waiting-room kiosk (issue #23, items 3
and 5). Thin: parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm

from . import intake_selectors
from .decorators import LANGUAGE_COOKIE, actor_of, portal_login_required, visitor_language
from .intake_forms import DetailsForm, HistoryForm, InsuranceForm, KioskFindForm, ReviewForm, SignForm
from .services import intake, kiosk


def _back(request: HttpRequest, error: ValidationFailed) -> HttpResponse:
    messages.error(request, error.detail)
    return redirect("portal:intake")


# --- the patient's intake -------------------------------------------------------------------------------
@require_GET
@portal_login_required
def intake_page(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "en"
    page = intake_selectors.portal_intake_page(actor=actor_of(request), language=language[:2])
    return render(request, "portal/intake.html", {
        "signed_in_nav": True, "nav": "intake", "page": page,
        "details": DetailsForm.of(page.patient),
        "insurance": InsuranceForm(payers=page.payers, initial={
            "payer_id": page.coverage.payer_id if page.coverage else "",
            "member_id": page.coverage.member_id if page.coverage else "",
            "group_number": page.coverage.group_number if page.coverage else "",
            "plan_name": page.coverage.plan_name if page.coverage else ""}),
        "history": HistoryForm(initial=page.history),
        "forms": [(t, page.pending.get(f"form:{t.pk}"), SignForm(prefix=f"f{t.pk}")) for t in page.forms]})


@require_POST
@portal_login_required
def intake_details(request: HttpRequest) -> HttpResponse:
    form = DetailsForm(request.POST)
    form.is_valid()
    try:
        done = intake.intake_details_submit(actor=actor_of(request), values=form.cleaned_data)
    except ValidationFailed as error:
        return _back(request, error)
    messages.success(request, _("Thank you. The practice will check your changes before your visit.") if done
                     else _("Nothing changed."))
    return redirect("portal:intake")


@require_POST
@portal_login_required
def intake_insurance(request: HttpRequest) -> HttpResponse:
    try:
        intake.intake_insurance_submit(
            actor=actor_of(request), payer_id=request.POST.get("payer_id", ""),
            member_id=request.POST.get("member_id", ""), group_number=request.POST.get("group_number", ""),
            plan_name=request.POST.get("plan_name", ""), card_front=request.FILES.get("card_front"),
            card_back=request.FILES.get("card_back"))
    except ValidationFailed as error:
        return _back(request, error)
    messages.success(request, _("Thank you. The practice will check your insurance before your visit."))
    return redirect("portal:intake")


@require_POST
@portal_login_required
def intake_history(request: HttpRequest) -> HttpResponse:
    form = HistoryForm(request.POST)
    form.is_valid()
    data = {name: form.cleaned_data.get(name, "") for name in ("problems", "medications", "allergies")}
    try:
        intake.intake_history_submit(actor=actor_of(request), **data)
    except ValidationFailed as error:
        return _back(request, error)
    messages.success(request, _("Thank you. Your provider will go over your history with you."))
    return redirect("portal:intake")


@require_POST
@portal_login_required
def intake_sign(request: HttpRequest, template_id: int) -> HttpResponse:
    form = SignForm(request.POST, prefix=f"f{template_id}")
    form.is_valid()
    try:
        intake.intake_form_sign(actor=actor_of(request), template_id=template_id,
                                typed_name=form.cleaned_data.get("typed_name", ""),
                                agree=bool(form.cleaned_data.get("agree")))
    except ValidationFailed as error:
        return _back(request, error)
    messages.success(request, _("Thank you. The form is signed."))
    return redirect("portal:intake")


# --- the desk's review -----------------------------------------------------------------------------------
def _staff(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


@login_required
@require_GET
def staff_intake(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/staff/intake.html", {"items": intake_selectors.intake_queue(actor=_staff(request))})


@login_required
@require_http_methods(["GET", "POST"])
def staff_intake_review(request: HttpRequest, submission_id: int) -> HttpResponse:
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = intake.intake_accept if form.cleaned_data["decision"] == "accept" else intake.intake_reject
        try:
            action(actor=_staff(request), submission_id=submission_id, note=form.cleaned_data["note"])
        except ValidationFailed as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Accepted into the chart.") if form.cleaned_data["decision"] == "accept"
                             else _("Not accepted; the chart is unchanged."))
            return redirect("portal:staff-intake")
    review = intake_selectors.intake_review(actor=_staff(request), submission_id=submission_id)
    return render(request, "portal/staff/intake_review.html", {"review": review, "form": form},
                  status=422 if form.errors else 200)


# --- the kiosk ---------------------------------------------------------------------------------------------
def _kiosk_context(request: HttpRequest, location_id: int, **extra: Any) -> dict[str, Any]:
    return {"location_id": location_id, "idle_seconds": kiosk.idle_seconds(), "kiosk": True, **extra}


def _kiosk_render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    language = visitor_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response = render(request, template, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _device(request: HttpRequest, location_id: int) -> Any:
    return kiosk.kiosk_device(key=request.COOKIES.get(kiosk.KIOSK_COOKIE, ""), location_id=location_id)


@require_http_methods(["GET", "POST"])
def kiosk_start(request: HttpRequest, location_id: int) -> HttpResponse:
    device = _device(request, location_id)
    if device is None:
        user = request.user
        may_enable = has_perm(cast(Actor, user), Perm.FRONTDESK, location=location_id) if getattr(
            user, "is_authenticated", False) else False
        return _kiosk_render(request, "portal/kiosk_off.html", _kiosk_context(request, location_id,
                                                                              may_enable=may_enable), status=403)
    if request.method == "GET":
        kiosk.kiosk_visit_end(device=device)  # the start screen: nobody's visit stays open behind it
    form = KioskFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = kiosk.kiosk_find(device=device, family_name=form.cleaned_data["family_name"],
                                     birth_date=form.cleaned_data["birth_date"], code=form.cleaned_data["code"])
        except ValidationFailed as error:
            form.add_error(None, error.detail)
        except DomainError as error:
            return _kiosk_render(request, "portal/kiosk_find.html", _kiosk_context(
                request, location_id, form=KioskFindForm(), error=error.detail), status=error.status)
        else:
            return _kiosk_visit(request, device, token)
    return _kiosk_render(request, "portal/kiosk_find.html", _kiosk_context(request, location_id, form=form),
                         status=422 if form.errors else 200)


def _kiosk_visit(request: HttpRequest, device: Any, token: str, status: int = 200, error: str = "",
                 data: Any = None) -> HttpResponse:
    language = visitor_language(request)
    visit = kiosk.kiosk_visit(device=device, token=token, language=language)
    return _kiosk_render(request, "portal/kiosk_visit.html", _kiosk_context(
        request, device.location_id, visit=visit, token=token, error=error,
        details=DetailsForm.of(visit.patient, data, prefix="d"),
        forms=[(t, SignForm(data, prefix=f"f{t.pk}")) for t in visit.forms]), status=status)


@require_POST
def kiosk_check_in(request: HttpRequest, location_id: int) -> HttpResponse:
    device = _device(request, location_id)
    if device is None:
        raise NotFound()
    token = request.POST.get("token", "")
    details = DetailsForm(request.POST, prefix="d")
    details.is_valid()
    signatures = []
    for key in request.POST:
        if key.startswith("f") and key.endswith("-typed_name") and key[1:-11].isdigit():
            name = request.POST.get(key, "").strip()
            if name and request.POST.get(f"f{key[1:-11]}-agree"):
                signatures.append((int(key[1:-11]), name))
    try:
        visit = kiosk.kiosk_check_in(device=device, token=token, details=details.cleaned_data,
                                     insurance={"payer_id": request.POST.get("payer_id", ""),
                                                "member_id": request.POST.get("member_id", "")},
                                     signatures=signatures)
    except ValidationFailed as error:
        return _kiosk_visit(request, device, token, status=422, error=error.detail, data=request.POST)
    except NotFound:
        messages.info(request, _("Your time ran out. Please start again."))
        return redirect("portal:kiosk", location_id=location_id)
    return _kiosk_render(request, "portal/kiosk_done.html", _kiosk_context(request, location_id, visit=visit))


@require_POST
def kiosk_alive(request: HttpRequest, location_id: int) -> HttpResponse:
    """The kiosk page's sign of life while the patient touches it (static/portal/kiosk.js): 204, or 404 when the
    visit has ended (the page then goes back to the start screen)."""
    device = _device(request, location_id)
    if device is None:
        raise NotFound()
    kiosk.kiosk_keep_alive(device=device, token=request.POST.get("token", ""))
    return HttpResponse(status=204)


@require_POST
def kiosk_enable(request: HttpRequest, location_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise NotFound()
    key = kiosk.kiosk_enable(actor=_staff(request), location_id=location_id)
    messages.success(request, _("Kiosk mode is on for this device. Patients can check in now."))
    response = redirect("portal:kiosk", location_id=location_id)
    response.set_cookie(kiosk.KIOSK_COOKIE, key, max_age=365 * 86400, httponly=True, samesite="Strict",
                        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)), path="/portal/kiosk/")
    return response


@require_POST
def kiosk_language(request: HttpRequest, location_id: int) -> HttpResponse:
    chosen = request.POST.get("language", "")
    response = redirect("portal:kiosk", location_id=location_id)
    response.set_cookie(LANGUAGE_COOKIE, chosen if chosen in ("en", "es") else "en", max_age=365 * 86400,
                        samesite="Lax", path="/portal/")
    return response
