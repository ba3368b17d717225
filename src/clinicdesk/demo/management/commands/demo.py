from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from clinicdesk.demo.builder import DEMO_PASSWORD, DemoBuilder
from clinicdesk.practice.models import Organization


class Command(BaseCommand):
    help = "Build a reproducible demo practice: clinicdesk demo --patients N --weeks W --seed S"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=2000)
        parser.add_argument("--weeks", type=int, default=4, help="weeks of appointments, half past, half future")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a practice exists")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["patients"] < 0 or options["weeks"] < 0:
            raise CommandError("--patients and --weeks must not be negative.")
        if Organization.objects.exists():
            if options["if_empty"]:
                self.stdout.write("A practice already exists; demo data not loaded.")
                return
            raise CommandError("This database already holds a practice. Use an empty database for demo data.")
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=stage, unit=" rows"
                                                                  if stage == "patients" else " days"))
            bar.update(done - bar.n)

        started = time.perf_counter()
        summary = DemoBuilder(seed=options["seed"], progress=progress).build(
            patients=options["patients"], weeks=options["weeks"])
        for bar in bars.values():
            bar.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo practice built in {elapsed:.1f} s: {summary.patients} patients, "
            f"{summary.appointments} appointments, {summary.visits_today} patients in the building today, "
            f"{len(summary.staff)} staff."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
