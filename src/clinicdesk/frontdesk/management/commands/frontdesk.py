"""`clinicdesk frontdesk escalate`: run from cron or the worker's ticker every few minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.frontdesk.services import slips_escalate_due


class Command(BaseCommand):
    help = "Front-desk housekeeping: escalate unanswered triage slips to the practice coordinator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["escalate"])

    def handle(self, *args: Any, **options: Any) -> None:
        count = slips_escalate_due()
        self.stdout.write(f"escalated {count} triage slip(s)")
