"""Version history for Patient and Appointment (see models.ResourceVersion).

Writing: `record` stores a resource's content as a new version when it differs from its latest stored version;
it is called when a resource CHANGES (history.py, subscribed to the owning apps' hooks, and the FHIR write
handlers), never while rendering a read.

Reading: `stamp` sets meta.versionId / lastUpdated on rendered resources from what is stored, and writes
nothing. A resource with no stored version yet (made before versions were kept, or by a bulk load such as the
demo practice) is served as version 1, its current content; its first recorded change stores that content as
version 1 first when the change knows it (`previous`), so version 1 keeps reading back as it was served.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from clinicdesk.core import clock

from .models import ResourceVersion


def _strip(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if k != "meta"}


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _latest(resource_type: str, ids: list[str]) -> dict[str, ResourceVersion]:
    latest: dict[str, ResourceVersion] = {}
    for row in (ResourceVersion.objects.filter(resource_type=resource_type, resource_id__in=ids)
                .order_by("resource_id", "-version_id")):
        latest.setdefault(row.resource_id, row)
    return latest


def stamp(resource_type: str, items: list[tuple[Any, dict[str, Any], dt.datetime | None]], *,
          created: bool = False) -> None:
    """Set meta.versionId/lastUpdated on each rendered resource from its latest stored version (version 1 at
    `when` when none is stored). One read; no write. `created`: the resources were created in the caller's
    transaction, so none has a version stored yet: version 1 at `when`, nothing read."""
    if not items:
        return
    latest = {} if created else _latest(resource_type, [str(pk) for pk, _content, _when in items])
    for pk, content, when in items:
        prior = latest.get(str(pk))
        version, updated = (prior.version_id, prior.last_updated) if prior is not None else (1, when or clock.now())
        meta = content.setdefault("meta", {})
        meta["versionId"] = str(version)
        meta["lastUpdated"] = _instant(updated)


def record(resource_type: str, pk: Any, content: dict[str, Any], *, when: dt.datetime | None = None,
           previous: dict[str, Any] | None = None, previous_when: dt.datetime | None = None,
           new: bool = False) -> int:
    """Store `content` as the resource's next version unless it equals the latest one; returns the current
    version number. With nothing stored yet: `new` (the resource was just created) makes it version 1;
    `previous` (the content before this change) is stored as version 1 first; otherwise the content becomes
    version 2 (version 1, served before versions were kept, is not known any more). Call inside the
    transaction of the change, or after it commits."""
    body = _strip(content)
    when = when or clock.now()
    # the common case of a resource just created: version 1, written without reading first; when a version is
    # stored already (the hook ran twice, or a change came first), the reading path
    if new and record_first(resource_type, pk, body, when=when):
        return 1
    for _attempt in range(3):  # two writers numbering the same version: the loser re-reads and goes on top
        try:
            with transaction.atomic():
                return _record(resource_type, str(pk), body, when=when, previous=previous,
                               previous_when=previous_when, new=new)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not store a version of {resource_type}/{pk}")


def record_first(resource_type: str, pk: Any, content: dict[str, Any], *, when: dt.datetime) -> bool:
    """Store `content` as version 1 of a resource just created, without reading first; False (nothing written)
    when a version is stored already. After commit (autocommit, the booking's hook) the one INSERT is its own
    transaction; inside one, a savepoint keeps a conflict from breaking it."""
    def insert() -> None:
        ResourceVersion.objects.create(resource_type=resource_type, resource_id=str(pk), version_id=1,
                                       last_updated=when, content=_strip(content))

    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                insert()
        else:
            insert()
        return True
    except IntegrityError:
        return False


def _record(resource_type: str, pk: str, body: dict[str, Any], *, when: dt.datetime,
            previous: dict[str, Any] | None, previous_when: dt.datetime | None, new: bool) -> int:
    prior = _latest(resource_type, [pk]).get(pk)
    if prior is None and previous is not None and not new:
        prior = ResourceVersion.objects.create(resource_type=resource_type, resource_id=pk, version_id=1,
                                               last_updated=min(previous_when or when, when),
                                               content=_strip(previous))
    if prior is not None and prior.content == body:
        return prior.version_id
    if prior is not None:
        version, when = prior.version_id + 1, max(when, prior.last_updated)
    else:
        version = 1 if new else 2
    ResourceVersion.objects.create(resource_type=resource_type, resource_id=pk, version_id=version,
                                   last_updated=when, content=body)
    return version


@dataclass(frozen=True)
class Version:
    version_id: int
    last_updated: dt.datetime
    content: dict[str, Any]

    def resource(self) -> dict[str, Any]:
        return {**self.content, "meta": {"versionId": str(self.version_id),
                                         "lastUpdated": _instant(self.last_updated)}}


def history_of(resource_type: str, pk: Any, current: dict[str, Any]) -> list[Version]:
    """Every stored version, newest first; a resource with none stored has one: `current` as version 1."""
    rows = list(ResourceVersion.objects.filter(resource_type=resource_type, resource_id=str(pk))
                .order_by("-version_id"))
    if rows:
        return [Version(r.version_id, r.last_updated, r.content) for r in rows]
    meta = current.get("meta", {})
    updated = dt.datetime.fromisoformat(meta["lastUpdated"].replace("Z", "+00:00")) if "lastUpdated" in meta \
        else clock.now()
    return [Version(1, updated, _strip(current))]


def version_of(resource_type: str, pk: Any, version_id: str, current: dict[str, Any]) -> dict[str, Any] | None:
    """Version `version_id` of the resource, or None; `current` (rendered and stamped) is version 1 of a
    resource with no version stored."""
    if not version_id.isdigit() or len(version_id) > 9:
        return None
    for version in history_of(resource_type, pk, current):
        if version.version_id == int(version_id):
            return version.resource()
    return None
