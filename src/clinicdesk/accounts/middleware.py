from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


# The time of the last request is written to the session at most this often: a session that changes is saved (a
# database UPDATE and a cache write, two commits) at the end of the request, and writing the time on every request
# made every request pay that (issue #16, "fixed costs per request"). The cost: a user can be signed out up to this
# much before IDLE_TIMEOUT_MINUTES of real idleness, never after.
LAST_SEEN_RESOLUTION_SECONDS = 60


def record_sign_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_in: signing in is the first activity the idle time-out counts from. The session is saved with
    the sign-in anyway, so the requests of the next minute save nothing (AccountsConfig.ready connects it)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = clock.now().timestamp()


class IdleTimeoutMiddleware:
    """Signs a user out after IDLE_TIMEOUT_MINUTES without a request of their own (counted from the last request
    recorded, which is at most LAST_SEEN_RESOLUTION_SECONDS older than the last request)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            recorded = request.session.get(LAST_SEEN)
            last_seen = now if recorded is None else recorded
            if now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                              % {"minutes": settings.IDLE_TIMEOUT_MINUTES})
                return _redirect_to(request, reverse("accounts:login"))
            stale = recorded is None or now - recorded >= LAST_SEEN_RESOLUTION_SECONDS
            if stale and not request.headers.get(POLL_HEADER):
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """The steps a sign-in must finish before anything else answers. First the second factor: a user with an
    authenticator must give a code; a user who must have one (MFA_REQUIRED_ROLES, or an administrator's
    "two-factor required") and has none must enrol. Then the password: a user who signed in with a temporary
    password (an administrator's reset) must choose a new one. Until then only the one page that gets them
    there, sign-out and static files answer: code entry for a user with a confirmed authenticator (never
    enrolment, which would let a password alone replace it), enrolment, then the password change."""

    always_allowed = ("/accounts/logout/", "/static/", "/jsi18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.always_allowed):
            target = self._next_step(user)
            if target and request.path != target:
                return _redirect_to(request, target)
        return self.get_response(request)

    @staticmethod
    def _next_step(user: Any) -> str:
        if not user.is_verified():
            from .services import confirmed_device

            if confirmed_device(user) is not None:
                return reverse("accounts:two_factor_verify")
            if user.mfa_required:
                return reverse("accounts:two_factor_setup")
        if user.password_must_change:
            return reverse("accounts:password_change")
        return ""


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
