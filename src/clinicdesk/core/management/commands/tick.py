"""`clinicdesk tick`: the ticker that `clinicdesk serve` starts beside the worker (or run it from cron with --once)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.core import periodic


class Command(BaseCommand):
    help = ("Enqueue periodic housekeeping (due reminders, recalls, triage escalation) for the background worker. "
            "Runs until stopped; --once runs every job once and exits.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=15.0, help="seconds between checks (default 15)")
        parser.add_argument("--once", action="store_true", help="run every job once and exit (for cron)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for job in periodic.JOBS.values():
                job.last_run = None
            ran = periodic.run_due(time.monotonic())
            self.stdout.write(f"enqueued: {', '.join(ran) or 'nothing due'}")
            return
        self.stdout.write(f"ticking every {options['every']:g} s: {', '.join(sorted(periodic.JOBS))}")
        try:
            while True:
                periodic.run_due(time.monotonic())
                time.sleep(options["every"])
        except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; stop quietly
            return
