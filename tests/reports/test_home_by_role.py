"""Home by role (#15 item 3): the desk sees today's arrivals, who is waiting and for how long, tasks and messages;
the coordinator sees the pre-visit worklist and the waitlist; the provider sees their own day and their inbox.
Every number is a link to the list it counts, and each panel's parts add up to its total."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk import services as desk
from clinicdesk.scheduling.models import AppointmentStatus as S
from clinicdesk.scheduling.models import WaitlistEntry
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory, UserFactory
from tests.frontdesk.conftest import TODAY, at


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _panel(page: str, key: str) -> tuple[int, dict[str, tuple[int, str]]]:
    """The total of the panel `key` and its parts {key: (count, url)}."""
    section = re.search(rf'data-panel="{key}".*?</section>', page, re.S)
    assert section, key
    text = section.group(0)
    total = int(re.search(r'class="panel-total">(\d+)<', text).group(1))
    parts = {k: (int(n), url.replace("&amp;", "&")) for url, k, n in re.findall(
        r'<a href="([^"]+)" data-part="([^"]+)"><strong>(\d+)</strong>', text)}
    return total, parts


@pytest.fixture
def coordinator(location):
    return UserFactory(role=Role.PATIENT_COORDINATOR, location=location)


@pytest.fixture
def desk_morning(location, provider, follow_up, clerk, clock):
    """Two patients here: one arrived, one checked in and waiting; two open tasks (one overdue)."""
    first, second = (AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                                        patient=PatientFactory(home_location=location, family_name=name),
                                        start=at(10, minute)) for name, minute in (("Arrivo", 0), ("Waitova", 20)))
    desk.visit_arrive(actor=clerk, appointment_id=first.pk)
    desk.visit_check_in(actor=clerk, appointment_id=second.pk)
    desk.task_create(actor=clerk, location_id=location.pk, title="Call the lab", due_date=TODAY - dt.timedelta(days=1),
                     pool=Role.FRONT_DESK)
    desk.task_create(actor=clerk, location_id=location.pk, title="Scan forms", due_date=TODAY, pool=Role.FRONT_DESK)
    return first, second


def test_home_of_the_desk_shows_who_is_waiting_and_the_parts_add_up(clerk, desk_morning):
    page = _client(clerk).get("/").content.decode()
    total, parts = _panel(page, "waiting")
    assert total == 2 == sum(n for n, _url in parts.values())
    assert {k: n for k, (n, _u) in parts.items()} == {"arrived": 1, "checked-in": 1}
    assert "Arrivo" in page and "Waitova" in page
    assert re.search(r'<time class="timer[^"]*" datetime="PT\d+M"', page)  # a duration, not a clock


def test_home_of_the_desk_counts_tasks_overdue_today_and_later(clerk, desk_morning):
    client = _client(clerk)
    total, parts = _panel(client.get("/").content.decode(), "tasks")
    assert total == 2 == sum(n for n, _url in parts.values())
    assert {k: n for k, (n, _u) in parts.items()} == {"overdue": 1, "due-today": 1, "later": 0}
    for _n, url in parts.values():
        assert client.get(url).status_code == 200
    _total, messages = _panel(client.get("/").content.decode(), "messages")
    assert sum(n for n, _u in messages.values()) == _total


def test_home_numbers_link_to_lists_that_hold_as_many_rows(clerk, desk_morning):
    client = _client(clerk)
    _total, parts = _panel(client.get("/").content.decode(), "waiting")
    board = client.get(parts["arrived"][1]).content.decode()
    assert "Arrivo" in board and "Waitova" in board


def test_home_of_the_coordinator_shows_the_worklists(coordinator, location, provider, follow_up, clock):
    patient = PatientFactory(home_location=location)
    WaitlistEntry.objects.create(patient=patient, appointment_type=follow_up, location=location,
                                 created_at=timezone.now())
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, status=S.BOOKED,
                       patient=PatientFactory(home_location=location), start=at(10, 0, TODAY + dt.timedelta(days=1)))
    client = _client(coordinator)
    page = client.get("/").content.decode()
    total, parts = _panel(page, "waitlist")
    assert total == 1 == sum(n for n, _u in parts.values())
    assert client.get(parts["waiting"][1]).status_code == 200
    previsit_total, previsit = _panel(page, "previsit")
    assert previsit_total == sum(n for n, _u in previsit.values())
    worklist = client.get(next(iter(previsit.values()))[1]).content.decode()
    assert worklist.count("<tr") - 1 == previsit_total  # one header row, one row per appointment not ready


def test_home_of_the_provider_shows_only_their_day_and_the_parts_add_up(location, provider, follow_up, clock):
    doctor = UserFactory(role=Role.PROVIDER, location=location)
    provider.user = doctor
    provider.save()
    colleague = PractitionerFactory()
    for minute, status in ((0, S.BOOKED), (20, S.ARRIVED), (40, S.FULFILLED)):
        AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, status=status,
                           patient=PatientFactory(home_location=location, family_name=f"Mine{minute}"),
                           start=at(9, minute))
    AppointmentFactory(location=location, practitioner=colleague, appointment_type=follow_up,
                       patient=PatientFactory(home_location=location, family_name="Theirs"), start=at(9, 0))
    client = _client(doctor)
    page = client.get("/").content.decode()
    assert "Theirs" not in page and "Mine0" in page
    total = int(re.search(r'class="tile-total">(\d+)<', page).group(1))
    parts = {k: (int(n), url.replace("&amp;", "&")) for url, k, n in re.findall(
        r'<a href="([^"]+)" data-part="([^"]+)"><strong>(\d+)</strong>', page.split("data-panel=")[0])}
    assert total == 3 == sum(n for n, _u in parts.values())
    listing = client.get(parts["to-come"][1]).content.decode()
    assert "Mine0" in listing and "Theirs" not in listing
    assert 'data-panel="tasks"' in page  # their inbox


def test_home_of_a_user_elsewhere_shows_no_panel_of_this_location(outsider, location, desk_morning):
    page = _client(outsider).get("/").content.decode()
    assert f'data-location="{location.pk}"' not in page
    assert "Arrivo" not in page


def test_home_shows_words_not_codes(clerk, desk_morning):
    page = _client(clerk).get("/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", page)
    for code in ("checked-in", "front_desk", "due-today", "arrived,"):
        assert code not in visible.replace("arrived, not", "")
