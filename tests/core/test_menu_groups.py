"""The main menu in groups: every screen in exactly one group, a role sees only groups it has screens in, and
the page shows the groups' names (a narrow screen hides them; the CSS is checked by the browser tests)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from clinicdesk.core.menu import MENU_GROUPS, SCREENS, menu_for, menu_groups
from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, UserFactory


def test_every_screen_is_in_exactly_one_group_and_every_group_names_real_screens():
    grouped = Counter(key for group in MENU_GROUPS for key in group.screens)
    screens = {screen.key for screen in SCREENS}
    assert {key for key, n in grouped.items() if n > 1} == set()
    assert screens - set(grouped) == set(), "a screen without a group lands under 'More'"
    assert set(grouped) - screens == set(), "a group names a screen that does not exist"


@pytest.mark.django_db
def test_a_role_sees_its_screens_in_group_order_and_no_empty_group():
    provider = UserFactory(role=Role.PROVIDER, location=LocationFactory())
    flat = menu_for(provider)
    groups = menu_groups(flat)
    assert sorted(item["key"] for group in groups for item in group["items"]) == sorted(i["key"] for i in flat)
    assert all(group["items"] for group in groups)
    order = [group.key for group in MENU_GROUPS]
    assert [group["key"] for group in groups] == sorted((g["key"] for g in groups), key=order.index)
    assert "setup" not in {group["key"] for group in groups}  # nothing of it for a provider


def test_a_screen_no_group_names_is_shown_under_more():
    groups = menu_groups([{"key": "home", "label": "Home", "url": "/"}, {"key": "new", "label": "New", "url": "/n"}])
    assert [(g["key"], [i["key"] for i in g["items"]]) for g in groups] == [("desk", ["home"]), ("more", ["new"])]


@pytest.mark.django_db
def test_the_page_shows_the_group_names_in_the_users_language():
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=LocationFactory())
    client = Client()
    client.force_login(coordinator)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="menu-group-desk"' in page and ">Front desk</span>" in page and ">Setup</span>" in page
    assert page.index('data-screen="patients"') < page.index('data-screen="insurance"') < page.index(
        'data-screen="setup"')
