"""Version history for Patient and Appointment (see models.ResourceVersion)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinicdesk.core import clock

from .models import ResourceVersion


def _strip(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if k != "meta"}


def stamp(resource_type: str, items: list[tuple[Any, dict[str, Any], dt.datetime | None]]) -> None:
    """Set meta.versionId/lastUpdated on each rendered resource, storing a new version for each one whose
    content changed since its latest stored version. One read and at most one insert for the lot."""
    if not items:
        return
    ids = [str(pk) for pk, _content, _when in items]
    latest: dict[str, ResourceVersion] = {}
    for row in (ResourceVersion.objects.filter(resource_type=resource_type, resource_id__in=ids)
                .order_by("resource_id", "-version_id")):
        latest.setdefault(row.resource_id, row)
    new_rows = []
    for pk, content, when in items:
        body = _strip(content)
        prior = latest.get(str(pk))
        if prior is not None and prior.content == body:
            version, updated = prior.version_id, prior.last_updated
        else:
            version = (prior.version_id + 1) if prior is not None else 1
            updated = max(when or clock.now(), prior.last_updated) if prior is not None else (when or clock.now())
            new_rows.append(ResourceVersion(resource_type=resource_type, resource_id=str(pk), version_id=version,
                                            last_updated=updated, content=body))
        meta = content.setdefault("meta", {})
        meta["versionId"] = str(version)
        meta["lastUpdated"] = updated.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if new_rows:
        ResourceVersion.objects.bulk_create(new_rows, ignore_conflicts=True)


def version_of(resource_type: str, pk: Any, version_id: str) -> dict[str, Any] | None:
    if not version_id.isdigit():
        return None
    row = ResourceVersion.objects.filter(resource_type=resource_type, resource_id=str(pk),
                                         version_id=int(version_id)).first()
    if row is None:
        return None
    content = dict(row.content)
    content["meta"] = {"versionId": str(row.version_id),
                       "lastUpdated": row.last_updated.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")}
    return content
