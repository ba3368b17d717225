"""The compliance program's screens: the calendar, the OSHA 300 log and its export without privacy-case names,
the policy pages, the JSON API."""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from clinicdesk.compliance import services
from clinicdesk.compliance.models import Occurrence, PolicyVersion

TODAY = dt.date(2026, 11, 23)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_calendar_lists_overdue_first_and_takes_evidence_files(db, clock, client, coordinator, location):
    services.duty_add(actor=coordinator, location_id=location.pk, title="Later duty", owner_id=coordinator.pk,
                      recurrence="weekly", starts_on=TODAY + dt.timedelta(days=2))
    duty = services.duty_add(actor=coordinator, location_id=location.pk, title="Late duty", owner_id=coordinator.pk,
                             recurrence="monthly", starts_on=TODAY - dt.timedelta(days=3))
    client.force_login(coordinator)
    page = client.get(f"/compliance/calendar/?location={location.pk}").content.decode()
    assert page.index("Late duty") < page.index("Later duty") and "3 days late" in page
    occurrence = duty.occurrences.get()
    answer = client.post(f"/compliance/calendar/{occurrence.pk}/done/", {
        "done_on": TODAY.isoformat(), "evidence_file": SimpleUploadedFile("log.pdf", PDF, "application/pdf")})
    assert answer.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.done_on == TODAY and occurrence.evidence_file is not None
    assert client.get(f"/compliance/files/{occurrence.evidence_file_id}/").status_code == 200
    assert Occurrence.objects.filter(duty=duty, done_on__isnull=True).count() == 1


def test_osha_300_log_and_export_hide_privacy_case_names(db, clock, client, coordinator, location):
    for name, privacy in (("Nina Nurse", "sharps"), ("Omar Office", "")):
        services.injury_case_record(actor=coordinator, location_id=location.pk, employee_name=name,
                                    job_title="Staff", occurred_on=TODAY, where="Lab", description="Cut",
                                    outcome="other", case_type="injury", privacy_reason=privacy)
    client.force_login(coordinator)
    page = client.get(f"/compliance/osha/?location={location.pk}&year=2026").content.decode()
    export = client.get(f"/compliance/osha/300.csv?location={location.pk}&year=2026").content.decode()
    for text in (page, export):
        assert "Nina Nurse" not in text and "Privacy case" in text and "Omar Office" in text


def test_policy_pages_track_each_person(db, clock, client, coordinator, desk, location):
    client.force_login(coordinator)
    made = client.post("/compliance/policies/new/", {"title": "Hand hygiene", "owner_id": coordinator.pk,
                                                     "review_on": "2027-11-01", "audience": ["front_desk"]})
    assert made.status_code == 302
    policy_url = made["Location"]
    assert client.post(policy_url + "versions/", {"effective_on": TODAY.isoformat(), "text": "Wash."}).status_code \
        == 302
    assert "Missing" in client.get(policy_url).content.decode()
    refused = client.post("/compliance/policies/new/", {"title": "", "owner_id": coordinator.pk})
    assert refused.status_code == 422
    client.force_login(desk)
    mine = client.get("/compliance/policies/mine/").content.decode()
    assert "Hand hygiene" in mine
    pv = PolicyVersion.objects.get()
    assert client.post(f"/compliance/policies/versions/{pv.pk}/acknowledge/").status_code == 302
    assert "up to date" in client.get("/compliance/policies/mine/").content.decode()


def test_api_calendar_and_acknowledgement(db, clock, client, coordinator, desk, location):
    services.duty_add(actor=coordinator, location_id=location.pk, title="Late duty", owner_id=coordinator.pk,
                      recurrence="monthly", starts_on=TODAY - dt.timedelta(days=3))
    client.force_login(coordinator)
    answer = client.get(f"/api/v1/compliance-calendar/{location.pk}")
    assert answer.status_code == 200 and answer.json()["due"][0]["state"] == "overdue"
    bad = client.post("/api/v1/compliance-duties", json.dumps({"location": location.pk, "title": "X"}),
                      content_type="application/json")
    assert bad.status_code == 422
