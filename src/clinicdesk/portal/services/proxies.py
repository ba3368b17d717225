"""Proxy authorizations (a parent of a minor, a caregiver), recorded and revoked by staff."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_patient_in_reach

from ..models import ProxyAuthorization, ProxyKind


@atomic_service
def proxy_authorize(*, actor: Actor, proxy_id: int, dependent_id: int, kind: str, valid_from: dt.date,
                    valid_to: dt.date | None = None, note: str = "") -> ProxyAuthorization:
    require(actor, Perm.PATIENT_WRITE)
    patients = {p.pk: p for p in Patient.objects.filter(pk__in=[proxy_id, dependent_id], active=True)}
    dependent, proxy = patients.get(dependent_id), patients.get(proxy_id)
    if dependent is None or proxy is None:
        raise NotFound()
    require_patient_in_reach(actor, dependent, perm=Perm.PATIENT_WRITE)
    errors: dict[str, list[str]] = {}
    if proxy_id == dependent_id:
        errors["proxy"] = [_("A patient cannot be their own proxy.")]
    if kind not in ProxyKind.values:
        errors["kind"] = [_("Choose the kind of authorization.")]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The end is before the start.")]
    if kind == ProxyKind.PARENT and dependent.age_on(valid_from) >= 18:
        errors["kind"] = [_("The dependent is not a minor: record a caregiver authorization.")]
    if errors:
        raise ValidationFailed("bad-proxy", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    if kind == ProxyKind.PARENT and valid_to is None:  # it ends when the child comes of age
        eighteenth = dependent.birth_date.replace(year=dependent.birth_date.year + 18) if not (
            dependent.birth_date.month == 2 and dependent.birth_date.day == 29) else dt.date(
            dependent.birth_date.year + 18, 3, 1)
        valid_to = eighteenth - dt.timedelta(days=1)
    proxy_row = ProxyAuthorization.objects.create(
        proxy=proxy, dependent=dependent, kind=kind, valid_from=valid_from, valid_to=valid_to, note=note.strip()[:200],
        recorded_by=staff_user(actor), recorded_at=clock.now())
    record(actor, "portal.proxy_authorize", proxy_row, patient=dependent, detail={"proxy": proxy_id, "kind": kind})
    return proxy_row


@atomic_service
def proxy_revoke(*, actor: Actor, authorization_id: int) -> ProxyAuthorization:
    require(actor, Perm.PATIENT_WRITE)
    row = ProxyAuthorization.objects.select_for_update(of=("self",)).select_related("dependent").filter(
        pk=authorization_id).first()
    if row is None:
        raise NotFound()
    require_patient_in_reach(actor, row.dependent, perm=Perm.PATIENT_WRITE, resource_type="proxyauthorization",
                             resource_id=authorization_id)
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
        record(actor, "portal.proxy_revoke", row, patient=row.dependent_id, detail={"proxy": row.proxy_id})
    return row
