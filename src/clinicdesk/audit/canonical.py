"""Canonical values: what an audit entry's fields are after a round trip through the database.

An entry is hashed once, when it is written, and again by every `clinicdesk audit verify`, from the
row the database gives back. Both hashes must see the same values, so `record()` first turns every
field into the type its column returns (a patient id given as the text "2" becomes the number 2; a
`Decimal` in `detail` becomes the text "12.50"), then hashes, then stores. Normalising is idempotent:
a value read back from the database is already canonical, so verify can apply the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import AuditEntry

# The integer columns that callers used to hand over as text (a form's id): the one known way an entry
# could be hashed differently from what was stored before values were normalised.
LEGACY_TEXT_INTEGER_FIELDS = ("patient_id", "actor_id")


def canonical_json(value: Any) -> Any:
    """`value` as JSON types, exactly as a JSONField gives it back on SQLite and PostgreSQL (jsonb)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a StrEnum or TextChoices member: its value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)  # jsonb has no NaN or Infinity
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)  # json writes 1e+16, jsonb gives back 10000000000000000: an int
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {_canonical_key(key): canonical_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_json(item) for item in value]
    if isinstance(value, set | frozenset):
        items = [canonical_json(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, models.Model):
        return canonical_json(value.pk)
    return str(value)


def _canonical_key(key: Any) -> str:
    """JSON object keys are text; json.dumps writes True as "true" and 5 as "5"."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(canonical_json(key))
    return str(canonical_json(key))


def canonical_field(field: models.Field, value: Any) -> Any:
    """One column's value as the database returns it."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return canonical_json(value)
    if isinstance(field, models.DateTimeField):
        if isinstance(value, str):
            value = field.to_python(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)


def normalise(entry: AuditEntry) -> None:
    """Turn every stored field of `entry` (in place) into its canonical value; the primary key is left alone."""
    for field in type(entry)._meta.concrete_fields:
        if field.primary_key:
            continue
        setattr(entry, field.attname, canonical_field(field, getattr(entry, field.attname)))


def content_hash(content: dict[str, Any]) -> str:
    """The serialisation that every entry has always been hashed with: sorted keys, no spaces."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def legacy_defect(entry: AuditEntry) -> str:
    """Why `entry`'s stored hash is the known normalisation defect, or "" when it is not.

    Before values were normalised, an id handed over as text was hashed as text ("2") and stored as a
    number (2). If the stored content, with such ids turned back into text, hashes to the stored hash,
    then every other byte of the entry is exactly what was hashed (SHA-256 has no practical second
    preimages): the entry was not altered, it was hashed with the old serialisation.
    """
    content = entry.content()
    candidates = [name for name in LEGACY_TEXT_INTEGER_FIELDS if isinstance(content.get(name), int)]
    for size in range(1, len(candidates) + 1):
        for names in itertools.combinations(candidates, size):
            variant = {**content, **{name: str(content[name]) for name in names}}
            if content_hash(variant) == entry.entry_hash:
                return " and ".join(f"{name} hashed as text" for name in names)
    return ""
