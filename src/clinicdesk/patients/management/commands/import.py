"""`clinicdesk import patients FILE.csv [--dry-run]`: bring patients over from another system.

Every row goes through the same registration service as the front desk (validation, duplicate
checks, audit). All or nothing by default: one bad row saves nothing, and every bad row is
reported with its line number and field. `--dry-run` checks the whole file and saves nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from clinicdesk.core import request_context
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.services import patients_import
from clinicdesk.patients.services.importer import read_csv
from clinicdesk.practice.models import Location


class SystemActor:
    """The operator at the command line: practice-wide, audited as 'cli:import'."""

    pk = None
    is_authenticated = True
    is_active = True
    role = Role.PRACTICE_COORDINATOR.value
    practice_wide = True

    def get_username(self) -> str:
        return "cli:import"

    def works_at(self, location_id: Any) -> bool:
        return True

    def location_ids(self) -> frozenset[Any]:
        return frozenset(Location.objects.values_list("pk", flat=True))


class Command(BaseCommand):
    help = "Import patients from a CSV file (all or nothing unless --partial)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["patients"])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; save nothing.")
        parser.add_argument("--partial", action="store_true", help="Save the good rows even if some are bad.")
        parser.add_argument("--allow-duplicates", action="store_true",
                            help="Register rows that look like existing patients (they go to duplicate review).")
        parser.add_argument("--location", default="", help="Location code for rows without a 'location' column.")
        parser.add_argument("--as", dest="username", default="",
                            help="Import as this staff user (needs patient write permission).")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], newline="", encoding="utf-8-sig") as handle:
                header, rows = read_csv(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{options['file']} is not UTF-8 text.") from error
        except ValidationFailed as error:
            raise CommandError(f"{options['file']}: {error.detail} Nothing was saved.") from error
        locations = {loc.code: loc for loc in Location.objects.filter(active=True)}
        default = locations.get(options["location"]) if options["location"] else None
        if options["location"] and default is None:
            raise CommandError(f"No active location with code '{options['location']}'.")
        if default is None and len(locations) == 1:
            default = next(iter(locations.values()))
        actor: Any = SystemActor()
        if options["username"]:
            actor = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user '{options['username']}'.")
        bar = tqdm(total=len(rows), unit="row", desc="patients", disable=options["no_progress"],
                   file=self.stderr._out)
        token = request_context.bind(request_context.RequestInfo(channel="cli"))
        try:
            report = patients_import(actor=actor, rows=rows, header=header, locations=locations,
                                     default_location=default, dry_run=options["dry_run"],
                                     all_or_nothing=not options["partial"],
                                     allow_duplicates=options["allow_duplicates"], progress=bar.update)
        finally:
            request_context.reset(token)
            bar.close()
        for problem in report.problems:
            self.stdout.write(f"line {problem.row}, {problem.field}: {problem.message}")
        summary = (f"{report.rows} rows, {report.failed_rows} with errors, "
                   f"{report.created} patients {'saved' if report.committed else 'would be saved'}")
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {summary}; nothing was saved.")
        elif report.problems and not options["partial"]:
            raise CommandError(f"{summary}. Nothing was saved: fix the rows above and run again "
                               "(or --partial to save the good rows).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}."))
        if report.problems and options["dry_run"]:
            raise CommandError(f"{report.failed_rows} rows need fixing.")
