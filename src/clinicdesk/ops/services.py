"""Backup and restore of a whole practice: the database and the stored documents, in one tar archive.

    manifest.json              what is inside and how to check it (the first member)
    database/postgresql.dump   pg_dump --format=custom   (on SQLite: database/sqlite3.db, an online-backup copy)
    documents/<storage name>   every file under the document storage root, byte for byte

The manifest holds the format version, when and from which engine the archive was made, the applied
migrations, the row count of every table, the audit chain's length and head hash, and the SHA-256 and
size of every other member. Counts, migrations and chain head describe exactly the database copy in the
archive: on PostgreSQL they are read inside the snapshot that pg_dump is handed (`--snapshot`), on SQLite
from the copy itself. The database is copied before the documents, and a document's file is written
before its row commits, so every document row in the copy has its file in the archive.

A restore reads the manifest, refuses a non-empty target unless forced, checks every checksum before it
touches anything, restores the database (in one transaction on PostgreSQL) and the documents, then walks
the audit chain and compares every count with the manifest. Any difference raises RestoreVerificationFailed.

Counts and the chain head are read with plain SQL because they come from connections the ORM does not
manage (the exported snapshot, the SQLite copy). Messages carry table names, member names (opaque
storage names) and counts, never row contents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient
from django.db.backends.utils import CursorWrapper
from django.db.migrations.loader import MigrationLoader

from clinicdesk.audit.anchor import anchor_append
from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import audit_seal, chain_verify, record
from clinicdesk.core import clock

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/postgresql.dump", "sqlite": "database/sqlite3.db"}
DOCUMENTS = "documents/"
EMPTY_HASH = "0" * 64
_CHUNK = 1024 * 1024
_MAX_MANIFEST_BYTES = 64 * 1024 * 1024

Progress = Callable[[str, int, int], None]  # (stage, done, total): the command draws it (core/progress.py)


def _quiet(stage: str, done: int, total: int) -> None:
    return None


class BackupError(Exception):
    """The backup or restore was refused or failed; `problems` lists why, one line each."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class RestoreVerificationFailed(BackupError):
    """The restore ran, but the database or documents do not match the archive: do not use them."""


@dataclass(frozen=True)
class ArchiveSummary:
    path: Path
    sha256: str  # of the archive file itself; `backup.create` in the audit trail records it too
    size: int
    created_at: str
    engine: str
    tables: dict[str, int]
    documents: int
    document_bytes: int
    audit_length: int
    audit_head: str
    pending_migrations: list[str] = field(default_factory=list)  # restore: this code has, the archive lacks
    left_in_place: int = 0  # restore --force: files already in storage that the archive does not hold

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- Shared helpers ------------------------------------------------------------------------------


def _vendor() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def documents_root() -> Path:
    """Where documents are stored: the default storage's folder (CLINICDESK_VAR/documents by default)."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(f"Documents are kept in {type(storage).__name__}, not in a folder; "
                          "back them up with that storage's own tools.")
    return Path(storage.location).resolve()


def _document_files(root: Path) -> list[tuple[str, Path]]:
    """Every regular file under the storage root as (relative POSIX name, path), sorted; links are skipped."""
    found: list[tuple[str, Path]] = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _describe(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        sha256, size = _digest(handle)
    return {"sha256": sha256, "size": size}


def _count(items: list[str], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor: CursorWrapper | sqlite3.Cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(row[0] for row in cursor.fetchall() if not row[0].startswith("sqlite_"))
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _database_state(cursor: CursorWrapper | sqlite3.Cursor, vendor: str) -> dict[str, Any]:
    """Row count of every table, applied migrations and the audit chain's end, read through `cursor`."""
    tables: dict[str, int] = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (a quoted catalogue name)
        tables[table] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in sorted(cursor.fetchall()):
            migrations.setdefault(app, []).append(name)
    audit = {"length": 0, "head_position": 0, "head_hash": EMPTY_HASH}
    entries = AuditEntry._meta.db_table
    if entries in tables:
        cursor.execute(f"SELECT position, entry_hash FROM {_quote(entries)} "  # noqa: S608 (model's table name)
                       "WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1")  # the sealed end (ADR 0007)
        last = cursor.fetchone()
        if last is not None:
            audit = {"length": tables[entries], "head_position": int(last[0]), "head_hash": last[1]}
    return {"tables": tables, "migrations": migrations, "audit": audit}


def _postgres_command(program: str) -> tuple[list[str], dict[str, str]]:
    """`program` with the connection options of the default database; the password travels in the environment."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed: install the PostgreSQL client tools "
                          "(the server's major version or newer).")
    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    _psql_args, extra_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    args = [executable, "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"), ("--dbname", "NAME")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    return args, {**os.environ, **(extra_env or {})}


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # DETAIL and CONTEXT lines can quote row contents (a duplicate key, a COPY line): leave them out.
        lines = [line for line in result.stderr.splitlines()
                 if line.strip() and not line.lstrip().startswith(("DETAIL:", "CONTEXT:", "LINE "))]
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}): "
                          + " / ".join(lines[-5:]))


# --- Backup --------------------------------------------------------------------------------------


def _postgres_dump(target: Path) -> dict[str, Any]:
    """pg_dump in the snapshot that the counts are read from, so that both describe the same instant."""
    snapshot_connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        snapshot_connection.ensure_connection()
        raw = snapshot_connection.connection
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = _database_state(cursor, "postgresql")
            args, env = _postgres_command("pg_dump")
            _run([*args, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env)
        state["server_version"] = str(raw.info.server_version)
        raw.rollback()
    finally:
        snapshot_connection.close()
    return state


def _sqlite_name() -> str:
    name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:
        raise BackupError("The SQLite database is in memory; there is nothing on disk to back up or restore into.")
    return name


def _sqlite_copy(target: Path) -> dict[str, Any]:
    """SQLite's online backup: a consistent copy even while the app writes (WAL), then counted."""
    name = _sqlite_name()
    if not Path(name).is_file():
        raise BackupError(f"There is no SQLite database at {name}.")
    source = sqlite3.connect(name, timeout=20)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            state = _database_state(copy.cursor(), "sqlite")
        finally:
            copy.close()
    finally:
        source.close()
    state["server_version"] = sqlite3.sqlite_version
    return state


class _HashingReader:
    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


class _HashingWriter:
    """The archive file, hashed as tarfile writes it (no second pass over a large archive)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.handle.flush()


def _add(tar: tarfile.TarFile, name: str, handle: IO[bytes], size: int, *, mode: int, mtime: float) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, int(mtime)
    reader = _HashingReader(handle)
    tar.addfile(info, reader)
    return reader.digest.hexdigest()


def backup_create(*, destination: Path, progress: Progress | None = None) -> ArchiveSummary:
    """Write one archive of the default database and every stored document to `destination` (a new file).

    `progress(stage, done, total)` hears the documents being checksummed, then the members being archived."""
    tell = progress or _quiet
    destination = Path(destination).absolute()
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    vendor = _vendor()
    root = documents_root()
    if destination.resolve().is_relative_to(root):
        raise BackupError("Write the archive outside the document storage folder.")
    database_member = DATABASE_MEMBERS[vendor]
    audit_seal()  # the manifest's audit head then covers every entry committed so far (ADR 0007)
    with tempfile.TemporaryDirectory(prefix=".clinicdesk-backup-", dir=destination.parent) as work:
        database_file = Path(work) / PurePosixPath(database_member).name
        state = _postgres_dump(database_file) if vendor == "postgresql" else _sqlite_copy(database_file)
        documents = _document_files(root)
        files = {database_member: _describe(database_file)}
        tell("checksums", 0, len(documents))
        for done, (relative, path) in enumerate(documents, start=1):
            files[DOCUMENTS + relative] = _describe(path)
            tell("checksums", done, len(documents))
        created_at = clock.now().astimezone(dt.UTC).isoformat()
        manifest = {
            "format": "clinicdesk-backup",
            "format_version": FORMAT_VERSION,
            "created_at": created_at,
            "clinicdesk_version": _clinicdesk_version(),
            "database": {"engine": vendor, "server_version": state["server_version"], "member": database_member},
            "migrations": state["migrations"],
            "tables": state["tables"],
            "audit": state["audit"],
            "files": files,
        }
        encoded = json.dumps(manifest, indent=2, sort_keys=True).encode()
        partial = Path(work) / "archive.tar"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds patient data
        with os.fdopen(descriptor, "wb") as raw:
            writer = _HashingWriter(raw)
            with tarfile.open(fileobj=writer, mode="w", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                with tempfile.TemporaryFile() as manifest_file:
                    manifest_file.write(encoded)
                    manifest_file.seek(0)
                    _add(tar, MANIFEST, manifest_file, len(encoded), mode=0o600, mtime=clock.now().timestamp())
                members = [(database_member, database_file), *((DOCUMENTS + rel, path) for rel, path in documents)]
                tell("archive", 0, len(members))
                for done, (name, path) in enumerate(members, start=1):
                    with path.open("rb") as handle:
                        status = os.fstat(handle.fileno())
                        mode = 0o600 if name == database_member else status.st_mode & 0o777
                        digest = _add(tar, name, handle, files[name]["size"], mode=mode, mtime=status.st_mtime)
                    if digest != files[name]["sha256"]:
                        raise BackupError(f"{name} changed while it was being archived; run the backup again.")
                    tell("archive", done, len(members))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, destination)
    summary = ArchiveSummary(
        path=destination, sha256=writer.digest.hexdigest(), size=writer.size, created_at=created_at, engine=vendor,
        tables=state["tables"], documents=len(documents),
        document_bytes=sum(files[DOCUMENTS + rel]["size"] for rel, _path in documents),
        audit_length=state["audit"]["length"], audit_head=state["audit"]["head_hash"],
    )
    try:  # a copy of every chart is an export of every chart: the trail says who took it, and which file it is
        record(None, "backup.create", resource_type="backup", detail={
            "archive_sha256": summary.sha256, "audit_position": state["audit"]["head_position"],
            "tables": len(summary.tables), "rows": summary.rows, "documents": summary.documents})
    except Exception:
        destination.unlink(missing_ok=True)
        raise
    # The chain's end goes to the audit anchor too, outside the database (clinicdesk.audit.anchor): a trail
    # later truncated or rewritten behind the app's back no longer reaches it. The manifest holds it as well.
    try:
        anchor_append(source="backup", position=state["audit"]["head_position"],
                      entry_hash=state["audit"]["head_hash"])
    except OSError as error:
        raise BackupError(f"The archive {destination} was written, but the audit anchor could not be updated "
                          f"({error.strerror}): fix its permissions and run `clinicdesk audit anchor`.") from error
    return summary


def _clinicdesk_version() -> str:
    try:
        return metadata.version("clinicdesk")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- Restore -------------------------------------------------------------------------------------


def _open(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, mode="r:*")
    except FileNotFoundError as error:
        raise BackupError(f"There is no file at {source}.") from error
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{source} is not a readable tar archive ({error}).") from error


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError as error:
        raise BackupError("This is not a Clinicdesk backup: it has no manifest.json.") from error
    handle = tar.extractfile(member)
    if handle is None or member.size > _MAX_MANIFEST_BYTES:
        raise BackupError("The archive's manifest.json is not a readable file.")
    try:
        manifest = json.loads(handle.read())
    except ValueError as error:
        raise BackupError("The archive's manifest.json is not valid JSON.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != "clinicdesk-backup":
        raise BackupError("This is not a Clinicdesk backup manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"The archive has format version {manifest.get('format_version')}; "
                          f"this Clinicdesk reads version {FORMAT_VERSION}.")
    shapes = {"database": dict, "migrations": dict, "tables": dict, "audit": dict, "files": dict}
    if any(not isinstance(manifest.get(key), kind) for key, kind in shapes.items()):
        raise BackupError("The archive's manifest is incomplete.")
    return manifest


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and "" not in name.split("/")
            and (name in DATABASE_MEMBERS.values() or (name.startswith(DOCUMENTS) and len(path.parts) > 1)))


def _check_members(tar: tarfile.TarFile, manifest: dict[str, Any], tell: Progress = _quiet) -> list[str]:
    """Read every member once and compare it with the manifest; problems as lines (names and sizes only)."""
    expected: dict[str, Any] = manifest["files"]
    problems: list[str] = []
    seen: set[str] = set()
    members = tar.getmembers()
    for done, member in enumerate(members):
        tell("checksums", done, len(members))
        name = member.name
        if name in seen:
            problems.append(f"{name}: appears twice")
            continue
        seen.add(name)
        if name == MANIFEST:
            continue
        if name not in expected:
            problems.append(f"{name}: not listed in the manifest")
            continue
        if not member.isfile() or not _safe_member_name(name):
            problems.append(f"{name}: not a plain file inside database/ or documents/")
            continue
        handle = tar.extractfile(member)
        if handle is None:
            problems.append(f"{name}: cannot be read")
            continue
        sha256, size = _digest(handle)
        if (sha256, size) != (expected[name].get("sha256"), expected[name].get("size")):
            problems.append(f"{name}: checksum does not match the manifest")
    tell("checksums", len(members), len(members))
    problems += [f"{name}: listed in the manifest but missing" for name in sorted(set(expected) - seen)]
    if manifest["database"].get("member") not in expected:
        problems.append("the manifest lists no database copy")
    return problems


def _migration_problems(manifest: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(archive migrations this code does not have, in Clinicdesk's own apps; migrations the archive lacks)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    own = {config.label for config in apps.get_app_configs() if config.name.startswith("clinicdesk.")}
    unknown = sorted(f"{app}.{name}" for app, name in archived - known if app in own)
    pending = sorted(f"{app}.{name}" for app, name in known - archived)
    return unknown, pending


def _check_target(vendor: str, root: Path, *, force: bool) -> tuple[list[str], list[tuple[str, Path]]]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        tables = _tables(cursor, vendor)
    stored = _document_files(root) if root.exists() else []
    if (tables or stored) and not force:
        raise BackupError(
            f"The target is not empty: the database has {len(tables)} tables and the document storage "
            f"holds {len(stored)} files. Restore into a new, empty database and document folder, "
            "or pass --force to replace what is there.")
    return tables, stored


def _extract(tar: tarfile.TarFile, name: str, expected: dict[str, Any], target: Path) -> None:
    """Copy one member to `target` through a temporary file, checking its checksum on the way."""
    member = tar.getmember(name)
    source = tar.extractfile(member)
    if source is None:
        raise BackupError(f"{name}: cannot be read")
    partial = target.with_name(f".{target.name}.restoring")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, member.mode & 0o777 or 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        digest = hashlib.sha256()
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    if digest.hexdigest() != expected["sha256"]:
        partial.unlink(missing_ok=True)
        raise RestoreVerificationFailed(f"{name} changed while it was being restored.")
    os.replace(partial, target)


def _postgres_restore(dump: Path, *, replace: bool) -> None:
    """pg_restore in one transaction: it either restores everything or changes nothing.

    Objects end up owned by the role in DATABASE_URL (--no-owner): run the restore as the owner role."""
    connections[DEFAULT_DB_ALIAS].close()
    args, env = _postgres_command("pg_restore")
    args += ["--exit-on-error", "--single-transaction", "--no-owner"]
    if replace:
        args += ["--clean", "--if-exists"]
    _run([*args, str(dump)], env)


def _sqlite_restore(copy: Path) -> None:
    """The online backup API in reverse: the target's pages are replaced in one write transaction."""
    connections[DEFAULT_DB_ALIAS].close()
    source = sqlite3.connect(copy)
    try:
        target = sqlite3.connect(_sqlite_name(), timeout=20)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _verify(manifest: dict[str, Any], vendor: str, tell: Progress = _quiet) -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    with connection.cursor() as cursor:
        state = _database_state(cursor, vendor)
    problems = []
    for table, expected in sorted(manifest["tables"].items()):
        actual = state["tables"].get(table)
        if actual is None:
            problems.append(f"table {table} is missing")
        elif actual != expected:
            problems.append(f"table {table} has {actual} rows; the archive says {expected}")
    if state["migrations"] != manifest["migrations"]:
        problems.append("the applied migrations differ from the archive's")
    # The manifest is this copy's anchor; the restored end is anchored after.
    report = chain_verify(anchor=False, progress=tell)
    if not report.ok:
        problems.append(f"the audit trail is broken after {report.checked} good entries: {report.problem}")
    if state["audit"] != manifest["audit"]:
        found, wanted = state["audit"], manifest["audit"]
        problems.append(f"the audit trail ends at entry {found['head_position']} ({found['head_hash'][:12]}…); "
                        f"the archive says {wanted.get('head_position')} ({str(wanted.get('head_hash'))[:12]}…)")
    return problems


def backup_restore(*, source: Path, force: bool = False, check_only: bool = False,
                   progress: Progress | None = None) -> ArchiveSummary:
    """Restore an archive into the default database and the document storage, then prove it came back whole.

    Nothing is touched until the target was found empty (or `force`) and every checksum matched.
    `check_only` stops there. A mismatch after restoring raises RestoreVerificationFailed.
    `progress(stage, done, total)` hears the checksums, the documents restored and the audit chain's walk."""
    tell = progress or _quiet
    source = Path(source)
    vendor = _vendor()
    root = documents_root()
    with _open(source) as tar:
        manifest = _read_manifest(tar)
        engine = manifest["database"].get("engine")
        if engine != vendor:
            raise BackupError(f"The archive holds a {engine} database; the target is {vendor}.")
        unknown, pending = _migration_problems(manifest)
        if unknown:
            raise BackupError(f"The archive comes from a newer Clinicdesk ({len(unknown)} migrations this code does "
                              f"not have, e.g. {unknown[0]}): upgrade the code first.", unknown)
        tables: list[str] = []
        stored: list[tuple[str, Path]] = []
        if not check_only:
            tables, stored = _check_target(vendor, root, force=force)
        problems = _check_members(tar, manifest, tell)
        if problems:
            raise BackupError(f"The archive is damaged or was altered ({_count(problems, 'problem')}); "
                              "nothing was restored.", problems)
        files: dict[str, Any] = manifest["files"]
        documents = sorted(name for name in files if name.startswith(DOCUMENTS))
        left_in_place = 0
        if not check_only:
            database_member = manifest["database"]["member"]
            with tempfile.TemporaryDirectory(prefix="clinicdesk-restore-") as work:
                copy = Path(work) / PurePosixPath(database_member).name
                _extract(tar, database_member, files[database_member], copy)
                if vendor == "postgresql":
                    _postgres_restore(copy, replace=bool(tables))
                else:
                    _sqlite_restore(copy)
            root.mkdir(parents=True, exist_ok=True)
            tell("documents", 0, len(documents))
            for done, name in enumerate(documents, start=1):
                target = root / name[len(DOCUMENTS):]
                if not target.parent.resolve().is_relative_to(root):
                    raise RestoreVerificationFailed(f"{name} would land outside the document folder.")
                target.parent.mkdir(parents=True, exist_ok=True)
                _extract(tar, name, files[name], target)
                tell("documents", done, len(documents))
            restored = {DOCUMENTS + relative for relative, _path in _document_files(root)}
            left_in_place = len({DOCUMENTS + relative for relative, _path in stored} - set(documents))
            missing = set(documents) - restored
            problems = [f"{name} is missing after the restore" for name in sorted(missing)]
            problems += _verify(manifest, vendor, tell)
            if problems:
                raise RestoreVerificationFailed(
                    f"The restored copy does not match the archive ({_count(problems, 'problem')}): do not use it.",
                    problems)
            # This database's history starts again at the archive's end: earlier marks of a longer trail no
            # longer apply. Only whoever runs restore on the server can write this line, not the database.
            anchor_append(source="restore", position=int(manifest["audit"].get("head_position", 0)),
                          entry_hash=str(manifest["audit"].get("head_hash", EMPTY_HASH)))
    return ArchiveSummary(
        path=source, sha256=_describe(source)["sha256"], size=source.stat().st_size,
        created_at=str(manifest.get("created_at", "")), engine=vendor, tables=dict(manifest["tables"]),
        documents=len(documents), document_bytes=sum(int(files[name]["size"]) for name in documents),
        audit_length=int(manifest["audit"].get("length", 0)), audit_head=str(manifest["audit"].get("head_hash")),
        pending_migrations=pending, left_in_place=left_in_place,
    )
