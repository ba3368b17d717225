"""The setup guide: each step's state computed from the data, its link, skipping; and the home page's list of
what is still missing before the first patient can be booked."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import OpeningHours
from clinicdesk.setup.selectors import _STEPS, setup_missing, setup_steps
from tests.factories import AppointmentTypeFactory, PractitionerFactory, RoomFactory, UserFactory, weekly_availability


def _state(actor):
    return {step.key: step.done for step in setup_steps(actor=actor)}


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def _ready(location):
    """Everything needed to book the first patient."""
    import datetime as dt

    OpeningHours.objects.create(location=location, weekday=0, opens=dt.time(8), closes=dt.time(17))
    provider = PractitionerFactory()
    provider.locations.add(location)
    weekly_availability(provider, location)
    AppointmentTypeFactory()
    UserFactory(role=Role.FRONT_DESK, location=location)


def test_guide_steps_are_not_done_on_a_bare_install(coordinator):
    state = _state(coordinator)
    assert state["organization"] is True  # the coordinator's location has one
    assert state["locations"] is False  # no opening hours yet
    assert state["providers"] is False and state["availability"] is False and state["types"] is False
    assert state["rooms"] is False and state["settings"] is False and state["imports"] is None
    assert state["staff"] is True  # the practice coordinator can book


def test_guide_steps_are_done_once_their_data_exists(coordinator, location):
    _ready(location)
    RoomFactory(location=location)
    state = _state(coordinator)
    assert all(state[key] for key in ("organization", "locations", "providers", "types", "availability", "staff",
                                      "rooms"))


def test_guide_availability_needs_an_active_provider(coordinator, location):
    provider = PractitionerFactory()
    provider.locations.add(location)
    weekly_availability(provider, location)
    assert _state(coordinator)["availability"] is True
    provider.active = False
    provider.save()
    assert _state(coordinator)["availability"] is False


def test_guide_staff_step_needs_someone_who_can_book(make_user):
    admin = make_user(Role.SYSADMIN)
    assert _state(admin)["staff"] is False
    make_user(Role.FRONT_DESK)
    assert _state(admin)["staff"] is True


def test_guide_links_each_step_to_its_screen_when_it_exists(coordinator):
    for (key, *_rest), step in zip(_STEPS, setup_steps(actor=coordinator), strict=True):
        url_name = _rest[3]
        try:
            assert step.url == reverse(url_name), key
        except NoReverseMatch:
            assert step.url == "", key


def test_guide_page_shows_every_step_for_the_coordinator(signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    answer = client.get("/setup/")
    assert answer.status_code == 200
    for key, *_rest in _STEPS:
        assert f'data-step="{key}"'.encode() in answer.content
    assert reverse("practice:settings").encode() in answer.content


def test_guide_refuses_the_front_desk(signed_in):
    assert signed_in(Role.FRONT_DESK).get("/setup/").status_code == 403


def test_guide_skipping_a_step_moves_on_and_keeps_it_listed(signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    first = client.get("/setup/").context["current"]
    assert client.post(f"/setup/steps/{first.key}/skip/").status_code == 302
    answer = client.get("/setup/")
    assert answer.context["current"].key != first.key and first.key in answer.context["skipped"]
    assert f'data-step="{first.key}"'.encode() in answer.content


def test_guide_skipping_an_unknown_step_is_404(signed_in):
    assert signed_in(Role.PRACTICE_COORDINATOR).post("/setup/steps/nothing/skip/").status_code == 404


def test_home_lists_what_is_missing_before_the_first_booking(signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    answer = client.get("/")
    assert b"Before the first patient can be booked" in answer.content
    keys = [step.key for step in answer.context["setup_missing"]]
    assert keys == ["locations", "providers", "types", "availability"]


def test_home_shows_nothing_missing_once_all_is_set(signed_in, location):
    _ready(location)
    answer = signed_in(Role.PRACTICE_COORDINATOR).get("/")
    assert answer.context["setup_missing"] == [] and b"Before the first patient" not in answer.content


def test_home_does_not_show_the_list_to_the_front_desk(signed_in):
    answer = signed_in(Role.FRONT_DESK).get("/")
    assert answer.status_code == 200 and b"Before the first patient" not in answer.content


def test_setup_missing_is_empty_for_users_who_do_not_set_up(clerk):
    assert setup_missing(actor=clerk) == []
