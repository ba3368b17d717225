"""The compliance dashboard: open items with their clocks, overdue first, late letters visible; query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.compliance import selectors, services
from clinicdesk.core.exceptions import PermissionDenied

DAY = dt.timedelta(days=1)


def _grievance(desk, coordinator, location, patient, received_at=None):
    complaint = services.complaint_log(actor=desk, location_id=location.pk, patient_mrn=patient.mrn,
                                       channel="letter", topic="billing", summary="Billed twice",
                                       received_at=received_at)
    return services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="written")


def test_dashboard_shows_overdue_clocks_first(db, clock, desk, coordinator, location, bob, ana):
    _grievance(desk, coordinator, location, bob, received_at=clock.now() - 10 * DAY)
    _grievance(desk, coordinator, location, ana)
    board = selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    assert [c.state for c in board.clocks] == ["overdue", "ok", "ok", "ok"]
    assert board.clocks[0].what == "Written acknowledgement" and board.clocks[0].days_late == 3
    assert board.counts["overdue"] == 1


def test_dashboard_shows_a_letter_sent_late(db, clock, desk, coordinator, location, bob):
    complaint = _grievance(desk, coordinator, location, bob)
    clock.advance(9 * DAY)
    services.grievance_acknowledge(actor=coordinator, complaint_id=complaint.pk)
    board = selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    assert [(c.what, c.state) for c in board.late] == [("Written acknowledgement", "late")]
    assert board.counts["late"] == 1


def test_dashboard_lists_requests_actions_and_breach_notices(db, clock, desk, coordinator, officer, location, bob):
    services.rights_request_log(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn, kind="access",
                                details="Copy of chart", received_on=dt.date(2026, 10, 1))
    incident = services.incident_report(actor=desk, location_id=location.pk, kind="workplace", severity="minor",
                                        what="Needle stick", place="Lab", occurred_at=clock.now())
    services.incident_review(actor=coordinator, incident_id=incident.pk, notes="Recapping")
    services.corrective_action_add(actor=coordinator, incident_id=incident.pk, description="Sharps training",
                                   owner_id=desk.pk, due_on=dt.date(2026, 11, 25))
    services.breach_log(actor=officer, location_id=location.pk, discovered_on=dt.date(2026, 9, 1),
                        individuals_affected=700, description="Mis-sent mailing")
    board = selectors.compliance_dashboard(actor=officer, location_id=location.pk)
    areas = {(c.area, str(c.what), c.state) for c in board.clocks}
    assert ("request", "Access to records", "overdue") in areas
    assert ("incident", "Sharps training", "soon") in areas
    assert ("breach", "Notice to prominent media outlets", "overdue") in areas


def test_dashboard_refused_to_a_reporter_and_to_another_location(db, clock, desk, elsewhere_desk, location):
    for actor in (desk, elsewhere_desk):
        with pytest.raises(PermissionDenied):
            selectors.compliance_dashboard(actor=actor, location_id=location.pk)


def test_dashboard_query_count_does_not_grow_with_items(db, clock, desk, coordinator, location, bob, ana):
    _grievance(desk, coordinator, location, bob)
    with CaptureQueriesContext(connection) as few:
        selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    for _n in range(5):
        _grievance(desk, coordinator, location, ana)
    with CaptureQueriesContext(connection) as many:
        selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    assert len(many) == len(few)
    assert len(many) <= 20  # the clocks, plus the compliance calendar's duties and review dates
