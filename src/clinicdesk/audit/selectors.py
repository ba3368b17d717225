"""Reads of the audit trail, for the compliance officer. Reading it is itself audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from clinicdesk.core.permissions import Perm, require

from .models import AuditEntry
from .services import atomic_service, record


@dataclass(frozen=True)
class AuditFilter:
    patient_id: int | None = None
    actor_id: int | None = None
    action: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    outcome: str = ""


def _filtered(criteria: AuditFilter) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if criteria.patient_id is not None:
        entries = entries.filter(patient_id=criteria.patient_id)
    if criteria.actor_id is not None:
        entries = entries.filter(actor_id=criteria.actor_id)
    if criteria.action:
        entries = entries.filter(action__startswith=criteria.action)
    if criteria.outcome:
        entries = entries.filter(outcome=criteria.outcome)
    if criteria.start is not None:
        entries = entries.filter(at__gte=criteria.start)
    if criteria.end is not None:
        entries = entries.filter(at__lt=criteria.end)
    return entries.order_by("-position")


def _describe(criteria: AuditFilter) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
            for k, v in criteria.__dict__.items() if v not in (None, "")}


@atomic_service
def audit_entries_list(*, actor: Any, criteria: AuditFilter, limit: int = 200) -> list[AuditEntry]:
    require(actor, Perm.AUDIT_READ)
    entries = list(_filtered(criteria)[:limit])
    record(actor, "audit.search", resource_type="audit", detail={"filter": _describe(criteria),
                                                                  "shown": len(entries)})
    return entries


@atomic_service
def audit_entries_export(*, actor: Any, criteria: AuditFilter) -> QuerySet[AuditEntry]:
    require(actor, Perm.AUDIT_EXPORT)
    record(actor, "audit.export", resource_type="audit", detail={"filter": _describe(criteria)})
    return _filtered(criteria)
