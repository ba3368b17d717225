"""One mapper from DomainError to an answer: an HTML message or RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .exceptions import DomainError

PROBLEM_JSON = "application/problem+json"


def wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "json" in accept and "text/html" not in accept


def problem_response(status: int, problem: dict[str, Any]) -> JsonResponse:
    problem.setdefault("status", status)
    return JsonResponse(problem, status=status, content_type=PROBLEM_JSON)


def render_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    if wants_json(request):
        return problem_response(error.status, error.as_problem())
    template = "_error_message.html" if getattr(request, "htmx", False) else "error.html"
    return render(request, template, {"error": error, "status": error.status}, status=error.status)


def render_status(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    if wants_json(request):
        return problem_response(status, {"type": "about:blank", "title": title, "detail": detail})
    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status=status)
