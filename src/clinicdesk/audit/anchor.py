"""The audit anchor: the chain's end (position and hash), written down outside the database.

Someone with the database alone can TRUNCATE the trail and reset its head, or rewrite its tail with
self-consistent hashes; the chain then checks out. The anchor is an append-only file of JSON lines on
the app server (settings.AUDIT_ANCHOR_PATH, by default CLINICDESK_VAR/audit-anchor.jsonl), written by
every backup, by the ticker every AUDIT_ANCHOR_SECONDS (300 by default) and by a restore. `chain_verify`
reads it: the trail must still reach every anchored position, with the anchored hash.

Each line names the database it describes (engine, host, port, name), so one file can serve several
databases. A "restore" or "created" line starts the database's history afresh: after a restore of an
older archive, or a database created by `migrate`, earlier marks no longer apply. Only someone who can
write on the app server (where the operator runs restore and migrate) can add such a line.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from clinicdesk.core import clock

logger = logging.getLogger(__name__)

RESETS = frozenset({"restore", "created"})
EMPTY_HASH = "0" * 64


@dataclass(frozen=True)
class AnchorMark:
    position: int
    hash: str
    source: str
    at: str


def anchor_path() -> Path:
    configured = getattr(settings, "AUDIT_ANCHOR_PATH", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-anchor.jsonl"


def database_identity(alias: str = DEFAULT_DB_ALIAS) -> str:
    """Which database a mark describes: engine and location, never credentials."""
    connection = connections[alias]
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:{Path(str(params['NAME'])).resolve()}"
    return f"{connection.vendor}://{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}/{params['NAME']}"


def anchor_append(*, source: str, position: int, entry_hash: str, path: Path | None = None) -> AnchorMark:
    """Append one mark (O_APPEND, fsynced). Raises OSError when the file cannot be written."""
    target = Path(path) if path is not None else anchor_path()
    mark = AnchorMark(position=int(position), hash=str(entry_hash), source=source,
                      at=clock.now().isoformat(timespec="seconds"))
    line = json.dumps({"database": database_identity(), "position": mark.position, "hash": mark.hash,
                       "source": mark.source, "at": mark.at}, sort_keys=True) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return mark


def anchor_marks(*, path: Path | None = None) -> list[AnchorMark]:
    """This database's marks since its last restore (or creation); [] when there is no anchor file yet."""
    source = Path(path) if path is not None else anchor_path()
    try:
        text = source.read_text()
    except FileNotFoundError:
        return []
    identity = database_identity()
    marks: list[AnchorMark] = []
    for line in text.splitlines():
        try:
            data: Any = json.loads(line)
            if not isinstance(data, dict) or data.get("database") != identity:
                continue
            mark = AnchorMark(position=int(data["position"]), hash=str(data["hash"]), source=str(data["source"]),
                              at=str(data.get("at", "")))
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line after a crash; the marks before it still count
        if mark.source in RESETS:
            marks = []
        marks.append(mark)
    return marks


def chain_end() -> tuple[int, str]:
    """The last sealed entry's position and hash (what backups put in their manifest), or (0, zeros)."""
    from .models import AuditEntry

    last = (AuditEntry.objects.filter(position__isnull=False).order_by("-position")
            .values_list("position", "entry_hash").first())
    return (int(last[0] or 0), str(last[1])) if last else (0, EMPTY_HASH)


_last_ticked: dict[str, tuple[int, str]] = {}


def anchor_tick() -> None:
    """The ticker's job: anchor the chain's end when it moved. Never raises (the ticker must keep going)."""
    from .services import audit_seal

    try:
        audit_seal()  # what is committed is anchored: a crashed process's unsealed tail is sealed first
        end = chain_end()
        key = f"{anchor_path()}|{database_identity()}"
        if end[0] == 0 or _last_ticked.get(key) == end:
            return
        anchor_append(source="tick", position=end[0], entry_hash=end[1])
        _last_ticked[key] = end
    except (OSError, DatabaseError) as error:
        logger.error("Could not anchor the audit chain: %s", type(error).__name__)


def anchor_new_database(*, plan: Any = None, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """post_migrate: when `migrate` has just created the audit table, this database starts a new history.

    Written only when the anchor already holds marks for this database (a dropped and re-created
    database under the same name), so that test databases do not fill the file."""
    if using != DEFAULT_DB_ALIAS or not plan:
        return
    created = any(migration.app_label == "audit" and migration.name == "0001_initial" and not backwards
                  for migration, backwards in plan)
    if created and anchor_marks() and chain_end()[0] == 0:
        try:
            anchor_append(source="created", position=0, entry_hash=EMPTY_HASH)
        except OSError as error:
            logger.error("Could not anchor the new audit chain: %s", type(error).__name__)
