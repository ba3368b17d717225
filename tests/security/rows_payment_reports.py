"""Access-matrix rows for the payment reports (#19, billing). See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, PRC, Row, page

REPORT_READERS = frozenset({PRC, BILL})  # billing.read and reports.read: the desk reads accounts, compliance
#                                          reads reports, neither both

ROWS: list[Row] = [
    page("GET", "/billing/reports/", 302, REPORT_READERS, elsewhere=None, why="the first report (the day sheet)"),
    page("GET", "/billing/reports/day-sheet/", 200, REPORT_READERS, elsewhere=None,
         why="the day's entries name patients (audited): an Uptown biller sees Uptown's day only"),
    page("GET", "/billing/reports/deposits/", 200, REPORT_READERS, elsewhere=None, why="money by day and method"),
    page("GET", "/billing/reports/payments/", 200, REPORT_READERS, elsewhere=None,
         why="money by payer and provider"),
    page("GET", "/billing/reports/aging/", 200, REPORT_READERS, elsewhere=None,
         why="aging by patient names patients (audited): an Uptown biller sees Uptown's balances only"),
    page("GET", "/billing/reports/aging/?location={home.pk}", 200, REPORT_READERS, case="location",
         why="Downtown's balances: another location's biller is told the location does not exist"),
    page("GET", "/billing/reports/aging/by-patient.csv?location={home.pk}", 200, REPORT_READERS, case="csv",
         why="a table as CSV, the same reach as the page"),
    page("GET", "/billing/reports/day-sheet.pdf?location={home.pk}", 200, REPORT_READERS, case="pdf",
         why="the report as PDF, the same reach as the page"),
]


def objects(world: Any) -> dict[str, Any]:
    return {}
