"""The OpenAPI document cannot drift from the URL patterns: every /api/v1 route and the methods it answers
are described, and nothing else is."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from clinicdesk.core import openapi

API_PREFIX = "api/v1/"
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns: list, prefix: str = "") -> list[str]:
    routes = []
    for item in patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            routes += _routes(item.url_patterns, route)
        elif isinstance(item, URLPattern):
            routes.append(route)
    return routes


def _api_paths() -> set[str]:
    return {"/" + _CONVERTER.sub(r"{\1}", route) for route in _routes(get_resolver().url_patterns)
            if route.startswith(API_PREFIX)}


def test_openapi_describes_every_api_route_and_nothing_else():
    assert _api_paths() == set(openapi.document()["paths"])


def test_openapi_methods_are_the_methods_each_route_answers(client: Client, db):
    """A view refuses other methods with 405 and an Allow header (require_GET / require_POST): compare."""
    for path, operations in openapi.document()["paths"].items():
        url = re.sub(r"\{[a-z_]+\}", "1", path)  # any path parameter: the method check comes before the lookup
        answer = client.generic("OPTIONS", url)
        assert answer.status_code == 405, path
        allowed = {m.strip().lower() for m in answer["Allow"].split(",")}
        assert allowed == set(operations), path


def test_openapi_appointment_statuses_match_the_model():
    from clinicdesk.scheduling.models import AppointmentStatus

    assert set(openapi.APPOINTMENT_STATUSES) == set(AppointmentStatus.values)


def test_openapi_document_is_served_without_signing_in(client: Client, db):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    body = answer.json()
    assert body["openapi"].startswith("3.1") and "/api/v1/appointments" in body["paths"]
    assert body["components"]["securitySchemes"]["session"]["name"] == "sessionid"


def test_openapi_document_is_a_valid_openapi_31_document():
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    OPENAPI_31_VALIDATOR.validate(openapi.document())
