"""Access-matrix rows for the insight app. See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, COMP, PRC, Row, api, page
from .world import TOMORROW

REPORT_READERS = frozenset({PRC, BILL, COMP})  # reports.read

ROWS: list[Row] = [
    page("GET", "/insight/noshow/", 200, frozenset({PRC, BILL}), elsewhere=None,
         why="tomorrow's call list names patients: reports.read for the risk and schedule.read for the day's "
             "list (compliance reads reports but not the schedule: 403); an Uptown user sees Uptown's list"),
    page("POST", "/insight/noshow/train/", 302, frozenset({PRC}), elsewhere=None, flash_ok=False,
         why="training reads the whole practice's history: practice coordinators (practice.admin and "
             "reports.read); the matrix world has too little history, so the answer is the refusal's message"),
    api("GET", "/api/v1/insight/noshow-risk?date=" + TOMORROW.isoformat() + "&location={home.pk}", 200, REPORT_READERS,
        outsider=404, why="ids and probabilities only (no patient data): reports.read at the location; another "
                          "location's id is not found"),
    # The dashboards (#22): counts and rates, no patient data; practice-wide for the coordinator and compliance,
    # the user's own locations for everyone else with reports.read.
    page("GET", "/insight/dashboards/", 200, REPORT_READERS, elsewhere=None,
         why="aggregates only: an Uptown biller sees Uptown's numbers (the location view)"),
    page("GET", "/insight/dashboards/?location={home.pk}", 200, REPORT_READERS, case="location",
         why="Downtown's numbers: another location's biller is told the location does not exist"),
    page("GET", "/insight/dashboards/volume.csv?location={home.pk}", 200, REPORT_READERS, case="csv",
         why="a chart's numbers as CSV, the same reach as the page"),
    # The demand forecast (#22): expected requests per week, no patient data; the dashboards' reach.
    page("GET", "/insight/forecast/", 200, REPORT_READERS, elsewhere=None,
         why="aggregates only: an Uptown biller sees Uptown's forecast (the location view)"),
    page("GET", "/insight/forecast/?location={home.pk}&grain=day", 200, REPORT_READERS, case="location",
         why="Downtown's forecast: another location's biller is told the location does not exist"),
    page("GET", "/insight/forecast.csv?location={home.pk}", 200, REPORT_READERS, case="csv",
         why="the forecast's numbers as CSV, the same reach as the page"),
    page("POST", "/insight/forecast/compute/", 302, frozenset({PRC}), elsewhere=None,
         why="computing reads every location's request counts: practice coordinators (practice.admin and "
             "reports.read); the task and the command do it weekly"),
    api("GET", "/api/v1/insight/forecast?location={home.pk}", 200, REPORT_READERS,
        why="expected requests and capacity per week, no patient data: reports.read (403 without it); another "
            "location's reader is told the location does not exist"),
]


def objects(world: Any) -> dict[str, Any]:
    return {}
