"""`clinicdesk import <kind> FILE.csv [--dry-run] [--as USER]` and `clinicdesk import undo [--as USER]`.

Kinds: providers, rooms, equipment, appointment_types, availability, staff, appointments (docs/imports.md), and
patients (the patients app's own import, delegated with its options). Every problem is printed by line and column;
the exit code is non-zero when there is one (nothing is then written). Without --as the operator at the server
acts, audited as `system:import`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from clinicdesk.core import request_context
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.permissions import Perm, SystemActor
from clinicdesk.imports.services import KINDS, Report, import_check, import_file, import_undo

OPERATOR = SystemActor("import", frozenset({Perm.PRACTICE_ADMIN, Perm.USER_ADMIN, Perm.SCHEDULE_WRITE,
                                            Perm.SCHEDULE_READ, Perm.PATIENT_READ}))


class Command(BaseCommand):
    help = "Import providers, rooms, equipment, appointment types, availability, staff, appointments or patients " \
           "from a CSV file (all or nothing), or undo the last import."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*KINDS, "patients", "undo"])
        parser.add_argument("file", nargs="?", default="")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; save nothing.")
        parser.add_argument("--as", dest="username", default="", help="Act as this staff user.")
        # The patients import's own options (see clinicdesk/patients/management/commands/import.py).
        parser.add_argument("--partial", action="store_true", help="patients: save the good rows even if some are bad.")
        parser.add_argument("--allow-duplicates", action="store_true", help="patients: register likely duplicates.")
        parser.add_argument("--location", default="", help="patients: location code for rows without one.")
        parser.add_argument("--no-progress", action="store_true", help="patients: no progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "patients":
            patients = load_command_class("clinicdesk.patients", "import")
            patients.stdout, patients.stderr = self.stdout, self.stderr
            patients.handle(*args, **options)
            return
        actor: Any = OPERATOR
        if options["username"]:
            actor = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user '{options['username']}'.")
        token = request_context.bind(request_context.RequestInfo(channel="cli"))
        try:
            with translation.override(getattr(actor, "language", None) or translation.get_language()):
                if options["kind"] == "undo":
                    self._undo(actor)
                else:
                    self._import(actor, options)
        finally:
            request_context.reset(token)

    def _undo(self, actor: Any) -> None:
        try:
            batch = import_undo(actor=actor)
        except DomainError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(self.style.SUCCESS(f"Undone: {batch.get_kind_display()} from {batch.file_name} "
                                             f"({batch.rows} rows)."))

    def _import(self, actor: Any, options: dict[str, Any]) -> None:
        if not options["file"]:
            raise CommandError("Name the CSV file to import.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        run = import_check if options["dry_run"] else import_file
        try:
            report: Report = run(actor=actor, kind=options["kind"], data=data, file_name=path.name)
        except DomainError as error:
            raise CommandError(f"{path.name}: {error.detail} Nothing was saved.") from error
        for problem in report.problems:
            where = f"line {problem.line}" + (f", {problem.column}" if problem.column else "")
            self.stdout.write(f"{where}: {problem.message}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s) in {report.rows} rows; nothing was saved.")
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {report.rows} rows ready; nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {report.rows} rows (import {report.batch_id}). "
                                                 "`clinicdesk import undo` reverses it."))
