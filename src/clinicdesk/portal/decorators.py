"""The portal's own session: a signed-in patient is found by the portal cookie alone, never by the staff session
(a staff user signed in on the same browser gets no portal data, and a portal session opens no staff page)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from .actor import COOKIE_NAME, IDLE_MINUTES, PatientActor
from .services import portal_session_resume

LANGUAGE_COOKIE = "clinicdesk_portal_lang"
POLL_HEADER = "X-Clinicdesk-Poll"


# The portal's pages (/portal/) and its JSON API (/api/v1/portal/) read the same cookie; no staff page reads it.
def set_session_cookie(response: HttpResponse, key: str) -> None:
    response.set_cookie(COOKIE_NAME, key, max_age=12 * 3600, httponly=True, samesite="Lax",
                        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)), path="/")


def delete_session_cookie(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, path="/")


def visitor_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in ("en", "es") else (translation.get_language() or "en")[:2]


def portal_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.COOKIES.get(COOKIE_NAME, "")
        found = portal_session_resume(key=key, activity=not request.headers.get(POLL_HEADER))
        if found is None:
            language = visitor_language(request)
            translation.activate(language)
            if key:
                messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                              % {"minutes": IDLE_MINUTES})
            response: HttpResponse = redirect("portal:start")
            if key:
                delete_session_cookie(response)
            return response
        session, actor = found
        translation.activate(session.language)
        request.LANGUAGE_CODE = session.language
        request.portal_actor = actor  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", session.language)
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def actor_of(request: HttpRequest) -> PatientActor:
    actor = getattr(request, "portal_actor", None)
    assert isinstance(actor, PatientActor)
    return actor
