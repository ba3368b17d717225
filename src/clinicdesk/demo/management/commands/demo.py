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
        parser.add_argument("--history-years", type=float, default=2.0,
                            help="years of past appointments before the weeks (the dashboards', forecast's and "
                                 "no-show model's history; 0 for none)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a practice exists")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["patients"] < 0 or options["weeks"] < 0 or options["history_years"] < 0:
            raise CommandError("--patients, --weeks and --history-years must not be negative.")
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
            patients=options["patients"], weeks=options["weeks"], history_years=options["history_years"])
        for bar in bars.values():
            bar.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo practice built in {elapsed:.1f} s: {summary.patients} patients, "
            f"{summary.appointments} appointments, {summary.visits_today} patients in the building today, "
            f"{len(summary.staff)} staff."))
        if summary.insight:
            self.stdout.write("History: {} past appointments ({} s); no-show model AUC {} (trained in {} s), "
                              "forecast MASE {} ({} s).".format(summary.history, summary.history_seconds,
                                                                summary.insight.get("auc"),
                                                  summary.insight.get("train_seconds"), summary.insight.get("mase"),
                                                  summary.insight.get("forecast_seconds")))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
