"""Django's own 400/403/404/500 answers, in the same two faces as DomainError."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .problems import render_status


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render_status(request, 400, _("Bad request"), _("The request could not be understood."))


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render_status(request, 403, _("Not allowed"), _("You do not have permission to do that."))


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render_status(request, 404, _("Not found"), _("There is nothing at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    return render_status(request, 500, _("Something went wrong"),
                         _("The error was logged. Nothing was saved half way; please try again."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render_status(request, 403, _("Form expired"),
                         _("This form expired or came from another site. Reload the page and try again."))
