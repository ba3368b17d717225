"""The rate limits' counters in the database, for an install without Redis: one statement per counted request.

django-ratelimit counts in the cache. On the database cache that is a read, then a write, each with Django's cull
(`SELECT COUNT(*)`): about ten statements and two transactions on every FHIR request, and concurrent requests can
lose increments. Here a request is counted by one atomic upsert that returns the new count:

    INSERT INTO core_ratecounter (key, hits, window_ends) VALUES (%s, 1, %s)
    ON CONFLICT (key) DO UPDATE SET hits = core_ratecounter.hits + 1 RETURNING hits

exact under concurrency on PostgreSQL and SQLite (3.35 or later), shared by every app server. The table is UNLOGGED
on PostgreSQL (core migration 0001): no WAL, no flush at commit. Windows are fixed, aligned on the epoch, as
django-ratelimit's; a key names the group, a keyed hash of the client's address and the window's number, so no
address is stored. The ticker deletes ended windows (`prune-rate-counters`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router
from django_ratelimit.core import _split_rate, rate_re

from . import clock
from .models import RateCounter

_COUNT_UP = ("INSERT INTO core_ratecounter (key, hits, window_ends) VALUES (%s, 1, %s) "
             "ON CONFLICT (key) DO UPDATE SET hits = core_ratecounter.hits + 1 RETURNING hits")


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    time_left: int  # seconds until the window ends

    @property
    def should_limit(self) -> bool:
        return self.count > self.limit


def parse_rate(rate: str) -> tuple[int, int]:
    """"10/m" -> (10, 60); "100/5m" -> (100, 300): django-ratelimit's syntax, read by its own parser (the settings
    refuse anything else at start)."""
    if rate_re.match(rate) is None:
        raise ValueError(f"not a rate: {rate!r}")
    return _split_rate(rate)


def counter_key(group: str, client: str, window: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{group}\x00{client}".encode(), hashlib.sha256).hexdigest()
    return f"{group[:30]}:{digest[:32]}:{window}"


def count_request(group: str, client: str, rate: str, *, now: dt.datetime | None = None) -> Usage:
    """Count one request of `client` (its address) to `group` and say whether it is past `rate`."""
    limit, period = parse_rate(rate)
    moment = (now or clock.now()).timestamp()
    window = int(moment // period)
    ends_at = (window + 1) * period  # seconds since the epoch
    connection = connections[router.db_for_write(RateCounter)]
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_UP, [counter_key(group, client, window), connection.ops.adapt_datetimefield_value(
            dt.datetime.fromtimestamp(ends_at, tz=dt.UTC))])
        count = cursor.fetchone()[0]
    return Usage(count=count, limit=limit, time_left=max(1, math.ceil(ends_at - moment)))


def rate_counters_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the counters of windows that have ended; returns how many (the ticker runs it itself)."""
    return RateCounter.objects.filter(window_ends__lte=now or clock.now()).delete()[0]
