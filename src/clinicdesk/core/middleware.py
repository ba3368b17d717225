from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import hooks, request_context
from .exceptions import DomainError, PermissionDenied
from .problems import problem_response, render_error, wants_json

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """CSP with no inline script, and the headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with patient data must not linger in shared browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class RequestContextMiddleware:
    """Binds the client's address and user agent for the audit trail."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        info = request_context.RequestInfo(
            ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            channel=channel,
        )
        token = request_context.bind(info)
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)


class DomainErrorMiddleware:
    """Every DomainError a view lets through becomes a clear answer, never a 500."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            log_database_error(request, exception)
            return database_unavailable(request)
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, PermissionDenied) and not exception.audited:
            hooks.record_denial(exception)
        return render_error(request, exception)


def log_database_error(request: HttpRequest, exception: Exception) -> None:
    """What an operator needs to tell a restart from a deadlock or a timeout, and nothing more: the driver's
    class and SQLSTATE, the method and the route's name. Never the message (it can quote the statement's values)
    nor the path (it can hold an id)."""
    cause = exception.__cause__ or exception
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) or "-"
    match = getattr(request, "resolver_match", None)
    logger.error("database error answered 503: %s.%s sqlstate=%s %s %s", type(cause).__module__,
                 type(cause).__qualname__, sqlstate, request.method, getattr(match, "view_name", None) or "-")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The database went away mid-request (a restart, a failover): the transaction was rolled back, so
    nothing was saved, and the next request reconnects. Said without touching the database again."""
    title = _("Temporarily unavailable")
    detail = _("The database did not answer. Nothing was saved; please try again in a few seconds.")
    if wants_json(request):
        response: HttpResponse = problem_response(503, {"type": "about:blank", "title": title, "detail": detail})
    else:
        response = HttpResponse(f"<!doctype html><html lang=\"en\"><title>{escape(title)}</title>"
                                f"<h1>{escape(title)}</h1><p>{escape(detail)}</p></html>", status=503)
    response.headers["Retry-After"] = "5"
    return response
