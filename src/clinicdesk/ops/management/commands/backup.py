"""`clinicdesk backup FILE`: the database and every stored document in one checked tar archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.core import request_context
from clinicdesk.core.progress import ProgressBars, add_progress_arguments
from clinicdesk.ops.services import BackupError, backup_create

from ._output import describe


class Command(BaseCommand):
    help = ("Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite) and the stored "
            "documents into one tar archive with a manifest of counts and SHA-256 checksums. Safe while the app "
            "runs. The archive holds patient data: keep it encrypted and off the app servers.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. clinicdesk-2026-11-23.tar (new file)")
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        token = request_context.bind(request_context.RequestInfo(channel="cli"))
        try:
            with ProgressBars(self.stderr._out, enabled=not options["no_progress"],
                              units={"checksums": " files", "archive": " files"}) as bars:
                summary = backup_create(destination=options["file"], progress=bars)
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
        finally:
            request_context.reset(token)
        describe(self, summary, verbose=options["verbosity"] > 1)
        self.stdout.write(self.style.SUCCESS(f"Backup written: {summary.path} ({summary.size:,} bytes)."))
