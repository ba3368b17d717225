"""One place to choose the location: the top bar's switcher. Pages follow its choice (remembered in the session),
an explicit ?location= (a link, a bookmark) still wins, and pages carry no location picker of their own."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

PAGES = ["/frontdesk/", "/schedule/day/", "/billing/drawer/"]


@pytest.fixture
def desk(location, other_location):
    user = UserFactory(role=Role.FRONT_DESK, location=location)
    user.locations.add(other_location)
    client = Client()
    client.force_login(user)
    return client


def _selects_named_location(html: str) -> int:
    return len(re.findall(r"<select[^>]*name=\"location\"", html))


@pytest.mark.parametrize("url", PAGES)
def test_page_has_only_the_top_bar_location_switcher(desk, url):
    html = desk.get(url).content.decode()
    assert 'id="location-switcher"' in html
    assert _selects_named_location(html) == 1, url


@pytest.mark.parametrize("url", PAGES)
def test_pages_follow_the_switcher_choice_made_on_another_page(desk, other_location, url):
    assert desk.get(f"/frontdesk/?location={other_location.pk}").status_code == 200
    html = desk.get(url).content.decode()
    assert re.search(rf'<option value="{other_location.pk}" selected>', html), url


def test_explicit_location_parameter_wins_over_the_remembered_one(desk, location, other_location):
    desk.get(f"/frontdesk/?location={other_location.pk}")
    html = desk.get(f"/schedule/day/?location={location.pk}").content.decode()
    assert re.search(rf'<option value="{location.pk}" selected>', html)
    assert re.search(rf'<option value="{location.pk}" selected>', desk.get("/billing/drawer/").content.decode())


def test_a_location_of_someone_else_is_not_remembered(desk, location, db):
    from tests.factories import LocationFactory

    elsewhere = LocationFactory(name="Elsewhere")
    desk.get(f"/frontdesk/?location={elsewhere.pk}")
    html = desk.get("/frontdesk/").content.decode()
    assert re.search(rf'<option value="{location.pk}" selected>', html)
