"""Forms and the services' errors: the one way a refused rule lands on the form the user filled in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .exceptions import DomainError, NotFound


def form_add_domain_error(form: Any, error: DomainError, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each message on the field it names (a service's name for it renamed by
    `aliases`, e.g. {"location_id": "location"}); messages for fields the form does not have, and a refusal that
    names no field, go above the form."""
    renamed = aliases or {}
    if not error.fields:
        form.add_error(None, error.detail)
        return
    for name, problems in error.fields.items():
        field = renamed.get(name, name)
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def pick_by_pk(value: str | None, choices: Iterable[Any]) -> Any:
    """The choice whose id is `value` (a query parameter), None when it is empty; an id that is not a number or
    not among the choices the user may pick is not found (it is no different from one that does not exist)."""
    if not value:
        return None
    if not value.isdigit():
        raise NotFound()
    chosen = next((c for c in choices if str(c.pk) == value), None)
    if chosen is None:
        raise NotFound()
    return chosen
