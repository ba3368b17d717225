from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.audit.services import chain_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'clinicdesk audit verify' checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if not report.ok:
            raise CommandError(f"Audit trail BROKEN after {report.checked} good entries: {report.problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} entries verified."))
