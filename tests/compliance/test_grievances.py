"""Complaints and grievances: logging, the CMS decision, the 7- and 30-day clocks, letters stored on the chart."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.compliance import services
from clinicdesk.compliance.models import Complaint, ComplaintStatus, GrievanceLetter
from clinicdesk.core.exceptions import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from clinicdesk.patients.models import Document

DAY = dt.timedelta(days=1)


def _log(actor, location, patient, **changes):
    values = {"channel": "phone", "topic": "care", "summary": "Waited two hours and nobody explained why."}
    values.update(changes)
    return services.complaint_log(actor=actor, location_id=location.pk, patient_mrn=patient.mrn, **values)


def _answer(actor, complaint, **changes):
    values = {"steps_taken": "Reviewed the schedule and spoke with the staff.", "results": "Double booking; fixed.",
              "contact_person": "Pat Coordinator", "completed_on": dt.date(2026, 11, 23)}
    values.update(changes)
    return services.grievance_answer(actor=actor, complaint_id=complaint.pk, **values)


def test_complaint_log_by_any_staff_member_is_recorded_and_audited(db, clock, desk, location, bob):
    complaint = _log(desk, location, bob)
    assert complaint.status == ComplaintStatus.OPEN
    assert complaint.logged_by == desk
    assert AuditEntry.objects.filter(action="complaint.log", resource_id=str(complaint.pk)).exists()


def test_complaint_log_replays_a_double_click(db, clock, desk, location, bob):
    first = _log(desk, location, bob, idempotency_key="k-1")
    again = _log(desk, location, bob, idempotency_key="k-1")
    assert first.pk == again.pk and Complaint.objects.count() == 1


def test_complaint_log_refuses_bad_input_and_writes_nothing(db, clock, desk, location):
    with pytest.raises(ValidationFailed) as error:
        services.complaint_log(actor=desk, location_id=location.pk, patient_mrn="NOPE", channel="fax",
                               topic="care", summary="")
    assert set(error.value.fields) == {"patient_mrn", "channel", "summary"}
    assert not Complaint.objects.exists()


def test_complaint_log_refused_at_another_location(db, clock, elsewhere_desk, location, bob):
    with pytest.raises(PermissionDenied):
        _log(elsewhere_desk, location, bob)


def test_an_abuse_complaint_is_escalated_at_once(db, clock, desk, location, bob):
    complaint = _log(desk, location, bob, topic="abuse")
    assert complaint.high_level and complaint.escalated_at == clock.now()
    assert AuditEntry.objects.filter(action="complaint.escalate").count() == 1


def test_grievance_mark_starts_the_7_and_30_day_clocks_from_the_day_received(db, clock, desk, coordinator,
                                                                             location, bob):
    received = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
    complaint = _log(desk, location, bob, received_at=received)
    clock.advance(DAY)
    complaint = services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="not-resolved")
    assert complaint.ack_due_on == dt.date(2026, 11, 27)
    assert complaint.resolution_due_on == dt.date(2026, 12, 20)


def test_grievance_clock_counts_the_local_day(db, clock, desk, coordinator, location, bob):
    # 02:00 UTC on the 21st is still the 20th in New York
    complaint = _log(desk, location, bob, received_at=dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC))
    complaint = services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="written")
    assert complaint.ack_due_on == dt.date(2026, 11, 27)


def test_grievance_mark_is_for_the_admin_only(db, clock, desk, location, bob):
    complaint = _log(desk, location, bob)
    with pytest.raises(PermissionDenied) as error:
        services.grievance_mark(actor=desk, complaint_id=complaint.pk, basis="written")
    assert error.value.status == 404  # hidden like a missing one


def test_grievance_acknowledge_stores_a_pdf_in_the_patients_language_on_the_chart(db, clock, desk, coordinator,
                                                                                  location, ana):
    complaint = _log(desk, location, ana, channel="letter")
    services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="written")
    letter = services.grievance_acknowledge(actor=coordinator, complaint_id=complaint.pk)
    assert letter.language == "es" and not letter.late
    document = Document.objects.get(pk=letter.document_id)
    assert document.patient_id == ana.pk and document.content_type == "application/pdf"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED and complaint.ack_sent_on == dt.date(2026, 11, 23)


def test_grievance_acknowledgement_after_day_7_is_allowed_and_marked_late(db, clock, desk, coordinator, location,
                                                                          bob):
    complaint = _log(desk, location, bob)
    services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="not-resolved")
    clock.advance(8 * DAY)
    letter = services.grievance_acknowledge(actor=coordinator, complaint_id=complaint.pk)
    assert letter.late
    entry = AuditEntry.objects.get(action="grievance.acknowledge")
    assert entry.detail["late"] is True


def test_grievance_acknowledgement_on_day_7_is_on_time(db, clock, desk, coordinator, location, bob):
    complaint = _log(desk, location, bob)
    services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="not-resolved")
    clock.advance(7 * DAY)
    assert not services.grievance_acknowledge(actor=coordinator, complaint_id=complaint.pk).late


def test_grievance_answer_needs_the_dnv_content(db, clock, desk, coordinator, location, bob):
    complaint = _log(desk, location, bob)
    services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="not-resolved")
    with pytest.raises(ValidationFailed) as error:
        services.grievance_answer(actor=coordinator, complaint_id=complaint.pk, steps_taken="", results="",
                                  contact_person="", completed_on=None)
    assert set(error.value.fields) == {"steps_taken", "results", "contact_person", "completed_on"}
    assert not GrievanceLetter.objects.exists() and not Document.objects.exists()


def test_grievance_answer_after_day_30_is_late_and_serves_as_acknowledgement(db, clock, desk, coordinator,
                                                                             location, bob):
    complaint = _log(desk, location, bob)
    services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="not-resolved")
    clock.advance(31 * DAY)
    letter = _answer(coordinator, complaint)
    complaint.refresh_from_db()
    assert letter.late and complaint.status == ComplaintStatus.ANSWERED
    assert complaint.resolution_sent_on == dt.date(2026, 12, 24)
    assert complaint.ack_sent_on == complaint.resolution_sent_on


def test_grievance_answered_twice_is_refused(db, clock, desk, coordinator, location, bob):
    complaint = _log(desk, location, bob)
    services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="not-resolved")
    _answer(coordinator, complaint)
    with pytest.raises(InvalidTransition):
        _answer(coordinator, complaint)
    with pytest.raises(Conflict):
        services.grievance_acknowledge(actor=coordinator, complaint_id=complaint.pk)


def test_a_written_complaint_cannot_be_closed_as_resolved_by_staff(db, clock, desk, coordinator, location, bob):
    complaint = _log(desk, location, bob, channel="letter")
    with pytest.raises(Conflict):
        services.complaint_resolve(actor=coordinator, complaint_id=complaint.pk, note="Talked to her")


def test_a_verbal_complaint_resolved_promptly_needs_no_letters(db, clock, desk, coordinator, location, bob):
    complaint = _log(desk, location, bob)
    complaint = services.complaint_resolve(actor=coordinator, complaint_id=complaint.pk, note="Apologised; rebooked")
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.ack_due_on is None
    with pytest.raises(InvalidTransition):
        services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="written")


def test_the_compliance_officer_works_grievances_too(db, clock, desk, officer, location, bob):
    complaint = _log(desk, location, bob)
    assert services.grievance_mark(actor=officer, complaint_id=complaint.pk, basis="subject").is_grievance
