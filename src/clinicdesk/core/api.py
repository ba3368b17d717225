"""Small JSON API helpers: session or token auth is checked by the caller; errors are problem details.

Every JSON API view reads its body with `json_body`: the one place that decides which content types the API
takes (application/json, as core/openapi.py documents) and answers 415 to anything else."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import openapi
from .exceptions import UnsupportedMediaType, ValidationFailed
from .permissions import Actor
from .problems import problem_response

JSON_MEDIA_TYPE = "application/json"
T = TypeVar("T")


def api_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return problem_response(401, {"type": "about:blank", "title": "Not signed in",
                                          "detail": "Sign in first."})
        return view(request, *args, **kwargs)

    return wrapper


def api_actor(request: HttpRequest) -> Actor:
    """The signed-in user as the services' `actor` (the view is behind `api_login_required`)."""
    return cast(Actor, request.user)


def object_view(method: Literal["GET", "POST"], call: Callable[..., T], to_json: Callable[[T], dict[str, Any]],
                *, id_arg: str) -> Callable[..., HttpResponse]:
    """A JSON API view over one record named by the URL's one id: `call(actor=<the user>, <id_arg>=<the id>)` (a
    selector for GET, a service for POST: no body is read) answered as `to_json` of what it returns (200), behind
    the method check and `api_login_required`; errors are problem details, as in every view.

        swap_take = object_view("POST", swap_services.swap_take, swap_json, id_arg="swap_id")  # swaps/<int:pk>/take
    """
    def view(request: HttpRequest, **url: Any) -> HttpResponse:
        (record_id,) = url.values()
        return JsonResponse(to_json(call(actor=api_actor(request), **{id_arg: record_id})))

    view.__name__ = view.__qualname__ = getattr(call, "__name__", "object_view")
    allow = require_GET if method == "GET" else require_POST
    return allow(api_login_required(view))


def _has_body(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return False


def _is_json(request: HttpRequest) -> bool:
    """application/json in any letter case, with no charset or UTF-8 (RFC 8259: JSON between systems is UTF-8)."""
    charset = (request.content_params or {}).get("charset", "utf-8").strip().lower()
    return (request.content_type or "").strip().lower() == JSON_MEDIA_TYPE and charset in ("utf-8", "utf8")


def json_body(request: HttpRequest, *, required: bool = False) -> dict[str, Any]:
    """The JSON object in the request's body; {} when there is no body (a 422 when `required`: a PATCH or a
    create must say what it changes).

    A body in any other content type (a form, multipart, text, none named) is a 415 before the body is read:
    Django may already have consumed a multipart stream (the CSRF check reads request.POST), and reading
    `request.body` after that raises RawPostDataException, a 500."""
    if _has_body(request) and not _is_json(request):
        raise UnsupportedMediaType(
            "unsupported-media-type",
            _("Send the body as %(expected)s (the request's Content-Type was %(given)s).") % {
                "expected": JSON_MEDIA_TYPE, "given": request.META.get("CONTENT_TYPE", "")[:100] or _("none given")})
    if required and not _has_body(request):
        raise ValidationFailed("missing-body", _("Send a JSON object in the body."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting deeper than the parser goes
        raise ValidationFailed("bad-json", _("The body is not JSON.")) from exc
    if not isinstance(data, dict):
        raise ValidationFailed("bad-json", _("The body must be a JSON object."))
    return data


def idempotency_key(request: HttpRequest) -> str | None:
    """The request's Idempotency-Key header (a retry with the same key returns the first result), or None."""
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and "\x00" in key:
        raise ValidationFailed("bad-idempotency-key", _("The Idempotency-Key header contains a NUL character."))
    return key


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The API's OpenAPI document; public, like FHIR's /metadata (it describes, it holds no data)."""
    return JsonResponse(openapi.document())
