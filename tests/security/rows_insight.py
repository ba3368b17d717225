"""Access-matrix rows for the insight app. See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import ADMIN, BILL, COMP, FD, NURSE, PC, PRC, Row, api, page
from .world import TOMORROW

REPORT_READERS = frozenset({PRC, BILL, COMP})  # reports.read
OWNER_OR_WIDE = frozenset({PRC, COMP})  # the report's owner (the coordinator) and practice-wide readers
NOT_OWNER = {BILL: 404, f"{BILL}@uptown": 404}  # a location reader does not see another's report


def _subscription(world: Any) -> dict[str, Any]:
    return {"name": "Matrix weekly", "figures": ["volume"], "location": "", "provider": "", "appointment_type": "",
            "weeks": "4", "weekday": "0", "hour": "7", "recipients": [str(world.objects["report_recipient"].pk)],
            "active": "on"}

ROWS: list[Row] = [
    page("GET", "/insight/noshow/", 200, frozenset({FD, PC, PRC, BILL, NURSE}), elsewhere=None,
         why="tomorrow's call list names patients: schedule.read there, and reports.read or the front desk (who "
             "make the calls); compliance reads reports but not the schedule, providers do not call: 403; an "
             "Uptown user sees Uptown's list"),
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
    # Scheduled reports (#22 item 5): figures only; each reader manages their own, practice-wide readers every one.
    page("GET", "/insight/reports/", 200, REPORT_READERS, elsewhere=None,
         why="the reader's own scheduled reports (every one for a practice-wide reader)"),
    page("GET", "/insight/reports/new/", 200, REPORT_READERS, elsewhere=None,
         why="the form offers the reader's own locations, providers and colleagues"),
    page("POST", "/insight/reports/new/", 302, REPORT_READERS, elsewhere=None, data=lambda w: _subscription(w),
         why="every location in the reader's reach, sent to a colleague who works at both locations"),
    page("GET", "/insight/reports/{report.pk}/", 200, OWNER_OR_WIDE, who=NOT_OWNER,
         why="the coordinator's report: its owner and practice-wide readers; another reader is told it does not "
             "exist"),
    page("POST", "/insight/reports/{report.pk}/", 302, OWNER_OR_WIDE, who=NOT_OWNER, data=lambda w: _subscription(w),
         why="as reading it"),
    page("POST", "/insight/reports/{report.pk}/preview/", 302, OWNER_OR_WIDE, who=NOT_OWNER,
         why="a preview e-mailed to the one who asks (the matrix world's readers have an address)"),
    page("POST", "/insight/reports/{report.pk}/delete/", 302, OWNER_OR_WIDE, who=NOT_OWNER, why="as reading it"),
    # Overbook advice (#22 item 3): for who may overbook there; the setting is the practice administrators'.
    page("GET", "/insight/overbook/?location={home.pk}", 200, frozenset({PRC}), elsewhere=None,
         why="schedule.overbook with the risk's readers: practice coordinators"),
    page("POST", "/insight/overbook/policy/", 302, frozenset({PRC, ADMIN}), elsewhere=None,
         data=lambda w: {"allow": "on", "threshold": "0.7"}, why="a practice setting: practice.admin"),
    api("GET", "/api/v1/insight/report-subscriptions", 200, REPORT_READERS, elsewhere=None,
        why="the reader's own scheduled reports, as on the screen"),
    api("GET", "/api/v1/insight/overbook-advice?date=" + TOMORROW.isoformat() + "&location={home.pk}&provider="
        "{report_provider.pk}", 200, frozenset({PRC}), outsider=404,
        why="as the screen: practice coordinators at the location; another location's id is not found"),
]


def objects(world: Any) -> dict[str, Any]:
    """A scheduled report of the coordinator's, and a colleague (with an address) who works at both locations."""
    from clinicdesk.insight.reports.services import SubscriptionInput, subscription_create
    from tests.factories import UserFactory

    recipient = UserFactory(role=BILL, location=world.home, username="m-report-recipient",
                            email="reports@example.org")
    recipient.locations.add(world.other)
    for role in (PRC, COMP):  # the preview goes to the one who asks
        user = world.users[role]
        if not user.email:
            user.email = f"{role}@example.org"
            user.save(update_fields=["email"])
    report = subscription_create(actor=world.users[PRC], data=SubscriptionInput(
        name="Matrix report", figures=["volume"], location_id=world.home.pk, practitioner_id=None,
        appointment_type_id=None, weeks=4, weekday=0, hour=7, recipient_ids=[recipient.pk]))
    provider = world.tomorrow.practitioner
    return {"report": report, "report_recipient": recipient, "report_provider": provider}
