"""The demo's compliance records: built through the services, some overdue and some done late."""

from __future__ import annotations

from clinicdesk.compliance import selectors
from clinicdesk.compliance.demo import compliance_demo
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory, UserFactory


def test_compliance_demo_leaves_overdue_and_late_items_on_the_dashboard(db, clock, coordinator, officer, desk,
                                                                       location):
    UserFactory(role=Role.NURSE, location=location)
    for n in range(8):
        PatientFactory(home_location=location, given_name=f"Demo{n}")
    made = compliance_demo(location_ids=[location.pk])
    assert made == {"incidents": 3, "complaints": 6, "requests": 3, "breaches": 1, "program": 1, "clia": 1}
    board = selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    assert board.counts["overdue"] >= 2 and board.counts["late"] >= 1 and board.counts["escalated"] == 1
    assert board.counts["calendar_overdue"] >= 3  # the eyewash check, a data sheet and an agreement review
    assert any(c.area == "calendar" and c.flag for c in board.clocks)
