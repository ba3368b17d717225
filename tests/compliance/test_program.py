"""The compliance program: calendar duties and their escalation, OSHA logs (privacy cases, the 300A summary),
the HIPAA risk assessment, and policy acknowledgements with reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.compliance import selectors, selectors_program, services
from clinicdesk.compliance.models import Occurrence, PolicyAck, next_due
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

TODAY = dt.date(2026, 11, 23)  # the frozen clock's day in New York


def _duty(coordinator, location, starts_on=TODAY, recurrence="monthly"):
    return services.duty_add(actor=coordinator, location_id=location.pk, title="Check the AED pads",
                             owner_id=coordinator.pk, recurrence=recurrence, starts_on=starts_on)


def test_next_due_keeps_the_day_or_the_month_end():
    assert next_due(dt.date(2026, 1, 31), "monthly") == dt.date(2026, 2, 28)
    assert next_due(dt.date(2026, 11, 30), "quarterly") == dt.date(2027, 2, 28)
    assert next_due(dt.date(2026, 12, 28), "weekly") == dt.date(2027, 1, 4)
    assert next_due(dt.date(2024, 2, 29), "yearly") == dt.date(2025, 2, 28)


def test_completing_an_occurrence_needs_evidence_and_opens_the_next(db, clock, coordinator, location):
    duty = _duty(coordinator, location)
    first = duty.occurrences.get()
    with pytest.raises(ValidationFailed) as refused:
        services.occurrence_complete(actor=coordinator, occurrence_id=first.pk, done_on=TODAY)
    assert "evidence_note" in refused.value.fields
    services.occurrence_complete(actor=coordinator, occurrence_id=first.pk, done_on=TODAY,
                                 evidence_note="Pads in date")
    assert [(o.due_on, o.done_on) for o in duty.occurrences.order_by("due_on")] == [
        (TODAY, TODAY), (dt.date(2026, 12, 23), None)]
    with pytest.raises(Conflict):
        services.occurrence_complete(actor=coordinator, occurrence_id=first.pk, done_on=TODAY, evidence_note="x")


def test_overdue_duties_are_escalated_once_and_shown_first(db, clock, coordinator, location, desk):
    _duty(coordinator, location, starts_on=TODAY - dt.timedelta(days=5))
    _duty(coordinator, location, starts_on=TODAY + dt.timedelta(days=10))
    assert services.duties_escalate_overdue() == 1
    assert services.duties_escalate_overdue() == 0  # safe to run twice
    late = Occurrence.objects.get(due_on=TODAY - dt.timedelta(days=5))
    assert late.escalated_at is not None and late.escalated_to == coordinator
    board = selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    calendar = [c for c in board.clocks if c.area == "calendar"]
    assert [c.state for c in calendar] == ["overdue", "ok"] and calendar[0].flag
    assert board.clocks[0].area == "calendar" and board.counts["calendar_overdue"] == 1


def test_duties_are_for_the_compliance_administrators(db, clock, desk, location, coordinator):
    with pytest.raises(PermissionDenied):
        services.duty_add(actor=desk, location_id=location.pk, title="X", owner_id=desk.pk, recurrence="weekly",
                          starts_on=TODAY)
    occurrence = _duty(coordinator, location).occurrences.get()
    with pytest.raises(PermissionDenied) as hidden:  # answers like a missing record to anyone who may not work it
        services.occurrence_complete(actor=desk, occurrence_id=occurrence.pk, done_on=TODAY, evidence_note="x")
    assert hidden.value.status == 404


def test_builtin_osha_checks_are_added_once(db, clock, coordinator, location):
    assert len(services.builtin_duties_ensure(actor=coordinator, location_id=location.pk,
                                              owner_id=coordinator.pk)) == 2
    assert services.builtin_duties_ensure(actor=coordinator, location_id=location.pk, owner_id=coordinator.pk) == []
    rows = selectors_program.compliance_calendar(actor=coordinator, location_id=location.pk).rows
    assert {r.title for r in rows} == {"Eyewash station check", "Fire extinguisher check"}


def test_an_overdue_safety_data_sheet_review_is_on_the_calendar(db, clock, coordinator, location):
    services.safety_document_add(actor=coordinator, location_id=location.pk, kind="sds", title="Bleach",
                                 manufacturer="Clorox", review_on=TODAY - dt.timedelta(days=1))
    rows = selectors_program.compliance_calendar(actor=coordinator, location_id=location.pk).rows
    assert [(r.title, r.state) for r in rows] == [("Review: Bleach", "overdue")]


def _case(coordinator, location, **extra):
    values = {"employee_name": "Nina Nurse", "job_title": "Medical assistant", "occurred_on": TODAY,
              "where": "Lab", "description": "Cut on the left hand from a lancet", "outcome": "other",
              "case_type": "injury"} | extra
    return services.injury_case_record(actor=coordinator, location_id=location.pk, **values)


def test_a_sharps_case_is_a_privacy_case_without_the_name(db, clock, coordinator, location):
    sharps = services.sharps_injury_log(actor=coordinator, location_id=location.pk, occurred_on=TODAY,
                                        device="23G butterfly, Acme", work_area="Lab", how="Recapping")
    case = _case(coordinator, location, sharps_id=sharps.pk)
    assert case.privacy_case and case.name_on_log == "Privacy case" and case.case_number == 1
    with pytest.raises(Conflict):
        _case(coordinator, location, sharps_id=sharps.pk)


def test_300a_totals_come_from_the_log(db, clock, coordinator, location):
    _case(coordinator, location, outcome="days-away", days_away=4)
    _case(coordinator, location, outcome="restricted", days_restricted=6, case_type="skin")
    _case(coordinator, location)
    overview = selectors_program.osha_overview(actor=coordinator, location_id=location.pk, year=2026)
    summary = selectors_program.summary_300a(overview.cases, 2026)
    assert (summary.cases, summary.days_away_cases, summary.restricted_cases, summary.other_cases) == (3, 1, 1, 1)
    assert (summary.days_away, summary.days_restricted, summary.types["skin"]) == (4, 6, 1)
    with pytest.raises(ValidationFailed):
        _case(coordinator, location, outcome="days-away", days_away=0)


def test_business_associates_keep_their_dates_and_officers_are_designated(db, clock, coordinator, officer,
                                                                         location):
    from clinicdesk.audit.models import AuditEntry

    with pytest.raises(ValidationFailed) as caught:
        services.baa_add(actor=coordinator, vendor="Shred-It", services="Paper shredding",
                         signed_on=dt.date(2025, 3, 1), review_on=dt.date(2025, 2, 1), expires_on=dt.date(2025, 1, 1))
    assert set(caught.value.fields) == {"review_on", "expires_on"}
    services.baa_add(actor=coordinator, vendor="Shred-It", services="Paper shredding", signed_on=dt.date(2025, 3, 1),
                     review_on=dt.date(2027, 3, 1), expires_on=TODAY + dt.timedelta(days=10))  # expiry comes first
    services.baa_add(actor=coordinator, vendor="CloudEHR", services="Hosting", signed_on=dt.date(2024, 1, 5),
                     review_on=TODAY - dt.timedelta(days=3))
    services.baa_add(actor=coordinator, vendor="Answering service", services="After-hours calls",
                     signed_on=dt.date(2026, 1, 5), review_on=dt.date(2027, 10, 1))  # not due: not on the calendar
    rows = selectors_program.compliance_calendar(actor=coordinator, location_id=location.pk).rows
    assert [(r.title, r.due_on, r.state) for r in rows
            if r.area_label == "Business associate agreement"] == [
        ("Review or renew: CloudEHR", TODAY - dt.timedelta(days=3), "overdue"),
        ("Review or renew: Shred-It", TODAY + dt.timedelta(days=10), "ok")]

    services.officer_set(actor=coordinator, role="privacy", user_id=coordinator.pk, since=dt.date(2025, 1, 1))
    services.officer_set(actor=coordinator, role="security", user_id=coordinator.pk, since=dt.date(2025, 1, 1))
    services.officer_set(actor=coordinator, role="privacy", user_id=officer.pk, since=TODAY)  # a new privacy officer
    program = selectors_program.hipaa_program(actor=coordinator, year=TODAY.year)
    assert {role: (o.user, o.since) for role, o in program.officers.items()} == {
        "privacy": (officer, TODAY), "security": (coordinator, dt.date(2025, 1, 1))}
    assert len(program.baas) == 3
    assert AuditEntry.objects.filter(action="officer.designate").count() == 3
    with pytest.raises(ValidationFailed):
        services.officer_set(actor=coordinator, role="treasurer", user_id=officer.pk, since=None)
    desk = UserFactory(role=Role.FRONT_DESK, location=location)
    with pytest.raises(PermissionDenied):
        services.officer_set(actor=desk, role="privacy", user_id=desk.pk, since=TODAY)


def test_risk_assessment_completes_only_when_every_question_is_answered(db, clock, coordinator):
    assessment = services.risk_assessment_start(actor=coordinator, year=2026, owner_id=coordinator.pk)
    with pytest.raises(Conflict):
        services.risk_assessment_complete(actor=coordinator, assessment_id=assessment.pk, today=TODAY)
    items = list(assessment.items.all())
    with pytest.raises(ValidationFailed):  # "in place" needs evidence
        services.risk_item_update(actor=coordinator, item_id=items[0].pk, status="met")
    for item in items:
        services.risk_item_update(actor=coordinator, item_id=item.pk, status="met", evidence_note="Checked")
    done = services.risk_assessment_complete(actor=coordinator, assessment_id=assessment.pk, today=TODAY)
    assert done.status == "complete" and len(items) == 12


def test_a_new_version_asks_the_audience_and_reminds_the_missing(db, clock, coordinator, desk, location):
    nurse = UserFactory(role=Role.NURSE, location=location)
    policy = services.policy_add(actor=coordinator, title="Hand hygiene", owner_id=coordinator.pk,
                                 review_on=dt.date(2027, 11, 1), audience=["front_desk"])
    v1 = services.policy_publish(actor=coordinator, policy_id=policy.pk, effective_on=TODAY, text="Wash hands.")
    assert list(v1.acks.values_list("user", flat=True)) == [desk.pk]  # the nurse is not in the audience
    assert [a.version_id for a in selectors_program.my_pending(actor=desk)] == [v1.pk]
    assert selectors_program.my_pending(actor=nurse) == []
    assert services.policy_remind(actor=coordinator, version_id=v1.pk) == 1
    assert services.policy_reminders_due() == 0  # reminded within the week
    services.policy_acknowledge(actor=desk, version_id=v1.pk)
    with pytest.raises(Conflict):
        services.policy_acknowledge(actor=desk, version_id=v1.pk)
    with pytest.raises(NotFound):
        services.policy_acknowledge(actor=nurse, version_id=v1.pk)
    v2 = services.policy_publish(actor=coordinator, policy_id=policy.pk, effective_on=TODAY, text="Wash longer.")
    assert PolicyAck.objects.get(version=v2, user=desk).acknowledged_at is None
    people = selectors_program.policy_people(actor=coordinator)
    assert [(p.user, p.acknowledged, len(p.missing)) for p in people] == [(desk, 0, 1)]


def test_the_calendar_reads_a_fixed_number_of_queries(db, clock, coordinator, location):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _duty(coordinator, location)
    with CaptureQueriesContext(connection) as few:
        selectors_program.compliance_calendar(actor=coordinator, location_id=location.pk)
    for _n in range(4):
        _duty(coordinator, location, starts_on=TODAY - dt.timedelta(days=2))
        services.safety_document_add(actor=coordinator, location_id=location.pk, kind="sds", title="Bleach",
                                     manufacturer="Clorox", review_on=TODAY)
    with CaptureQueriesContext(connection) as many:
        selectors_program.compliance_calendar(actor=coordinator, location_id=location.pk)
    assert len(many) == len(few) <= 12  # with CLIA: the certificate and the locked-out QC runs
