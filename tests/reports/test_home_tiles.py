"""The home tile's numbers add up (#13 item 12): today's appointments split into parts that sum to the total,
whatever their status, and each number opens the list of the appointments it counts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import AppointmentStatus as S
from tests.factories import AppointmentFactory, PatientFactory, UserFactory
from tests.frontdesk.conftest import at

STATUSES = [S.BOOKED, S.BOOKED, S.PENDING, S.ARRIVED, S.CHECKED_IN, S.FULFILLED, S.NOSHOW, S.CANCELLED,
            S.ENTERED_IN_ERROR]


@pytest.fixture
def day_of_every_status(location, provider, follow_up, clock):
    appointments = {}
    for index, status in enumerate(STATUSES):
        patient = PatientFactory(home_location=location, family_name=f"Status{index}")
        appointments[index] = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                                 appointment_type=follow_up, start=at(8 + index % 8, 20 * (index // 8)),
                                                 status=status,
                                                 cancel_reason="Patient called" if status == S.CANCELLED else "")
    return appointments


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_parts_of_the_tile_add_up_to_the_total_and_each_links_to_its_list(clerk, location, day_of_every_status):
    page = _client(clerk).get("/").content.decode().split("data-panel=")[0]  # the location's tile (panels follow)
    total = int(re.search(r'class="tile-total">(\d+)<', page).group(1))
    parts = {key: (int(count), url.replace("&amp;", "&")) for url, key, count in re.findall(
        r'<a href="([^"]+)" data-part="([^"]+)"><strong>(\d+)</strong>', page)}
    assert total == 8  # entered in error never existed: not counted
    assert sum(count for count, _url in parts.values()) == total
    assert {key: count for key, (count, _url) in parts.items()} == {
        "to-come": 3, "here": 2, "seen": 1, "no-show": 1, "cancelled": 1}
    client = _client(clerk)
    for key, (count, url) in parts.items():
        listing = client.get(url)
        assert listing.status_code == 200
        rows = re.findall(r"Status(\d+), ", listing.content.decode())
        assert len(rows) == count, key
    everything = client.get(re.search(r'href="([^"]+)" class="tile-total"', page).group(1).replace("&amp;", "&"))
    assert len(re.findall(r"Status(\d+), ", everything.content.decode())) == total


def test_the_list_behind_a_number_is_refused_for_another_location(location, other_location, day_of_every_status):
    outsider = UserFactory(role=Role.FRONT_DESK, location=other_location)
    answer = _client(outsider).get(f"/reports/appointments/?location={location.pk}&group=here")
    assert answer.status_code == 404
    assert b"Status" not in answer.content


def test_an_unknown_part_is_not_found(clerk, location, day_of_every_status):
    assert _client(clerk).get(f"/reports/appointments/?location={location.pk}&group=nonsense").status_code == 404
