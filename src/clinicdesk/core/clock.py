"""The one source of "now". Tests freeze it with `clock.freeze(...)` (see tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today_in(tz: dt.tzinfo) -> dt.date:
    return now().astimezone(tz).date()


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("freeze the clock with an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: dt.timedelta) -> None:
    global _frozen
    if _frozen is None:
        raise RuntimeError("the clock is not frozen")
    _frozen = _frozen + delta
