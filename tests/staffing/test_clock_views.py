"""The time clock screens and API (#20 item 7): the time clock page (oneself, the shared desk, PINs) in English and
Spanish, the attendance board and corrections for the coordinator, the pay period report and its CSV, the JSON
API, and the training edit screen (audited). Pages refuse roles without the permission."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core import clock as clock_module
from clinicdesk.core.permissions import Role
from clinicdesk.staffing import clock_services, services, training_services
from clinicdesk.staffing.models import Punch, Roster, RosterAssignment, RosterStatus, Training

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 23)


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC) + dt.timedelta(hours=5)


def client_for(user, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR, first_name="Cora", last_name="Coordinator")


@pytest.fixture
def team(make_user, location, coordinator):
    """A nurse with a contract and an early shift today in the published roster."""
    nurse = make_user(Role.NURSE, first_name="Nora", last_name="Nurse")
    member = services.staff_member_create(actor=coordinator, user_id=nurse.pk, location_id=location.pk)
    shift = services.shift_type_create(actor=coordinator, location_id=location.pk, code="E", name="Early",
                                       start=dt.time(7), end=dt.time(15), paid_minutes=450)
    roster = Roster.objects.create(location=location, period_start=dt.date(2026, 11, 16),
                                   period_end=dt.date(2026, 12, 13), status=RosterStatus.PUBLISHED)
    RosterAssignment.objects.create(roster=roster, staff=member, date=MON, shift_type=shift)
    return nurse, member


def test_a_nurse_clocks_in_and_out_from_the_page(team, location):
    nurse, member = team
    client = client_for(nurse)
    with clock_module.frozen_at(utc(MON, 7, 12)):
        page = client.get(f"/staffing/clock/?location={location.pk}").content.decode()
        assert f"Your staff ID: <strong>{member.pk}</strong>" in page and "Early shift, 7" in page
        done = client.post(f"/staffing/clock/punch/?location={location.pk}", {"action": "in"}, follow=True)
        assert "Nora Nurse clocked in at 7:12 a.m." in done.content.decode()
        again = client.post(f"/staffing/clock/punch/?location={location.pk}", {"action": "in"}, follow=True)
        assert "already clocked in since 7:12 a.m.: clock out first" in again.content.decode()
        assert "Late by 12 min" in client.get(f"/staffing/clock/?location={location.pk}").content.decode()
    with clock_module.frozen_at(utc(MON, 15, 1)):  # a new sign-in: the idle logoff ended the morning's session
        done = client_for(nurse).post(f"/staffing/clock/punch/?location={location.pk}", {"action": "out"},
                                      follow=True)
    assert "clocked out at 3:01 p.m." in done.content.decode()
    assert Punch.objects.get().minutes == 469


def test_the_shared_desk_form_in_spanish_says_a_wrong_pin_and_writes_nothing(team, location, make_user):
    nurse, member = team
    clock_services.clock_pin_set(actor=nurse, staff_member_id=member.pk, pin="4821")
    desk = client_for(make_user(Role.FRONT_DESK), "es")
    with clock_module.frozen_at(utc(MON, 6, 55)):
        wrong = desk.post(f"/staffing/clock/desk/?location={location.pk}",
                          {"staff_id": member.pk, "pin": "9753", "action": "in"}, follow=True)
        assert "No se registró nada" in wrong.content.decode() and Punch.objects.count() == 0
        right = desk.post(f"/staffing/clock/desk/?location={location.pk}",
                          {"staff_id": member.pk, "pin": "4821", "action": "in"}, follow=True)
    assert "Nora Nurse" in right.content.decode() and Punch.objects.get().in_method == "pin"


def test_a_nurse_sets_her_own_pin_on_the_page(team, location):
    nurse, member = team
    client = client_for(nurse)
    done = client.post(f"/staffing/clock/pin/?location={location.pk}",
                       {"staff_member_id": member.pk, "pin": "4821", "pin_again": "4821"}, follow=True)
    assert "PIN saved." in done.content.decode()
    differ = client.post(f"/staffing/clock/pin/?location={location.pk}",
                         {"staff_member_id": member.pk, "pin": "4821", "pin_again": "4822"}, follow=True)
    assert "The two PINs differ." in differ.content.decode()


def test_the_board_shows_late_and_missed_and_the_coordinator_corrects(team, location, coordinator):
    nurse, _member = team
    with clock_module.frozen_at(utc(MON, 7, 30)):
        punch = clock_services.clock_punch_self(actor=nurse, action="in")
    client = client_for(coordinator)
    with clock_module.frozen_at(utc(MON, 17)):
        page = client.get(f"/staffing/clock/board/?location={location.pk}&day=2026-11-23").content.decode()
        assert "Late by 30 min" in page and "Clocked in" in page
        form = client.get(f"/staffing/clock/punches/{punch.pk}/")
        assert form.status_code == 200 and 'value="2026-11-23T07:30"' in form.content.decode()
        refused = client.post(f"/staffing/clock/punches/{punch.pk}/",
                              {"clock_in": "2026-11-23T07:00", "clock_out": "2026-11-23T15:00", "reason": ""})
        assert refused.status_code == 422
        done = client.post(f"/staffing/clock/punches/{punch.pk}/",
                           {"clock_in": "2026-11-23T07:00", "clock_out": "2026-11-23T15:00",
                            "reason": "Clocked in late by mistake"})
    assert done.status_code == 302
    punch.refresh_from_db()
    assert punch.clock_in == dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC) and punch.corrected
    assert AuditEntry.objects.filter(action="staffing.clock.correct").count() == 1


def test_the_board_costs_a_fixed_number_of_queries(team, location, coordinator, make_user):
    client = client_for(coordinator)
    url = f"/staffing/clock/board/?location={location.pk}&day=2026-11-23"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries, clock_module.frozen_at(utc(MON, 17)):
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    before = count()
    roster = Roster.objects.get()
    shift = RosterAssignment.objects.get().shift_type
    for n in range(3):
        user = make_user(Role.FRONT_DESK, first_name=f"Desk{n}")
        member = services.staff_member_create(actor=coordinator, user_id=user.pk, location_id=location.pk)
        RosterAssignment.objects.create(roster=roster, staff=member, date=MON, shift_type=shift)
        Punch.objects.create(staff=member, location=location, clock_in=utc(MON, 7), clock_out=utc(MON, 15))
    assert count() == before


def test_the_pay_period_report_and_its_csv(team, location, coordinator):
    _nurse, member = team
    clock_services.clock_settings_update(actor=coordinator, pay_period="weekly", anchor=MON, grace_minutes=5)
    Punch.objects.create(staff=member, location=location, clock_in=utc(MON, 7, 10), clock_out=utc(MON, 17, 40))
    client = client_for(coordinator, "es")
    with clock_module.frozen_at(utc(MON, 20)):
        page = client.get(f"/staffing/clock/hours/?location={location.pk}&day=2026-11-23")
        assert page.status_code == 200 and "Horas por periodo de pago" in page.content.decode()
        response = client.get(f"/staffing/clock/hours.csv?location={location.pk}&day=2026-11-25")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["staff", "period_start", "period_end", "regular_hours", "overtime_hours", "late_shifts",
                     "missed_shifts"],
                    ["Nora Nurse", "2026-11-23", "2026-11-29", "10.50", "0.00", "1", "0"]]


def test_the_settings_page_saves_and_audits(coordinator):
    client = client_for(coordinator)
    assert client.get("/staffing/clock/settings/").status_code == 200
    done = client.post("/staffing/clock/settings/", {"pay_period": "weekly", "anchor": "2026-11-02",
                                                     "grace_minutes": "3"})
    assert done.status_code == 302
    settings = clock_services.clock_settings()
    assert (settings.pay_period, settings.anchor, settings.grace_minutes) == ("weekly", dt.date(2026, 11, 2), 3)
    assert AuditEntry.objects.filter(action="staffing.clock.settings").count() == 1


def test_the_coordinators_pages_are_refused_to_staff(team, location):
    nurse, _member = team
    client = client_for(nurse)
    for url in (f"/staffing/clock/board/?location={location.pk}", f"/staffing/clock/hours/?location={location.pk}",
                f"/staffing/clock/hours.csv?location={location.pk}", "/staffing/clock/settings/"):
        assert client.get(url).status_code == 403, url


def test_the_api_clocks_and_reports(team, location, coordinator, outsider):
    nurse, member = team
    client = client_for(nurse)
    with clock_module.frozen_at(utc(MON, 7, 2)):
        made = client.post("/api/v1/clock/punches", {"action": "in"}, content_type="application/json")
        assert made.status_code == 201 and made.json()["assignment"] is not None
        twice = client.post("/api/v1/clock/punches", {"action": "in"}, content_type="application/json")
        assert twice.status_code == 409 and twice.json()["code"] == "already-clocked-in"
        assert client.post("/api/v1/clock/pin", {"staffMember": member.pk, "pin": "4821"},
                           content_type="application/json").status_code == 204
        assert client.get(f"/api/v1/clock/attendance?location={location.pk}").status_code == 403
    boss = client_for(coordinator)
    with clock_module.frozen_at(utc(MON, 16)):
        out = boss.post("/api/v1/clock/punches", {"action": "out", "staffId": member.pk, "pin": "4821"},
                          content_type="application/json")
        assert out.status_code == 200 and out.json()["minutes"] == 538
        day = boss.get(f"/api/v1/clock/attendance?location={location.pk}&date=2026-11-23").json()
        assert [(i["name"], i["lateMinutes"], i["missed"]) for i in day["items"]] == [("Nora Nurse", 0, False)]
        fixed = boss.post(f"/api/v1/clock/punches/{made.json()['id']}/correct",
                          {"clockIn": "2026-11-23T12:00:00+00:00", "clockOut": "2026-11-23T20:00:00+00:00",
                           "reason": "Forgot to clock out"}, content_type="application/json")
        assert fixed.status_code == 200 and fixed.json()["corrected"]
        period = boss.get(f"/api/v1/clock/pay-period?location={location.pk}&date=2026-11-23").json()
    assert period["items"][0]["regularHours"] == "8.00"
    assert client_for(outsider).get(f"/api/v1/clock/attendance?location={location.pk}").status_code == 404


def test_the_coordinator_edits_a_training_and_it_is_audited(coordinator, make_user):
    training_services.trainings_seed()
    fire = Training.objects.get(code="FIRE")
    client = client_for(coordinator)
    page = client.get(f"/staffing/training/{fire.pk}/")
    assert page.status_code == 200 and "Fire safety" in page.content.decode()
    done = client.post(f"/staffing/training/{fire.pk}/", {"name": "Fire safety and evacuation",
                                                          "roles": ["nurse", "front_desk"], "valid_months": "24",
                                                          "active": "on"})
    assert done.status_code == 302
    fire.refresh_from_db()
    assert (fire.name, fire.roles, fire.valid_months) == ("Fire safety and evacuation", ["front_desk", "nurse"], 24)
    entry = AuditEntry.objects.filter(action="staffing.training.update").get()
    assert set(entry.detail["changed"]) == {"name", "roles", "valid_months"}
    history = client.get(f"/staffing/training/{fire.pk}/").content.decode()
    assert "Nurse / medical assistant" in history and "front_desk" not in history.split("<h1>")[1].split(
        "<form")[0]
    bad = client.post(f"/staffing/training/{fire.pk}/", {"name": "", "valid_months": "0"})
    assert bad.status_code == 422
    assert client_for(make_user(Role.NURSE)).get(f"/staffing/training/{fire.pk}/").status_code == 403
