"""One home for the portal's limit on refused attempts (issue #23, "Bad input").

A refused attempt (a booking outside the practice's rules, a wrong sign-in link or code, a forged payment webhook)
is audited as denied and counted against who made it (the patient, or the network address) in the default cache;
after `Limit.count` refusals within `Limit.seconds` further attempts of that kind are refused outright (429,
audited as throttled) until the window passes. The counter lives outside the database transaction, so it holds
when the refused work is rolled back. The kiosk's wrong look-ups keep their own per-device counter (services/kiosk.py),
held on the device row because it locks the tablet itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from clinicdesk.audit.services import record
from clinicdesk.core.exceptions import DomainError

from .common import TooManyRequests

R = TypeVar("R")


@dataclass(frozen=True)
class Limit:
    kind: str  # the counter's name, and the audit action of a throttled attempt: portal.<kind>_throttled
    count: int
    seconds: int
    message: Any  # what the refused person reads (lazy, translated when shown)
    code: str = "rate-limited"


BOOKING = Limit("booking", count=int(getattr(settings, "PORTAL_BOOKING_REFUSALS", 10)), seconds=15 * 60,
                message=_("Too many bookings were refused. Please wait 15 minutes or call us."))
SIGN_IN = Limit("sign_in_confirm", count=int(getattr(settings, "PORTAL_SIGN_IN_REFUSALS", 10)), seconds=15 * 60,
                message=_("Too many sign-in attempts. Please wait 15 minutes and try again."))
WEBHOOK = Limit("payment_webhook", count=5, seconds=600, message=_("Too many refused webhooks from this address."),
                code="webhook-throttled")


def _key(limit: Limit, who: str) -> str:
    return f"portal:refused:{limit.kind}:{who or 'unknown'}"


def refusals(limit: Limit, who: str) -> int:
    return int(cache.get(_key(limit, who)) or 0)


def check(limit: Limit, who: str, *, error: type[TooManyRequests] = TooManyRequests, action: str = "",
          **audit: Any) -> None:
    """Refuse (429, audited as `action`, by default portal.<kind>_throttled) once `who` has `limit.count`
    refusals of this kind in the window."""
    if refusals(limit, who) >= limit.count:
        action = action or f"portal.{limit.kind}_throttled"
        record(audit.pop("actor", None), action, outcome="denied", **audit)
        raise error(limit.code, str(limit.message))


def note(limit: Limit, who: str, action: str, **audit: Any) -> None:
    """Count one refusal of `who` and audit it as denied (`action`, with the given resource, patient, detail)."""
    key = _key(limit, who)
    cache.add(key, 0, limit.seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, limit.seconds)
    record(audit.pop("actor", None), action, outcome="denied", **audit)


def counted(limit: Limit, who: str, action: str, codes: frozenset[str], work: Callable[[], R], **audit: Any) -> R:
    """Run `work` (an atomic service) unless `who` is throttled; a refusal whose code is in `codes` is counted and
    audited after the work rolled back (nothing else of it is written), then raised again."""
    check(limit, who, **audit)
    try:
        return work()
    except DomainError as refused:
        if refused.code in codes:
            detail = {**audit.pop("detail", {}), "reason": refused.code}
            note(limit, who, action, detail=detail, **audit)
        raise
