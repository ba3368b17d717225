"""FHIR Flag: patient alerts, read and searched (`_id`, `patient`/`subject`, `status`).

Reads of patient data like Coverage: the caller needs patient.read, a chart in reach (a restricted chart only
while the caller's glass is open; merged-away charts are left out of searches) and the token's Flag scope. The
view audits every response (`record_shown`); the handler table (handlers.py) lists Flag in the
CapabilityStatement."""

from __future__ import annotations

from typing import Any

from clinicdesk.audit.services import atomic_service
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as visibility
from clinicdesk.patients.models import PatientAlert

from .errors import FhirError
from .mappers import flag as flag_mapper
from .search import Param, Query, token
from .selectors import _ids, visible_patients

STATUSES = ("active", "inactive")
PARAMS = (Param("_id", "token", "The Flag id"), Param("patient", "reference", "Patient/<id>"),
          Param("subject", "reference", "Patient/<id>"),
          Param("status", "token", "active or inactive (comma-separated)"))


@atomic_service
def flag_read(*, actor: Actor, alert_id: int) -> PatientAlert:
    require(actor, Perm.PATIENT_READ, resource_type="patientalert", resource_id=alert_id)
    alert = PatientAlert.objects.select_related("kind", "patient", "created_by").filter(pk=alert_id).first()
    if alert is None:
        raise NotFound()
    visibility.require_record_open(actor, alert.patient, resource_type="patientalert", resource_id=alert_id)
    return alert


def _statuses(query: Query) -> set[str] | None:
    wanted: set[str] | None = None
    for _modifier, value in query.all("status"):
        codes = {token(part)[1] for part in value.split(",") if part}
        unknown = sorted(codes - set(STATUSES) - {"entered-in-error"})
        if unknown:
            raise FhirError(400, "invalid", f"status: '{unknown[0]}' is not a Flag status (active, inactive).",
                            expression=["status"])
        wanted = codes if wanted is None else wanted & codes  # repeated parameters: all must hold
    return wanted


@atomic_service
def flags_search(*, actor: Actor, query: Query) -> tuple[list[PatientAlert], int]:
    require(actor, Perm.PATIENT_READ, resource_type="patientalert")
    qs = PatientAlert.objects.select_related("kind", "created_by").filter(patient__in=visible_patients(actor))
    if query.all("_id"):
        qs = qs.filter(pk__in=_ids(query, "_id", "Flag"))
    for name in ("patient", "subject"):
        if query.all(name):
            qs = qs.filter(patient_id__in=_ids(query, name, "Patient"))
    statuses = _statuses(query)
    if statuses is not None:
        if "active" not in statuses:
            qs = qs.filter(ended_at__isnull=False)
        if "inactive" not in statuses:
            qs = qs.filter(ended_at__isnull=True)
    total = qs.count()
    page = list(qs.order_by("patient_id", "-created_at", "-pk")[query.offset:query.offset + query.count])
    return page, total


def render(items: list[PatientAlert]) -> list[dict[str, Any]]:
    return [flag_mapper.to_fhir(item) for item in items]
