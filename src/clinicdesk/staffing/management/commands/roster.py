"""`clinicdesk roster benchmark FILE --seconds N --out ROSTER.csv`: solve a benchmark instance.

FILE is in the Curtois & Qu shift-scheduling benchmark text format (schedulingbenchmarks.org, Instances 1-24).
The roster is written as CSV `staff,day,shift` (one row per assigned shift, the instance's IDs, day 0-based) and
one JSON line is printed: status (OPTIMAL or FEASIBLE), objective, lower bound, seconds and the cost of each
soft rule; `greedy_objective` is the cost of the engine's greedy starting roster and `from_greedy` says whether the
roster written is that one (CP-SAT found nothing better within the time limit). The objective printed is
recomputed from the roster by the independent evaluator; the command fails if it disagrees with the solver's or if
the roster breaks a hard rule.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.staffing.engine import InstanceError, evaluate, read_instance, solve


class Command(BaseCommand):
    help = ("Rostering tools. 'benchmark FILE --seconds N --out ROSTER.csv' solves an instance in the "
            "shift-scheduling benchmark text format within N seconds, writes the roster as CSV (staff,day,shift) "
            "and prints one JSON line (status, objective, lower_bound, seconds, breakdown).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["benchmark"])
        parser.add_argument("file", type=Path, help="the instance, in the benchmark's text format")
        parser.add_argument("--seconds", type=float, required=True, help="time limit for the solver")
        parser.add_argument("--out", type=Path, required=True, help="where to write the roster CSV")
        parser.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: one per core, max 8)")
        parser.add_argument("--seed", type=int, default=0, help="CP-SAT random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["seconds"]
        if not math.isfinite(seconds) or seconds <= 0:
            raise CommandError("--seconds must be a positive number.")
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        path: Path = options["file"]
        out: Path = options["out"]
        if not path.is_file():
            raise CommandError(f"No such instance file: {path}")
        if not out.parent.is_dir():
            raise CommandError(f"No such directory for --out: {out.parent}")
        try:
            instance = read_instance(path)
        except InstanceError as error:
            raise CommandError(f"{path.name}, {error}") from error
        result = solve(instance, seconds=seconds, workers=options["workers"], seed=options["seed"])
        report: dict[str, Any] = {"instance": instance.name, **result.as_dict(), "staff": len(instance.staff),
                                  "days": instance.horizon, "shifts": len(instance.shifts)}
        if not result.has_roster:
            self.stdout.write(json.dumps(report))
            reason = ("the hard rules cannot all be met" if result.status == "INFEASIBLE"
                      else f"no roster found within {seconds:g} s")
            raise CommandError(f"No roster: {reason} (status {result.status}).")
        check = evaluate(instance, result.assignments)
        if not check.feasible or check.objective != result.objective:
            first = check.violations[0].detail if check.violations else ""
            raise CommandError(f"The evaluator disagrees with the solver (objective {check.objective} vs "
                               f"{result.objective}; {len(check.violations)} violations {first}).")
        report["breakdown"] = check.breakdown
        order = {person.id: index for index, person in enumerate(instance.staff)}
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["staff", "day", "shift"])
            for item in sorted(result.assignments, key=lambda a: (order[a.staff], a.day)):
                writer.writerow([item.staff, item.day, item.shift])
        self.stdout.write(json.dumps(report))
