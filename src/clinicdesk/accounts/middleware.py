from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.core import clock

Handler = Callable[[HttpRequest], HttpResponse]
LAST_SEEN = "clinicdesk_last_seen"
# Requests that refresh a screen by themselves (live boards) send this header; they are not activity.
POLL_HEADER = "X-Clinicdesk-Poll"


def _redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False) or request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class IdleTimeoutMiddleware:
    """Signs a user out after IDLE_TIMEOUT_MINUTES without a request of their own."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                              % {"minutes": settings.IDLE_TIMEOUT_MINUTES})
                return _redirect_to(request, reverse("accounts:login"))
            if not request.headers.get(POLL_HEADER):
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A user with an authenticator must give a code; administrators and compliance officers must
    have one. Until then only the one page that gets them there, sign-out and static files answer:
    code entry for a user with a confirmed authenticator (never enrolment, which would let a password
    alone replace it), enrolment for a user who must have one and has none."""

    always_allowed = ("/accounts/logout/", "/static/", "/jsi18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(self.always_allowed):
            from .services import confirmed_device

            if confirmed_device(user) is not None:
                target = reverse("accounts:two_factor_verify")
            elif user.mfa_required:
                target = reverse("accounts:two_factor_setup")
            else:
                target = ""
            if target and request.path != target:
                return _redirect_to(request, target)
        return self.get_response(request)


class UserLanguageMiddleware:
    """Staff see the language they chose, whatever their browser says."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        response = self.get_response(request)
        return response
