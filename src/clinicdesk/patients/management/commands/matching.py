"""`clinicdesk matching train [--dry-run]`: estimate the duplicate matcher's weights from this practice's
charts (Fellegi-Sunter EM, issue #17) and store them in var/matching/model.json. `clinicdesk matching show`
prints the weights in use."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.patients import matching_model
from clinicdesk.patients.services.matching_training import TRAINER, matching_train


class Command(BaseCommand):
    help = "Train the patient matcher on this practice's charts (train), or show the weights in use (show)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["train", "show"])
        parser.add_argument("--dry-run", action="store_true", help="Estimate and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            summary = matching_train(actor=TRAINER, save=not options["dry_run"])
            if summary.get("saved"):
                self.stdout.write(f"trained on {summary['charts']} charts ({summary['pairs']} blocked pairs); "
                                  f"written to {summary['path']}")
            elif "pairs" in summary:
                self.stdout.write(f"estimated on {summary['charts']} charts ({summary['pairs']} blocked pairs); "
                                  "dry run: nothing written")
            else:
                self.stdout.write(f"only {summary['charts']} charts: the shipped defaults stay in use")
            return
        model = matching_model.current()
        self.stdout.write(f"source: {model.source} {model.trained_at} ({model.records} charts)")
        for name, weights in model.weights.items():
            shown = ", ".join(f"{level} {weight:+.1f}" for level, weight in weights.items())
            self.stdout.write(f"  {name:12} {shown}")
