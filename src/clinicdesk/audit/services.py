"""Writing to and checking the audit trail.

`record()` is called by services and selectors inside the transaction of the work it describes,
so the trail cannot drift from the data. Refusals are different: the refused transaction rolls
back, so `atomic_service` writes the denial after the rollback, once, at the outermost service.

`record()` takes no lock: it inserts an unsealed entry (no position, no hashes). After the transaction
commits, `audit_seal()` chains every committed unsealed entry, in id order, in its own short transaction
that holds the chain head (ADR 0007). A rolled-back transaction's entries are never seen, so the chain has
no gaps. The sealer also runs from the ticker, before verify and before a backup.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from clinicdesk.core import clock, request_context
from clinicdesk.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor

from .anchor import AnchorMark, anchor_marks
from .canonical import legacy_defect, normalise
from .models import AuditEntry, ChainHead, Outcome

P = ParamSpec("P")
R = TypeVar("R")
logger = logging.getLogger(__name__)

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
    entry = AuditEntry(
        position=None,  # unsealed: the sealer gives it its place in the chain after commit
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
        prev_hash="",
        entry_hash="",
        **_actor_fields(actor),
    )
    normalise(entry)  # store exactly what the sealer will read back and hash (canonical.py)
    entry.save(force_insert=True)
    sealed = _seal_after_commit()
    if entry.pk in sealed:  # sealed at once (outside a transaction, or in a test's): say where it went
        entry.position, entry.prev_hash, entry.entry_hash = sealed[entry.pk]
    return entry


def record_many(actor: Actor | None, action: str,
                items: list[tuple[Model, Model | int | None, dict[str, Any] | None]]) -> int:
    """`record()` of one action on many resources at once (a batch run): one entry per (resource, patient,
    detail), the same fields `record()` writes, inserted together; sealed after commit like any other."""
    if not items:
        return 0
    info, now, who = request_context.current(), clock.now(), _actor_fields(actor)
    entries = []
    for obj, patient, detail in items:
        entry = AuditEntry(position=None, at=now, action=action, outcome=Outcome.ALLOWED,
                           resource_type=obj._meta.model_name or "", resource_id=str(obj.pk or ""),
                           patient_id=patient.pk if isinstance(patient, Model) else patient, ip=info.ip,
                           user_agent=info.user_agent[:300], channel=info.channel, detail=detail or {},
                           prev_hash="", entry_hash="", **who)
        normalise(entry)
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    _seal_after_commit()
    return len(entries)


# --- Sealing ---------------------------------------------------------------------------------------------------

SEAL_BATCH = 2000


def _inside_test_transaction() -> bool:
    """True inside a test's wrapping transaction (Django's TestCase, pytest-django's `db`): it never commits, so
    after-commit hooks never run there; entries are sealed at once instead, inside it."""
    blocks = transaction.get_connection().atomic_blocks
    return bool(blocks) and bool(getattr(blocks[0], "_from_testcase", False))


def _seal_after_commit() -> dict[int, tuple[int, str, str]]:
    connection = transaction.get_connection()
    if _inside_test_transaction():
        return _seal(alone=True)
    if not connection.in_atomic_block:
        return _seal()
    if not any(func is _seal_committed for _sids, func, *_rest in connection.run_on_commit):
        transaction.on_commit(_seal_committed)  # once per transaction, however many entries it recorded
    return {}


_monotonic = time.monotonic  # the coalescing clock; tests move it instead of sleeping
_coalesce_lock = threading.Lock()
_last_commit_seal: float | None = None  # _monotonic() when this process last sealed (or tried to) after a commit


def _commit_seal_due() -> bool:
    """True when this process has not sealed (or tried to) after a commit within the last AUDIT_SEAL_COALESCE_MS,
    and claims the window; False when a recent after-commit seal covers it: its entries wait for the next commit
    after the window (in any process, sealing everything pending) or for the ticker (ADR 0007)."""
    global _last_commit_seal
    window = getattr(settings, "AUDIT_SEAL_COALESCE_MS", 250) / 1000
    if window <= 0:
        return True
    now = _monotonic()
    with _coalesce_lock:
        if _last_commit_seal is not None and now - _last_commit_seal < window:
            return False
        _last_commit_seal = now
        return True


def _seal_committed() -> None:
    """After a commit that recorded entries: there are entries to seal (unless another sealer took them, which the
    first batch finds out), so the sealer goes straight to the chain head, unless one ran in this process within
    the coalescing window."""
    if _commit_seal_due():
        seal_quietly(pending_known=True)


def seal_quietly(*, pending_known: bool = False) -> None:
    """The after-commit and periodic sealer: a failure is logged, never raised into the request that committed;
    the entries stay unsealed until the next sealer (any later commit, the ticker, verify, a backup)."""
    try:
        _seal(pending_known=pending_known)
    except DatabaseError as error:
        logger.error("Could not seal the audit chain: %s", type(error).__name__)


def _lock_head() -> ChainHead | None:
    """The chain head, locked for this transaction; None when another sealer holds it (PostgreSQL: SKIP LOCKED;
    SQLite serializes writers at BEGIN IMMEDIATE, so there it is always this sealer's)."""
    head = ChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()
    if head is not None or ChainHead.objects.filter(pk=1).exists():
        return head
    try:
        with transaction.atomic():
            ChainHead.objects.create(pk=1)
    except IntegrityError:
        pass  # another sealer created it first
    return ChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()


def audit_seal() -> int:
    """Chain every committed unsealed entry, in id order, after the head; returns how many were sealed.

    Each batch is one short transaction holding the head row. When another sealer holds it, this one returns at
    once: the holder looks for more after it commits, so an entry committed while it worked is not left behind.
    """
    return len(_seal())


def _seal(*, alone: bool = False, pending_known: bool = False) -> dict[int, tuple[int, str, str]]:
    """`audit_seal`, returning {entry id: (position, previous hash, own hash)} of the entries it sealed.
    `alone`: inside a test's transaction, where no other sealer can be at work (one batch, no re-check).
    `pending_known`: the caller knows entries were committed unsealed; the first look for them is skipped (a batch
    that finds none returns, as after the look)."""
    sealed: dict[int, tuple[int, str, str]] = {}
    table = AuditEntry._meta.db_table
    look = not pending_known
    while alone or not look or AuditEntry.objects.filter(position__isnull=True).exists():
        look = True
        with transaction.atomic(savepoint=False):  # its own transaction, or part of the caller's (verify, tests)
            head = _lock_head()
            if head is None:
                return sealed
            pending = list(AuditEntry.objects.filter(position__isnull=True).order_by("pk")[:SEAL_BATCH])
            if not pending:
                return sealed
            position, last_hash, rows = head.position, head.last_hash, []
            for entry in pending:
                position += 1
                entry.position, entry.prev_hash = position, last_hash
                entry.entry_hash = last_hash = entry.compute_hash()
                rows.append((entry.position, entry.prev_hash, entry.entry_hash, entry.pk))
            with transaction.get_connection().cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET position = %s, prev_hash = %s, entry_hash = %s "  # noqa: S608 (model's table)
                    "WHERE id = %s AND position IS NULL", rows)
            ChainHead.objects.filter(pk=1).update(position=position, last_hash=last_hash)
        sealed.update((pk, (number, previous, own)) for number, previous, own, pk in rows)
        if alone and len(pending) < SEAL_BATCH:
            break
    return sealed


def _unsealed_bound() -> dt.timedelta:
    """How long an entry may stay unsealed before verify calls it a problem (AUDIT_SEAL_BOUND_SECONDS)."""
    return dt.timedelta(seconds=getattr(settings, "AUDIT_SEAL_BOUND_SECONDS", 60))


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
        except DomainError as error:
            if _service_depth.get() == 1:
                for entry in error.audit_after_rollback:
                    record(**entry)
                error.audit_after_rollback = []
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
    unsealed: int = 0  # committed entries not yet chained (recorded within the bound: not a problem)


Progress = Callable[[str, int, int], None]  # (stage, done, total), e.g. core.progress.ProgressBars
VERIFY_STAGE = "audit trail"


def chain_verify(*, anchor: bool = True, anchor_path: Path | None = None,
                 progress: Progress | None = None, seal: bool = True) -> ChainReport:
    """Walk the whole chain in order and name every entry that was altered, inserted or removed.

    With `seal` (the default) the committed unsealed entries are sealed first (ADR 0007). Entries still unsealed
    after that are reported in `unsealed`; one recorded longer ago than `_unsealed_bound()` is a problem (the
    sealer is not running, or the entry could not be chained).

    With `anchor` (the default) the trail must also reach every position recorded in the audit anchor
    (anchor.py) with the recorded hash: entries that vanished from the end, or a trail rewritten from
    some point on, show up even when the chain head was reset to match. The restore check passes
    anchor=False: it compares with the archive's manifest instead, and then anchors the restored end.

    An entry whose hash only matches under the old, un-normalised serialisation (canonical.legacy_defect)
    is accepted when an intact `audit.repair` entry later in the chain names it with the same old and
    new hashes; otherwise it is reported as needing repair.
    """
    if seal:
        audit_seal()
    marks = anchor_marks(path=anchor_path) if anchor else []
    anchored = {mark.position: mark for mark in marks}
    problems: list[ChainProblem] = []
    unrepaired: dict[int, tuple[str, str, str]] = {}  # position: (stored hash, normalised hash, defect)
    repaired: list[int] = []
    expected_prev, expected_position, count = _ZEROS, 1, 0
    sealed = AuditEntry.objects.filter(position__isnull=False)
    total = sealed.count() if progress else 0
    for entry in sealed.order_by("position").iterator(chunk_size=2000):
        position = int(entry.position or 0)  # sealed: never None here
        if progress and count % 1000 == 0:
            progress(VERIFY_STAGE, count, total)
        if position != expected_position:
            if position > expected_position:
                missing = (f"entry {expected_position} is missing" if position == expected_position + 1
                           else f"entries {expected_position} to {position - 1} are missing")
                problems.append(ChainProblem(expected_position, missing))
            else:
                problems.append(ChainProblem(position, f"entry {position} is out of order"))
            expected_position = position
        elif entry.prev_hash != expected_prev:
            problems.append(ChainProblem(
                position, f"entry {position} does not follow entry {position - 1} "
                "(an entry before it was removed, replaced or inserted)"))
        actual = entry.compute_hash()
        if actual != entry.entry_hash:
            defect = legacy_defect(entry)
            if defect:
                unrepaired[position] = (entry.entry_hash, actual, defect)
            else:
                problems.append(ChainProblem(position, f"entry {position} was altered"))
        elif entry.action == REPAIR_ACTION:
            target = _repaired_position(entry)
            if target in unrepaired and unrepaired[target][:2] == (
                    entry.detail.get("old_hash"), entry.detail.get("new_hash")):
                repaired.append(target)
                del unrepaired[target]
        mark = anchored.get(position)
        if mark is not None and mark.hash != entry.entry_hash:
            problems.append(ChainProblem(
                position, f"entry {position} does not match the audit anchor ({mark.source} at "
                f"{mark.at}): the trail was rewritten from there on"))
        expected_prev = entry.entry_hash
        expected_position = position + 1
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
    tail = AuditEntry.objects.filter(position__isnull=True)
    unsealed = tail.count()
    oldest = tail.order_by("at").values_list("pk", "at").first() if unsealed else None
    if oldest is not None and oldest[1] < clock.now() - _unsealed_bound():
        problems.append(ChainProblem(
            last + 1, f"{unsealed} entr{'y is' if unsealed == 1 else 'ies are'} not sealed into the chain, the oldest "
            f"(id {oldest[0]}) since {oldest[1].isoformat(timespec='seconds')}: the sealer is not running"))
    problems.sort(key=lambda problem: problem.position)
    if not problems:
        return ChainReport(True, count, repaired=tuple(repaired), anchor=furthest, unsealed=unsealed)
    first = problems[0]
    return ChainReport(False, min(count, first.position - 1), first.problem, first.position,
                       problems=tuple(problems), repaired=tuple(repaired), anchor=furthest, unsealed=unsealed)


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
