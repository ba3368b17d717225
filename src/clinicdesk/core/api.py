"""Small JSON API helpers: session or token auth is checked by the caller; errors are problem details."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from . import openapi
from .problems import problem_response


def api_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return problem_response(401, {"type": "about:blank", "title": "Not signed in",
                                          "detail": "Sign in first."})
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The API's OpenAPI document; public, like FHIR's /metadata (it describes, it holds no data)."""
    return JsonResponse(openapi.document())
