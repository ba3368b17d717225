"""Reads that may go to a PostgreSQL streaming replica (issue #16, "the path past one machine").

With `DATABASE_REPLICA_URL` set, settings add a second database alias, `replica`, and `ReplicaRouter` sends
to it the reads of code that asked for it and nothing else:

- only reads inside `replica_reads()` (or a function decorated `@reads_from_replica`): the dashboards and
  the reports, whose numbers may be a second old. Every other read goes to the primary, so a screen that
  checks a rule before a write never decides on a stale copy;
- never a write: `db_for_write` is always the primary, and the replica refuses writes anyway;
- never a read of one's own write: once this request (or task) has written, its reads stay on the primary
  until it ends; a reply to a POST sets a short cookie (`REPLICA_PIN_SECONDS`) that keeps the same browser's
  next requests on the primary, so the page after a save shows the save;
- never inside a transaction on the primary (`atomic()`), where the reads must see the transaction's rows;
- a decorated selector whose replica read fails to connect (the standby restarting) is read from the primary.

Without a replica (SQLite, or one PostgreSQL) the router answers None and Django uses `default`.
ADR: docs/adr/0009-read-replica-routing.md.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"
PIN_COOKIE = "clinicdesk_primary"  # holds no data: its presence keeps this browser's reads on the primary
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_replica_allowed: ContextVar[bool] = ContextVar("clinicdesk_replica_allowed", default=False)
_pinned: ContextVar[bool] = ContextVar("clinicdesk_pinned_to_primary", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA_ALIAS in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may be answered by the replica (if there is one and nothing pins the primary)."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def reads_from_replica(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a read-only selector whose answer may lag the primary by a moment (dashboards, reports)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            if not reads_go_to_replica():
                return func(*args, **kwargs)
            try:
                return func(*args, **kwargs)
            except OperationalError:  # the standby is down or restarting: the primary answers instead
                logger.warning("read replica unavailable; %s read from the primary", func.__qualname__)
                connections[REPLICA_ALIAS].close_if_unusable_or_obsolete()
        with pinned_to_primary():
            return func(*args, **kwargs)

    return wrapper


@contextmanager
def pinned_to_primary(pinned: bool = True) -> Iterator[None]:
    """Every read in this block goes to the primary (set per request by `ReplicaPinMiddleware`)."""
    token = _pinned.set(pinned)
    try:
        yield
    finally:
        _pinned.reset(token)


def pin_to_primary() -> None:
    """This request or task has written: the rest of it reads from the primary."""
    _pinned.set(True)


def reads_go_to_replica() -> bool:
    """Would a read here go to the replica? (What the router decides, for tests and the operations page.)"""
    return (
        _replica_allowed.get()
        and not _pinned.get()
        and replica_configured()
        and not connections["default"].in_atomic_block
    )


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS). Rules in the module docstring."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return REPLICA_ALIAS if reads_go_to_replica() else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        pin_to_primary()
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # one database, two doors: rows from either side may refer to each other

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA_ALIAS  # the replica copies the primary; nothing is migrated on it


class ReplicaPinMiddleware:
    """Per request: start unpinned unless the browser wrote a moment ago; after an unsafe method, set the
    pin cookie so the next pages (the redirect after a save) read from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        wrote = request.method not in SAFE_METHODS
        with pinned_to_primary(wrote or PIN_COOKIE in request.COOKIES):
            response = self.get_response(request)
        if wrote:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                secure=request.is_secure(), samesite="Lax")
        return response
