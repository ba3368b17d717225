"""`clinicdesk restore FILE`: checks an archive, restores it into an empty database and document folder,
then verifies the audit chain and every count against the archive's manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.core.progress import ProgressBars, add_progress_arguments
from clinicdesk.ops.services import BackupError, RestoreVerificationFailed, backup_restore

from ._output import describe


class Command(BaseCommand):
    help = ("Restore a `clinicdesk backup` archive into the database in DATABASE_URL and the document folder. "
            "Every checksum is checked before anything is touched; the target must be empty unless --force. "
            "Afterwards the audit chain is verified and every table's row count compared with the archive. "
            "Stop the app servers and workers first; on PostgreSQL connect as the owner role.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an archive written by `clinicdesk backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already has tables and write over stored documents")
        parser.add_argument("--check", action="store_true",
                            help="only check the archive (format, engine, checksums); change nothing")
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with ProgressBars(self.stderr._out, enabled=not options["no_progress"],
                              units={"checksums": " files", "documents": " files", "audit trail": " entries"}) as bars:
                summary = backup_restore(source=options["file"], force=options["force"], check_only=options["check"],
                                         progress=bars)
        except RestoreVerificationFailed as error:
            self._problems(error.problems)
            raise CommandError(f"RESTORE FAILED VERIFICATION: {error}") from error
        except BackupError as error:
            self._problems(error.problems)
            raise CommandError(f"Restore refused: {error}") from error
        describe(self, summary, verbose=options["verbosity"] > 1)
        if options["check"]:
            self.stdout.write(self.style.SUCCESS("Archive checked: every checksum matches; nothing was changed."))
            return
        if summary.left_in_place:
            self.stdout.write(f"{summary.left_in_place} files that were already stored and are not in the archive "
                              "were left in place.")
        if summary.pending_migrations:
            self.stdout.write(self.style.WARNING(
                f"{len(summary.pending_migrations)} migrations of this code are newer than the archive: "
                "run `clinicdesk migrate` (as the owner role) before starting the app."))
        self.stdout.write(self.style.SUCCESS(
            f"Restored and verified: audit trail intact ({summary.audit_length} entries, same head), "
            f"{len(summary.tables)} tables with the archive's row counts, {summary.documents} documents."))

    def _problems(self, problems: list[str]) -> None:
        for problem in problems[:50]:
            self.stderr.write(f"  {problem}")
        if len(problems) > 50:
            self.stderr.write(f"  … and {len(problems) - 50} more")
