"""The compliance screens and API: words on the page, letters reachable, the surveyors' CSV, list query counts."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.compliance import services
from clinicdesk.compliance.models import Complaint, ComplaintStatus


def _grievance(desk, coordinator, location, patient):
    complaint = services.complaint_log(actor=desk, location_id=location.pk, patient_mrn=patient.mrn,
                                       channel="letter", topic="billing", summary="=Billed twice")
    return services.grievance_mark(actor=coordinator, complaint_id=complaint.pk, basis="written")


def test_dashboard_page_shows_clocks_in_words(db, clock, client, desk, coordinator, location, bob):
    _grievance(desk, coordinator, location, bob)
    client.force_login(coordinator)
    page = client.get(f"/compliance/?location={location.pk}")
    assert page.status_code == 200
    assert b"Written acknowledgement" in page.content and b"Baker, Bob" in page.content


def test_a_reporter_sees_the_report_page(db, clock, client, desk, location):
    client.force_login(desk)
    page = client.get(f"/compliance/?location={location.pk}")
    assert page.status_code == 200 and b"Report an incident" in page.content


def test_complaint_page_puts_the_cms_rule_on_the_screen(db, clock, client, desk, coordinator, location, bob):
    complaint = services.complaint_log(actor=desk, location_id=location.pk, patient_mrn=bob.mrn, channel="phone",
                                       topic="care", summary="Rude")
    client.force_login(coordinator)
    page = client.get(f"/compliance/complaints/{complaint.pk}/")
    assert b"staff present could not resolve it promptly" in page.content


def test_grievance_worked_through_the_screens(db, clock, client, desk, coordinator, location, bob):
    complaint = _grievance(desk, coordinator, location, bob)
    client.force_login(coordinator)
    client.post(f"/compliance/complaints/{complaint.pk}/acknowledge/", {"language": "en"})
    client.post(f"/compliance/complaints/{complaint.pk}/answer/", {
        "steps_taken": "Checked the ledger", "results": "Refunded", "contact_person": "Pat Coordinator",
        "completed_on": "2026-11-23", "language": "es"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    page = client.get(f"/compliance/complaints/{complaint.pk}/")
    letter = complaint.letters.get(kind="resolution")
    assert f"/patients/documents/{letter.document_id}/".encode() in page.content
    pdf = client.get(f"/patients/documents/{letter.document_id}/")
    assert pdf.status_code == 200


def test_grievance_log_csv_uses_words_and_neutralises_formulas(db, clock, client, desk, coordinator, location, bob):
    _grievance(desk, coordinator, location, bob)
    client.force_login(coordinator)
    response = client.get(f"/compliance/complaints/log.csv?location={location.pk}")
    text = response.content.decode()
    assert "Letter" in text and "Billing" in text and "It was made in writing" in text
    assert "'=Billed twice" in text


def test_complaints_list_query_count(db, clock, client, desk, coordinator, location, bob, ana):
    _grievance(desk, coordinator, location, bob)
    client.force_login(coordinator)
    client.get(f"/compliance/complaints/?location={location.pk}")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/compliance/complaints/?location={location.pk}")
    for _n in range(4):
        _grievance(desk, coordinator, location, ana)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/compliance/complaints/?location={location.pk}")
    assert len(many) == len(few)


def test_api_complaint_then_grievance_then_dashboard(db, clock, client, desk, coordinator, location, bob):
    client.force_login(desk)
    made = client.post("/api/v1/complaints", json.dumps({
        "location": location.pk, "patientMrn": bob.mrn, "channel": "phone", "topic": "abuse",
        "summary": "Rough handling"}), content_type="application/json")
    assert made.status_code == 201 and made.json()["escalated"] is True
    client.force_login(coordinator)
    marked = client.post(f"/api/v1/complaints/{made.json()['id']}/grievance", json.dumps({"basis": "subject"}),
                         content_type="application/json")
    assert marked.json()["acknowledgementDue"] == "2026-11-30"
    board = client.get(f"/api/v1/compliance-dashboard/{location.pk}").json()
    assert board["counts"]["escalated"] == 1 and {c["area"] for c in board["open"]} == {"grievance"}
    assert Complaint.objects.count() == 1


def test_api_incident_by_a_nurse(db, clock, client, location):
    from clinicdesk.core.permissions import Role
    from tests.factories import UserFactory

    nurse = UserFactory(role=Role.NURSE, location=location)
    client.force_login(nurse)
    made = client.post("/api/v1/incidents", json.dumps({
        "location": location.pk, "kind": "workplace", "severity": "near-miss", "what": "Box fell", "place": "Store",
        "occurredAt": dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC).isoformat()}),
        content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "reported"
