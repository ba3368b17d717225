"""Who is asking, from where: set once per request by middleware, read by the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    channel: str = "system"  # web, api, fhir, cli, task, system


_DEFAULT = RequestInfo()
_current: ContextVar[RequestInfo] = ContextVar("clinicdesk_request", default=_DEFAULT)  # frozen: safe to share


def current() -> RequestInfo:
    return _current.get()


def bind(info: RequestInfo):  # returns a token for reset()
    return _current.set(info)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)
