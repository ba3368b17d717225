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
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from clinicdesk.core import clock, request_context
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor

from .anchor import AnchorMark, anchor_marks
from .canonical import legacy_defect, normalise
from .models import AuditEntry, ChainHead, Outcome

P = ParamSpec("P")
R = TypeVar("R")

_service_depth: ContextVar[int] = ContextVar("clinicdesk_service_depth", default=0)


def _actor_fields(actor: Actor | None) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_role": ""}
    return {"actor_id": actor.pk, "actor_username": actor.get_username(), "actor_role": actor.role or ""}


def record(
    actor: Actor | None,
    action: str,
    obj: Model | None = None,
    *,
    patient: Model | int | None = None,
    outcome: str = Outcome.ALLOWED,
    resource_type: str = "",
    resource_id: int | str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. `obj` names the resource; `patient` the person it is about."""
    if obj is not None:
        resource_type = resource_type or obj._meta.model_name or ""
        resource_id = resource_id or obj.pk
    patient_id = patient.pk if isinstance(patient, Model) else patient
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
        normalise(entry)  # hash exactly what the database will give back (canonical.py)
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


REPAIR_ACTION = "audit.repair"
_ZEROS = "0" * 64


@dataclass(frozen=True)
class ChainProblem:
    position: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    """`problems` lists every entry that does not fit, by position; `problem`/`position` name the first."""

    ok: bool
    checked: int  # entries that verified before the first problem (all of them when ok)
    problem: str = ""
    position: int | None = None
    problems: tuple[ChainProblem, ...] = ()
    repaired: tuple[int, ...] = ()  # entries accepted through an audit.repair entry later in the chain
    anchor: AnchorMark | None = None  # the furthest anchor mark the trail was compared with


Progress = Callable[[str, int, int], None]  # (stage, done, total), e.g. core.progress.ProgressBars
VERIFY_STAGE = "audit trail"


def chain_verify(*, anchor: bool = True, anchor_path: Path | None = None,
                 progress: Progress | None = None) -> ChainReport:
    """Walk the whole chain in order and name every entry that was altered, inserted or removed.

    With `anchor` (the default) the trail must also reach every position recorded in the audit anchor
    (anchor.py) with the recorded hash: entries that vanished from the end, or a trail rewritten from
    some point on, show up even when the chain head was reset to match. The restore check passes
    anchor=False: it compares with the archive's manifest instead, and then anchors the restored end.

    An entry whose hash only matches under the old, un-normalised serialisation (canonical.legacy_defect)
    is accepted when an intact `audit.repair` entry later in the chain names it with the same old and
    new hashes; otherwise it is reported as needing repair.
    """
    marks = anchor_marks(path=anchor_path) if anchor else []
    anchored = {mark.position: mark for mark in marks}
    problems: list[ChainProblem] = []
    unrepaired: dict[int, tuple[str, str, str]] = {}  # position: (stored hash, normalised hash, defect)
    repaired: list[int] = []
    expected_prev, expected_position, count = _ZEROS, 1, 0
    total = AuditEntry.objects.count() if progress else 0
    for entry in AuditEntry.objects.order_by("position").iterator(chunk_size=2000):
        if progress and count % 1000 == 0:
            progress(VERIFY_STAGE, count, total)
        if entry.position != expected_position:
            if entry.position > expected_position:
                missing = (f"entry {expected_position} is missing" if entry.position == expected_position + 1
                           else f"entries {expected_position} to {entry.position - 1} are missing")
                problems.append(ChainProblem(expected_position, missing))
            else:
                problems.append(ChainProblem(entry.position, f"entry {entry.position} is out of order"))
            expected_position = entry.position
        elif entry.prev_hash != expected_prev:
            problems.append(ChainProblem(
                entry.position, f"entry {entry.position} does not follow entry {entry.position - 1} "
                "(an entry before it was removed, replaced or inserted)"))
        actual = entry.compute_hash()
        if actual != entry.entry_hash:
            defect = legacy_defect(entry)
            if defect:
                unrepaired[entry.position] = (entry.entry_hash, actual, defect)
            else:
                problems.append(ChainProblem(entry.position, f"entry {entry.position} was altered"))
        elif entry.action == REPAIR_ACTION:
            target = _repaired_position(entry)
            if target in unrepaired and unrepaired[target][:2] == (
                    entry.detail.get("old_hash"), entry.detail.get("new_hash")):
                repaired.append(target)
                del unrepaired[target]
        mark = anchored.get(entry.position)
        if mark is not None and mark.hash != entry.entry_hash:
            problems.append(ChainProblem(
                entry.position, f"entry {entry.position} does not match the audit anchor ({mark.source} at "
                f"{mark.at}): the trail was rewritten from there on"))
        expected_prev = entry.entry_hash
        expected_position = entry.position + 1
        count += 1
    if progress:
        progress(VERIFY_STAGE, count, max(total, count))
    last = expected_position - 1
    for position, (_stored, _new, defect) in unrepaired.items():
        problems.append(ChainProblem(
            position, f"entry {position} was hashed with the old serialisation ({defect}); its content is "
            f"intact: record the repair with 'clinicdesk audit repair --entry {position} --reason ...'"))
    head = ChainHead.objects.filter(pk=1).first()
    if head is None and count:
        problems.append(ChainProblem(last + 1, "the chain head is missing"))
    if head is not None and (head.position != last or head.last_hash != expected_prev):
        problems.append(ChainProblem(last + 1, f"the chain ends at entry {last} but its head says {head.position}"))
    furthest = max(marks, key=lambda mark: mark.position, default=None)
    if furthest is not None and furthest.position > last:
        problems.append(ChainProblem(
            last + 1, f"the trail is shorter than its anchor: it ends at entry {last}, but the audit anchor "
            f"({furthest.source} at {furthest.at}) records entry {furthest.position}; entries were removed"))
    problems.sort(key=lambda problem: problem.position)
    if not problems:
        return ChainReport(True, count, repaired=tuple(repaired), anchor=furthest)
    first = problems[0]
    return ChainReport(False, min(count, first.position - 1), first.problem, first.position,
                       problems=tuple(problems), repaired=tuple(repaired), anchor=furthest)


def _repaired_position(entry: AuditEntry) -> int | None:
    target = entry.detail.get("entry") if isinstance(entry.detail, dict) else None
    return target if isinstance(target, int) and not isinstance(target, bool) else None


@atomic_service
def audit_entry_repair(*, actor: Actor | None, position: int, reason: str) -> AuditEntry:
    """Record, in the chain, that entry `position` carries the known normalisation defect.

    Only an operator on the server (`clinicdesk audit repair`, actor None) may do this. It is refused
    unless the entry's stored content re-hashes to its stored hash under the old serialisation (proof
    that nothing was altered, see canonical.legacy_defect). Nothing is rewritten: the repair entry names
    the entry with its old (stored) and new (normalised) hash, and verify re-checks that proof each time.
    """
    if actor is not None:
        raise PermissionDenied(actor=actor, permission="audit.repair", resource_type="auditentry",
                               resource_id=str(position))
    if not reason.strip():
        raise ValidationFailed("repair-reason", _("Give the reason for the repair (e.g. the ticket number)."))
    entry = AuditEntry.objects.filter(position=position).first()
    if entry is None:
        raise NotFound("no-entry", _("There is no audit entry %(position)s.") % {"position": position})
    new_hash = entry.compute_hash()
    if new_hash == entry.entry_hash:
        raise Conflict("entry-intact", _("Entry %(position)s verifies; there is nothing to repair.") % {
                       "position": position})
    defect = legacy_defect(entry)
    if not defect:
        raise Conflict("entry-altered", _("Entry %(position)s does not re-hash under the old serialisation either: "
                                          "it was altered, not written with the known defect. Treat it as "
                                          "tampering.") % {"position": position})
    if AuditEntry.objects.filter(action=REPAIR_ACTION, detail__entry=position).exists():
        raise Conflict("entry-repaired", _("Entry %(position)s was already repaired.") % {"position": position})
    return record(None, REPAIR_ACTION, resource_type="auditentry", resource_id=position, detail={
        "entry": position, "old_hash": entry.entry_hash, "new_hash": new_hash, "defect": defect,
        "reason": reason.strip()})
