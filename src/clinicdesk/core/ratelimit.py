"""Per-client-IP rate limits on the endpoints anyone can reach without signing in.

One middleware, one table: each rule names a group (one counter and one setting, `RATELIMIT_<GROUP>`, a
django-ratelimit rate such as "10/m", or "off"), the path prefix it covers, the methods it counts and the
face of its refusal. A refused request answers 429 with `Retry-After` before any view runs, so it writes
nothing: a throttled sign-in attempt does not count towards any account's lockout.

Counters are shared by every process: in Redis when the install has it (django-ratelimit on the cache), else in
the database, one atomic statement per counted request (core.rate_counter; `RATELIMIT_COUNTERS`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from . import rate_counter
from .exceptions import DomainError
from .problems import render_error

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)

HTML, PROBLEM, FHIR = "html", "problem", "fhir"
ALL_METHODS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    group: str
    prefix: str
    methods: tuple[str, ...]  # empty: every method
    face: str

    @property
    def setting(self) -> str:
        return "RATELIMIT_" + self.group.upper().replace("-", "_")


# First match wins; rules of one group share its counter.
RULES: tuple[Rule, ...] = (
    Rule("sign-in", "/accounts/login/", ("POST",), HTML),
    Rule("oauth", "/o/authorize/", ALL_METHODS, HTML),
    Rule("oauth", "/o/", ALL_METHODS, PROBLEM),
    Rule("oauth", "/.well-known/smart-configuration", ALL_METHODS, PROBLEM),
    Rule("fhir", "/fhir/", ALL_METHODS, FHIR),
    Rule("answer-links", "/r/", ALL_METHODS, HTML),
    Rule("sms-hooks", "/hooks/sms/", ALL_METHODS, PROBLEM),
    Rule("first-run", "/setup/start/", ("POST",), HTML),
)


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"


def rule_for(request: HttpRequest) -> Rule | None:
    for rule in RULES:
        if request.path.startswith(rule.prefix) and (not rule.methods or request.method in rule.methods):
            return rule
    return None


def refusal(request: HttpRequest, rule: Rule, retry_after: int) -> HttpResponse:
    error = RateLimited("rate-limited", _("Too many requests from your network. Please wait %(seconds)d seconds "
                                          "and try again.") % {"seconds": retry_after})
    response: HttpResponse
    if rule.face == FHIR:
        body: dict[str, Any] = {"resourceType": "OperationOutcome", "issue": [{
            "severity": "error", "code": "throttled", "diagnostics": error.detail,
            "details": {"coding": [{"system": "urn:clinicdesk:problem", "code": error.code}], "text": error.code},
        }]}
        response = JsonResponse(body, status=error.status, content_type="application/fhir+json")
    elif rule.face == PROBLEM:
        response = JsonResponse(error.as_problem(), status=error.status, content_type="application/problem+json")
    else:
        response = render_error(request, error)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Counts each request that matches a rule against its client IP and refuses it past the group's rate."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rule = rule_for(request)
        rate = getattr(settings, rule.setting, None) if rule is not None else None
        if rule is None or not rate:
            return self.get_response(request)
        try:
            should_limit, time_left = _count(request, rule, rate)
        except Exception:
            logger.warning("rate limit not checked: counter store failed (group %s)", rule.group, exc_info=True)
            if not settings.RATELIMIT_FAIL_OPEN:
                return refusal(request, rule, 5)
            # Answer (the per-account lockout still holds) rather than refuse everyone.
            return self.get_response(request)
        if should_limit:
            logger.info("rate limit reached: group %s", rule.group)
            return refusal(request, rule, time_left)
        return self.get_response(request)


def _count(request: HttpRequest, rule: Rule, rate: str) -> tuple[bool, int]:
    """Count this request against its group and client address: (past the rate?, seconds until the window ends)."""
    if settings.RATELIMIT_COUNTERS == "database":
        usage = rate_counter.count_request(rule.group, request.META.get(settings.RATELIMIT_IP_META_KEY, ""), rate)
        return usage.should_limit, usage.time_left
    cached = get_usage(request, group=f"clinicdesk.{rule.group}", key="ip", rate=rate, increment=True)
    if cached is None:
        return False, 0
    return bool(cached["should_limit"]), max(1, int(cached["time_left"]))
