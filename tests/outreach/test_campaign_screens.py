"""The campaign screens and JSON API over the same services: create from the form (a bad merge field refused with
422 and nothing written), the live count, review and approve, a wave, the report and its CSV (labels, not codes)."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.comms.models import ConsentRecord, Message
from clinicdesk.core.permissions import Role
from clinicdesk.outreach.models import Campaign, CampaignMember, CampaignStatus
from tests.factories import PatientFactory

FORM = {"name": "Flu shots", "purpose": "Autumn flu shots", "age_min": "50", "age_max": "75",
        "email_subject_en": "Flu shots", "email_body_en": "Dear {{ patient.first_name }}, come in.",
        "email_subject_es": "Vacuna", "email_body_es": "Estimado/a {{ patient.first_name }}, venga.",
        "cost_email": "0.01", "cost_sms": "0.05", "window_days": "60"}


def _people(location):
    ana = PatientFactory(home_location=location, given_name="Ana", family_name="Alba", birth_date=dt.date(1960, 1, 1),
                         email="ana@example.org", email_opt_in=True)
    ConsentRecord.objects.create(patient=ana, channel="email", purpose="outreach", granted=True, source="desk",
                                 at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    bea = PatientFactory(home_location=location, given_name="Bea", family_name="Bravo", birth_date=dt.date(1965, 1, 1))
    PatientFactory(home_location=location, given_name="Kid", birth_date=dt.date(2018, 1, 1))
    return ana, bea


def test_a_coordinator_creates_reviews_sends_and_reads_the_report(signed_in, location, clock):
    ana, _bea = _people(location)
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    count = coordinator.post(f"/outreach/campaigns/count/?location={location.pk}", {"age_min": "50", "age_max": "75"})
    assert "2 patients" in count.content.decode()
    answer = coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM})
    campaign = Campaign.objects.get()
    assert answer.status_code == 302 and campaign.filters["age_min"] == 50
    coordinator.post(f"/outreach/campaigns/{campaign.pk}/step/", {"step": "freeze"})
    page = coordinator.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "Alba, Ana" in page and "Bravo, Bea" in page and "Kid" not in page
    coordinator.post(f"/outreach/campaigns/{campaign.pk}/step/", {"step": "approve"})
    coordinator.post(f"/outreach/campaigns/{campaign.pk}/wave/", {"size": "10"})
    assert Campaign.objects.get().status == CampaignStatus.RUNNING
    assert list(Message.objects.values_list("patient_id", flat=True)) == [ana.pk]  # Bea did not agree: nothing
    report = coordinator.get(f"/outreach/campaigns/{campaign.pk}/report/").content.decode()
    assert "Not contactable" in report
    csv = coordinator.get(f"/outreach/campaigns/{campaign.pk}/report.csv").content.decode()
    assert "Alba" in csv and "Contacted" in csv and "E-mail" in csv and "not-contactable" not in csv
    assert "opted-out" not in csv


def test_a_bad_merge_field_is_refused_with_422_and_nothing_written(signed_in, location, clock):
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    answer = coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM,
                                                           "email_body_en": "Hi {{ patient.shoe_size }}"})
    assert answer.status_code == 422 and "patient.shoe_size" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_the_screens_speak_spanish(signed_in, location, clock):
    _people(location)
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location, language="es")
    coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM})
    page = coordinator.get(f"/outreach/campaigns/?location={location.pk}").content.decode()
    assert "Campañas" in page and "Flu shots" in page


def test_the_list_page_query_count_does_not_grow_with_campaigns(signed_in, location, clock):
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    for n in range(2):
        coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM, "name": f"C{n}"})
    with CaptureQueriesContext(connection) as few:
        coordinator.get(f"/outreach/campaigns/?location={location.pk}")
    for n in range(5):
        coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM, "name": f"D{n}"})
    with CaptureQueriesContext(connection) as more:
        coordinator.get(f"/outreach/campaigns/?location={location.pk}")
    assert len(more) == len(few)


def test_the_desk_marks_a_declined_member_and_sees_the_report(signed_in, location, clock):
    ana, _ = _people(location)
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM})
    campaign = Campaign.objects.get()
    for step in ("freeze", "approve"):
        coordinator.post(f"/outreach/campaigns/{campaign.pk}/step/", {"step": step})
    coordinator.post(f"/outreach/campaigns/{campaign.pk}/wave/", {"size": "10"})
    member = CampaignMember.objects.get(patient=ana)
    desk = signed_in(Role.FRONT_DESK, at=location)
    assert desk.post(f"/outreach/campaign-members/{member.pk}/", {"do": "decline"}).status_code == 302
    assert CampaignMember.objects.get(pk=member.pk).declined_at is not None
    assert desk.get(f"/outreach/campaigns/{campaign.pk}/report.csv").status_code == 404  # members: coordinators


def test_the_api_lists_reads_and_sends_a_wave(signed_in, location, clock):
    _people(location)
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    coordinator.post("/outreach/campaigns/new/", {"location": location.pk, **FORM})
    campaign = Campaign.objects.get()
    for step in ("freeze", "approve"):
        coordinator.post(f"/outreach/campaigns/{campaign.pk}/step/", {"step": step})
    listed = coordinator.get("/api/v1/outreach-campaigns").json()
    assert [c["name"] for c in listed["items"]] == ["Flu shots"]
    sent = coordinator.post(f"/api/v1/outreach-campaigns/{campaign.pk}/waves", json.dumps({"size": 5}),
                            content_type="application/json")
    assert sent.status_code == 201 and sent.json() == {"wave": 1, "contacted": 1, "notContactable": 1}
    read = coordinator.get(f"/api/v1/outreach-campaigns/{campaign.pk}").json()
    assert read["status"] == "running" and read["report"]["contacted"] == 1
    assert read["report"]["notContactableBecause"] == {"opted-out": 1}
    again = coordinator.post(f"/api/v1/outreach-campaigns/{campaign.pk}/waves", json.dumps({"size": 5}),
                             content_type="application/json")
    assert again.status_code == 409
