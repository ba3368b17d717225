"""First run: while the install has no staff user, every page leads to the first-run page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from clinicdesk.practice.selectors import practice_settings

from .selectors import first_run_needed

Handler = Callable[[HttpRequest], HttpResponse]

# Not pages a person opens, or pages that must answer anyway: machines' endpoints (JSON API, FHIR, OAuth, SMS
# hooks), a patient's answer links, assets, health checks.
EXEMPT = ("/setup/start/", "/static/", "/jsi18n/", "/healthz", "/favicon.ico", "/api/", "/fhir/", "/o/",
          "/.well-known/", "/hooks/", "/r/")


class FirstRunMiddleware:
    """An anonymous request for a page, on a database without any staff user, is sent to setup:first_run.
    Signed-in requests are never checked (someone signed in means a user exists), so this costs one small query
    on anonymous page requests only."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (not request.user.is_authenticated and request.method in ("GET", "HEAD")
                and not request.path.startswith(EXEMPT) and first_run_needed()):
            return redirect(reverse("setup:first_run"))
        return self.get_response(request)


def _browser_chose(request: HttpRequest) -> bool:
    """The visitor asked for a language we have: the language cookie, or their browser's Accept-Language."""
    known = {code for code, _label in settings.LANGUAGES}
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")[:2] in known:
        return True
    header = request.headers.get("Accept-Language", "")
    return any(code.split("-")[0].lower() in known for code, _q in parse_accept_lang_header(header) if code != "*")


class PracticeLanguageMiddleware:
    """Pages seen before signing in (sign-in, first run, a patient's pages) are in the practice's default language
    (practice settings) unless the visitor's browser asks for one we have. Signed-in staff see their own language
    (accounts.middleware.UserLanguageMiddleware)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (not request.user.is_authenticated and not request.path.startswith(EXEMPT[1:])
                and not _browser_chose(request)):
            language = practice_settings().default_language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
