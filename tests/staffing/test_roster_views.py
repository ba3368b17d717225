"""The roster screens and JSON API: pages render (EN/ES), solve and publish from the page with a flash, my shifts,
configuration forms, and the API's roster read, solve and publish."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from clinicdesk.staffing import services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.models import Roster, RosterStatus, ShiftType, StaffMember
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 4)


@pytest.fixture
def practice():
    location = LocationFactory(name="Downtown")
    coordinator = UserFactory(role="practice_coordinator", location=location)
    staff = [UserFactory(role="front_desk" if i % 2 == 0 else "nurse", location=location) for i in range(5)]
    setup = staffing_demo(actor=coordinator, location_id=location.pk, users=staff, period_start=MONDAY,
                          seconds=2, workers=2)
    return {"location": location, "coordinator": coordinator, "staff": staff, "setup": setup}


def client_for(user, language: str = "en") -> Client:
    user.language = language  # the interface speaks the user's language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_roster_page_shows_the_grid_cover_and_cost(practice):
    location, setup = practice["location"], practice["setup"]
    html = page(client_for(practice["coordinator"]), f"/staffing/?location={location.pk}&start=2027-01-06")
    assert "Staff roster" in html and "Published" in html and "/publish/" not in html  # no draft to publish
    assert setup.members[0].display_name in html
    assert "What this roster costs" in html and "cover short" in html
    assert 'class="badge info">E' in html or 'class="badge info">L' in html
    spanish = page(client_for(practice["coordinator"], "es"), f"/staffing/?location={location.pk}&start=2027-01-04")
    assert 'lang="es"' in spanish and "Turnos del personal" in spanish and "Lo que cuestan estos turnos" in spanish


def test_solve_and_publish_from_the_page(practice):
    location = practice["location"]
    client = client_for(practice["coordinator"])
    response = client.post("/staffing/solve/", {"location": location.pk, "start": "2027-01-04", "seconds": "1"},
                           follow=True)
    assert response.status_code == 200
    assert "changes from the published roster" in response.content.decode()
    draft = Roster.objects.get(status=RosterStatus.DRAFT)
    assert draft.based_on == practice["setup"].roster and draft.changes is not None
    html = page(client, f"/staffing/?location={location.pk}&start=2027-01-04")
    assert "Draft" in html and f"/staffing/rosters/{draft.pk}/publish/" in html
    response = client.post(f"/staffing/rosters/{draft.pk}/publish/", follow=True)
    assert "Roster published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == RosterStatus.PUBLISHED


def test_a_bad_solve_is_a_flash_not_an_error(practice):
    client = client_for(practice["coordinator"])
    response = client.post("/staffing/solve/", {"location": practice["location"].pk, "start": "2027-01-04",
                                                "seconds": "999"}, follow=True)
    assert response.status_code == 200 and "time limit" in response.content.decode()


def test_staff_see_the_published_roster_and_their_shifts_but_no_buttons(practice):
    user = practice["staff"][0]
    html = page(client_for(user), f"/staffing/?location={practice['location'].pk}&start=2027-01-04")
    assert "Solve and publish" not in html and "Shift types" not in html
    mine = client_for(user).get("/staffing/mine/")
    assert mine.status_code == 200
    assert client_for(user).get("/staffing/shift-types/").status_code == 403


def test_configuration_screens_render_and_save(practice):
    location, setup = practice["location"], practice["setup"]
    for url in ("/staffing/shift-types/", "/staffing/shift-types/new/",
                f"/staffing/shift-types/{setup.shifts['E'].pk}/",
                "/staffing/skills/", "/staffing/skills/new/", f"/staffing/skills/{setup.skills['X-ray'].pk}/",
                "/staffing/staff/", "/staffing/staff/new/", f"/staffing/staff/{setup.members[0].pk}/",
                "/staffing/cover/", "/staffing/cover/new/"):
        for language in ("en", "es"):
            page(client_for(practice["coordinator"], language), f"{url}?location={location.pk}")
    client = client_for(practice["coordinator"])  # back in English
    response = client.post(f"/staffing/shift-types/new/?location={location.pk}", {
        "code": "N", "name": "Night", "start": "22:00", "end": "06:00", "paid_minutes": "480", "active": "on"})
    assert response.status_code == 422 and "ends the next day" in response.content.decode()
    response = client.post(f"/staffing/shift-types/new/?location={location.pk}", {
        "code": "N", "name": "Night", "start": "22:00", "end": "06:00", "crosses_midnight": "on",
        "paid_minutes": "480", "active": "on"}, follow=True)
    assert "Shift type added" in response.content.decode()
    assert ShiftType.objects.filter(code="N", crosses_midnight=True).exists()
    member = setup.members[0]
    response = client.post(f"/staffing/staff/{member.pk}/", {
        "min_hours_week": "10", "max_hours_week": "30", "max_consecutive_shifts": "4", "min_rest_minutes": "600",
        "max_weekends": "1", "active": "on", "skill_ids": [str(setup.skills["X-ray"].pk)],
        "unavailable_weekdays": ["0", "6"]}, follow=True)
    assert "Contract saved" in response.content.decode()
    member = StaffMember.objects.get(pk=member.pk)
    assert member.unavailable_weekdays == [0, 6] and [s.name for s in member.skills.all()] == ["X-ray"]


def test_api_roster_read_solve_and_publish(practice):
    location = practice["location"]
    coordinator = client_for(practice["coordinator"])
    published = practice["setup"].roster
    data = client_for(practice["staff"][1]).get(f"/api/v1/rosters/{published.pk}").json()
    assert data["status"] == "published" and data["assignments"]
    assert set(data["breakdown"]) == set(services.engine.SOFT_RULES)
    assert {"staffMember", "date", "shiftType", "code"} == set(data["assignments"][0])
    response = coordinator.post("/api/v1/rosters/solve", json.dumps(
        {"location": location.pk, "periodStart": "2027-01-04", "seconds": 1}), content_type="application/json")
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["basedOn"] == published.pk and draft["changes"] is not None
    assert client_for(practice["staff"][1]).get(f"/api/v1/rosters/{draft['id']}").status_code == 404
    response = coordinator.post(f"/api/v1/rosters/{draft['id']}/publish", "{}", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    response = coordinator.post("/api/v1/rosters/solve", json.dumps(
        {"location": location.pk, "periodStart": "2027-01-05"}), content_type="application/json")
    assert response.status_code == 422
    shifts = coordinator.get("/api/v1/shift-types").json()
    assert {s["code"] for s in shifts["items"] if isinstance(shifts, dict)} or shifts
