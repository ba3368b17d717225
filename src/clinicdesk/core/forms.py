"""Forms and the services' errors: the one way a refused rule lands on the form the user filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .exceptions import DomainError


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
