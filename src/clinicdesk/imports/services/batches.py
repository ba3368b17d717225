"""Check (dry run), import, undo the last import, and hand out temporary passwords after a staff import.

The dry run and the import are the same run: every row through the owning app's service inside one transaction,
a savepoint per row. The dry run always rolls everything back; the import commits only a file without a single
problem, and records what it created (`ImportedObject`) so that `import_undo` can reverse it through the same
owners' services. Undo: only the last import still in effect, and only while nothing it created has been used
since (see each kind's `used`)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from clinicdesk.accounts import services as accounts_services
from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user

from ..models import ImportBatch, ImportedObject
from .base import Created, Kind, ParsedFile, Problem, Report, header_problems, read_file, run_rows
from .practice import EQUIPMENT, PROVIDERS, ROOMS
from .scheduling import APPOINTMENT_TYPES, APPOINTMENTS, AVAILABILITY
from .staff import STAFF

KINDS: dict[str, Kind] = {kind.code: kind for kind in (PROVIDERS, ROOMS, EQUIPMENT, APPOINTMENT_TYPES, AVAILABILITY,
                                                        STAFF, APPOINTMENTS)}


def kind_named(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise ValidationFailed("unknown-kind", _("'%(kind)s' is not a kind of import (known: %(known)s).")
                               % {"kind": code[:40], "known": ", ".join(KINDS)}, fields={"kind": [_("Unknown.")]})
    return kind


def kinds_for(actor: Actor) -> list[Kind]:
    """The kinds of import `actor` may run, in the order a practice sets itself up."""
    return [kind for kind in KINDS.values() if all(has_perm(actor, perm) for perm in kind.perms)]


def _require_kind(actor: Actor, kind: Kind) -> None:
    for perm in kind.perms:
        require(actor, perm, resource_type="importbatch")


def _run(actor: Actor, kind: Kind, parsed: ParsedFile, *, commit: bool, file_name: str,
         batch: ImportBatch | None = None) -> Report:
    report = Report(kind=kind.code, rows=len(parsed.rows), problems=header_problems(kind, parsed.header))
    if report.problems:
        return report
    if not parsed.rows:
        report.problems.append(Problem(2, "", _("The file has a header but no rows.")))
        return report

    def record_batch(created: list[tuple[int, Created]]) -> None:
        nonlocal batch
        now = clock.now()
        if batch is None:
            batch = ImportBatch(kind=kind.code, file_name=file_name[:200], created_by=staff_user(actor), created_at=now)
        batch.rows, batch.status, batch.imported_at, batch.content = len(parsed.rows), ImportBatch.Status.IMPORTED, \
            now, ""
        batch.save()
        ImportedObject.objects.bulk_create([ImportedObject(batch=batch, line=line, model=item.model,
                                                           object_id=item.object_id) for line, item in created])
        record(actor, "import.run", batch, detail={"kind": kind.code, "rows": len(parsed.rows),
                                                   "created": len(created)})
        report.batch_id = batch.pk

    run_rows(actor, kind, parsed, report, commit=record_batch if commit else None)
    return report


@atomic_service
def import_check(*, actor: Actor, kind: str, data: bytes, file_name: str, keep: bool = False) -> Report:
    """The dry run: every problem by line and column, nothing written. With `keep` (the screen) a clean file is kept
    as a checked batch (`report.batch_id`) for `import_checked_run`."""
    chosen = kind_named(kind)
    _require_kind(actor, chosen)
    parsed = read_file(data)
    report = _run(actor, chosen, parsed, commit=False, file_name=file_name)
    if keep and report.ok:
        ImportBatch.objects.filter(status=ImportBatch.Status.CHECKED, created_by=staff_user(actor)).delete()
        batch = ImportBatch.objects.create(kind=chosen.code, file_name=file_name[:200], rows=report.rows,
                                           content=data.decode("utf-8-sig"), created_by=staff_user(actor),
                                           created_at=clock.now())
        report.batch_id = batch.pk
    return report


@atomic_service
def import_file(*, actor: Actor, kind: str, data: bytes, file_name: str) -> Report:
    """Import every row, or none: the same run as the dry run, committed only when no row has a problem."""
    chosen = kind_named(kind)
    _require_kind(actor, chosen)
    return _run(actor, chosen, read_file(data), commit=True, file_name=file_name)


@atomic_service
def import_checked_run(*, actor: Actor, batch_id: int) -> Report:
    """Import a file checked on the screen (by the same user). The rows are checked again: what changed since the
    dry run (a slot booked by hand meanwhile) is reported, and then nothing is written."""
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, status=ImportBatch.Status.CHECKED).first()
    if batch is None or batch.created_by_id != getattr(staff_user(actor), "pk", None):
        raise NotFound()
    kind = kind_named(batch.kind)
    _require_kind(actor, kind)
    return _run(actor, kind, read_file(batch.content.encode()), commit=True, file_name=batch.file_name, batch=batch)


def _last_in_effect() -> ImportBatch | None:
    return (ImportBatch.objects.select_for_update().filter(status=ImportBatch.Status.IMPORTED)
            .order_by("-imported_at", "-pk").first())


@atomic_service
def import_undo(*, actor: Actor, batch_id: int | None = None) -> ImportBatch:
    """Undo the last import still in effect (or refuse `batch_id` when it is not that one), through the owning
    services: providers, rooms, equipment, types and staff accounts are deactivated, templates removed, appointments
    marked entered in error. Refused while anything it created has been used since; all or nothing."""
    if not (has_perm(actor, Perm.PRACTICE_ADMIN) or has_perm(actor, Perm.USER_ADMIN)):
        require(actor, Perm.PRACTICE_ADMIN, resource_type="importbatch")
    last = _last_in_effect()
    if batch_id is not None and (last is None or last.pk != batch_id):
        wanted = ImportBatch.objects.filter(pk=batch_id).first()
        if wanted is None or wanted.status != ImportBatch.Status.IMPORTED:
            raise Conflict("not-in-effect", _("This import is not in effect (it was undone, or never imported)."))
        assert last is not None
        raise Conflict("not-last", _("Only the last import can be undone, and a later one exists (%(kind)s, "
                                     "%(file)s). Undo that one first.")
                       % {"kind": last.get_kind_display(), "file": last.file_name})
    if last is None:
        raise Conflict("nothing-to-undo", _("There is no import to undo."))
    kind = kind_named(last.kind)
    _require_kind(actor, kind)
    created: dict[str, list[int]] = defaultdict(list)
    for model, object_id in last.created_objects.order_by("pk").values_list("model", "object_id"):
        created[model].append(object_id)
    for model, ids in created.items():
        if reason := kind.used(model, ids):
            raise Conflict("import-used", _("This import cannot be undone: %(reason)s") % {"reason": reason})
    for model, ids in created.items():
        kind.undo(actor, model, ids)
    last.status, last.undone_at, last.undone_by = ImportBatch.Status.UNDONE, clock.now(), staff_user(actor)
    last.save(update_fields=["status", "undone_at", "undone_by"])
    record(actor, "import.undo", last, detail={"kind": last.kind, "records": sum(len(i) for i in created.values())})
    return last


@atomic_service
def import_passwords_issue(*, actor: Actor, batch_id: int) -> list[tuple[str, str]]:
    """Once per staff import: a one-time temporary password for each account it created, through
    `accounts.services.user_password_reset` (each must be changed at first sign-in). (username, password) pairs;
    shown once, never stored."""
    require(actor, Perm.USER_ADMIN, resource_type="importbatch", resource_id=batch_id)
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, kind="staff").first()
    if batch is None:
        raise NotFound()
    if batch.status != ImportBatch.Status.IMPORTED:
        raise Conflict("not-in-effect", _("This import is not in effect (it was undone, or never imported)."))
    if batch.passwords_issued_at is not None:
        raise Conflict("passwords-issued", _("The temporary passwords of this import were shown once already. Reset "
                                             "a password on the staff member's page if it was lost."))
    ids = list(batch.created_objects.filter(model="user").values_list("object_id", flat=True))
    issued = [(user.username, accounts_services.user_password_reset(actor=actor, user_id=user.pk))
              for user in User.objects.filter(pk__in=ids, is_active=True).order_by("username")]
    batch.passwords_issued_at = clock.now()
    batch.save(update_fields=["passwords_issued_at"])
    record(actor, "import.passwords", batch, detail={"accounts": len(issued)})
    return issued
