"""Writing to and checking the audit trail.

`record()` is called by services and selectors inside the transaction of the work it describes,
so the trail cannot drift from the data. Refusals are different: the refused transaction rolls
back, so `atomic_service` writes the denial after the rollback, once, at the outermost service.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from clinicdesk.core import clock, request_context
from clinicdesk.core.exceptions import PermissionDenied

from .models import AuditEntry, ChainHead, Outcome

P = ParamSpec("P")
R = TypeVar("R")

_service_depth: ContextVar[int] = ContextVar("clinicdesk_service_depth", default=0)


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_role": ""}
    return {"actor_id": actor.pk, "actor_username": actor.get_username(), "actor_role": actor.role or ""}


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    patient: Any = None,
    outcome: str = Outcome.ALLOWED,
    resource_type: str = "",
    resource_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. `obj` names the resource; `patient` the person it is about."""
    if obj is not None:
        resource_type = resource_type or obj._meta.model_name
        resource_id = resource_id or obj.pk
    patient_id = getattr(patient, "pk", patient)
    info = request_context.current()
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            position=head.position + 1,
            at=clock.now(),
            action=action,
            outcome=outcome,
            resource_type=resource_type,
            resource_id=str(resource_id or ""),
            patient_id=patient_id,
            ip=info.ip,
            user_agent=info.user_agent[:300],
            channel=info.channel,
            detail=detail or {},
            prev_hash=head.last_hash,
            **_actor_fields(actor),
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(position=entry.position, last_hash=entry.entry_hash)
    return entry


def record_denial(error: PermissionDenied) -> None:
    if error.audited:
        return
    record(
        error.actor,
        "access.denied",
        outcome=Outcome.DENIED,
        resource_type=error.resource_type,
        resource_id=error.resource_id,
        patient=error.patient_id,
        detail={"permission": error.permission},
    )
    error.audited = True


def atomic_service(func: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic` for a service or selector, plus an audited refusal.

    A PermissionDenied raised anywhere inside rolls the work back, then is recorded by the
    outermost service so that the record survives the rollback.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _service_depth.set(_service_depth.get() + 1)
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except PermissionDenied as error:
            if _service_depth.get() == 1:
                record_denial(error)
            raise
        finally:
            _service_depth.reset(token)

    return wrapper


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    position: int | None = None


def chain_verify() -> ChainReport:
    """Walk the chain in order; name the first entry that was altered, inserted or removed."""
    expected_prev = "0" * 64
    expected_position = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("position").iterator(chunk_size=2000):
        if entry.position != expected_position:
            if entry.position > expected_position:
                return ChainReport(False, checked, f"entry {expected_position} is missing", expected_position)
            return ChainReport(False, checked, f"entry {entry.position} is out of order", entry.position)
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False, checked,
                f"entry {entry.position} does not follow entry {entry.position - 1} "
                "(an entry before it was removed, replaced or inserted)",
                entry.position,
            )
        if entry.compute_hash() != entry.entry_hash:
            return ChainReport(False, checked, f"entry {entry.position} was altered", entry.position)
        expected_prev = entry.entry_hash
        expected_position += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is None and checked:
        return ChainReport(False, checked, "the chain head is missing", checked + 1)
    if head is not None and (head.position != checked or head.last_hash != expected_prev):
        return ChainReport(
            False, checked, f"the chain ends at entry {checked} but its head says {head.position}",
            checked + 1,
        )
    return ChainReport(True, checked)
