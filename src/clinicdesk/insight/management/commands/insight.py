"""`clinicdesk insight noshow-train | noshow-score | noshow-train-practice`: the no-show model from the command line.

    clinicdesk insight noshow-train --history TRAIN.csv --model MODEL
    clinicdesk insight noshow-score --model MODEL --appointments TEST.csv --out PRED.csv
    clinicdesk insight noshow-train-practice        # the practice's own history, model under var/ (cron it)
    clinicdesk insight forecast [--weeks 12]        # the demand forecast, stored for the screen (cron it weekly)

The CSV format, the features and PRED.csv are described in docs/insight.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.core.exceptions import DomainError
from clinicdesk.insight.noshow import io, model
from clinicdesk.insight.services import noshow_train_practice


class Command(BaseCommand):
    help = ("No-show risk. 'noshow-train --history TRAIN.csv --model MODEL' trains on a history CSV and prints "
            "the held-out metrics as one JSON line; 'noshow-score --model MODEL --appointments TEST.csv --out "
            "PRED.csv' scores the rows without an outcome; 'noshow-train-practice' trains on the practice's own "
            "appointments (the model the screens use).")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        train = actions.add_parser("noshow-train", help="train on a history CSV")
        train.add_argument("--history", type=Path, required=True, help="the history CSV (docs/insight.md)")
        train.add_argument("--model", type=Path, required=True,
                           help="where to write the model (and MODEL.json beside it)")
        train.add_argument("--seed", type=int, default=0)
        score = actions.add_parser("noshow-score", help="score the rows of a CSV that have no outcome")
        score.add_argument("--model", type=Path, required=True)
        score.add_argument("--appointments", type=Path, required=True,
                           help="a CSV of the history's shape; rows with an outcome count as earlier history")
        score.add_argument("--out", type=Path, required=True, help="PRED.csv: appointment_ref (or row),probability")
        actions.add_parser("noshow-train-practice", help="train on the practice's own appointment history")
        forecast = actions.add_parser("forecast", help="compute and store the demand forecast (weekly from cron)")
        forecast.add_argument("--weeks", type=int, default=12, help="weeks ahead (1 to 26; default 12)")
        rebuild = actions.add_parser("dashboards-rebuild", help="count the dashboards' daily figures again")
        rebuild.add_argument("--days", type=int, default=None,
                             help="only the last N days (e.g. 7 nightly from cron); default: everything")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "noshow-train":
                history = io.read_history(options["history"])
                trained = model.train(history, seed=options["seed"])
                model.save(trained, options["model"])
                self.stdout.write(json.dumps(trained.metrics, separators=(",", ":")))
            elif action == "noshow-score":
                self._score(options)
            elif action == "dashboards-rebuild":
                self._rebuild(options["days"])
            elif action == "forecast":
                self._forecast(options["weeks"])
            else:
                metrics = noshow_train_practice(actor=None)
                self.stdout.write(json.dumps(metrics, separators=(",", ":")))
        except (io.HistoryError, model.TooLittleData, model.ModelFileError) as error:
            raise CommandError(str(error)) from None
        except DomainError as error:
            raise CommandError(str(error.detail)) from None

    def _rebuild(self, days: int | None) -> None:
        import datetime as dt

        from clinicdesk.core import clock
        from clinicdesk.insight.dashboards import rollup

        first = clock.now().date() - dt.timedelta(days=days) if days is not None else None
        rows = rollup.rebuild(first_day=first)
        self.stderr.write(f"Counted {rows} provider-days into the dashboards.")

    def _forecast(self, weeks: int) -> None:
        from clinicdesk.insight.forecast.services import demand_forecast_compute

        if not 1 <= weeks <= 26:
            raise CommandError("--weeks must be between 1 and 26.")
        run = demand_forecast_compute(actor=None, weeks=weeks)
        flagged = run.capacity_rows.filter(flagged=True).count()
        self.stdout.write(json.dumps({"series": run.series, "weeks": run.weeks, "firstWeek": run.first_week.isoformat(),
                                      "mase": run.mase, "naiveMase": run.naive_mase, "weeksOverCapacity": flagged,
                                      "seconds": run.seconds}, separators=(",", ":")))

    def _score(self, options: dict[str, Any]) -> None:
        trained = model.load(options["model"])
        history = io.read_history(options["appointments"])
        todo = ~history.labelled.to_numpy()
        try:
            probabilities = trained.predict(history, todo)
        except ValueError as error:
            raise CommandError(str(error)) from None
        count = io.write_predictions(options["out"], history, probabilities)
        self.stderr.write(f"Scored {count} appointment{'s' if count != 1 else ''} into {options['out']}.")
