"""What an edit changed, for the audit trail's detail and the "History" panel of every configuration screen.

    before = snapshot(room, ROOM_FIELDS)
    ... change the room ...
    record(actor, "room.update", room, detail={"changes": diff(before, snapshot(room, ROOM_FIELDS))})

Values are made JSON-safe the way the trail stores them: times as HH:MM, dates and instants as ISO 8601,
amounts as strings, many-to-many relations as sorted lists of ids, foreign keys as their id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Manager, Model


def plain(value: Any) -> Any:
    """A value as JSON carries it (the audit trail's details, the JSON API's members)."""
    if isinstance(value, Manager):
        return sorted(item.pk for item in value.all())
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple | set | frozenset):
        return sorted(value)
    return value


def snapshot(obj: Model, fields: Sequence[str]) -> dict[str, Any]:
    """The named attributes of `obj`, JSON-safe (a foreign key by its `<name>_id`, a many-to-many as ids)."""
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
