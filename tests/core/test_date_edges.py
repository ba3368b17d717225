"""Days and instants in query strings at the edge of the calendar: one parser (core.dates) for every page.
Before it, `day=9999-12-31` or `day=0001-01-01` on the schedule, visitors, calls and drawer pages, and
`start=0001-01-01T00:00:00+00:00` on the booking dialog, were an OverflowError and a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from clinicdesk.core import dates
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

PAGES = ["/schedule/day/", "/schedule/week/", "/schedule/print/", "/frontdesk/visitors/", "/frontdesk/calls/",
         "/billing/drawer/"]
ENDS_OF_TIME = ["9999-12-31", "0001-01-01", "9000-01-01", "1899-12-31"]


@pytest.fixture
def desk(clock, location, provider) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=Role.FRONT_DESK, location=location))
    return client


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("day", ENDS_OF_TIME)
def test_a_day_outside_the_bookable_years_is_a_422_with_a_message(desk, location, page, day):
    answer = desk.get(page, {"location": location.pk, "day": day})
    assert answer.status_code == 422
    assert "Date: choose a date between 1900 and 8999." in answer.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_a_malformed_day_is_a_422_not_a_silent_today(desk, location, page):
    answer = desk.get(page, {"location": location.pk, "day": "2026-13-45"})
    assert answer.status_code == 422
    assert "Date: not a date; use e.g. 2026-11-24." in answer.content.decode()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("day", ["1900-01-01", "8999-12-31"])
def test_the_first_and_last_bookable_days_render(desk, location, page, day):
    """Their previous and next days (and weeks) are still dates: the range keeps clear of datetime's limits."""
    assert desk.get(page, {"location": location.pk, "day": day}).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_no_day_is_today(desk, location, page):
    answer = desk.get(page, {"location": location.pk})
    assert answer.status_code == 200
    assert answer.context["day"] == dt.date(2026, 11, 23)  # Monday 23 November in New York


@pytest.mark.parametrize("bounds", [{"from": "0001-01-01"}, {"to": "9999-12-31"},
                                    {"from": "9999-12-31", "to": "9999-12-31"}, {"from": "yesterday"}])
def test_wait_times_refuses_days_outside_the_bookable_years(desk, location, bounds):
    answer = desk.get("/frontdesk/wait-times/", {"location": location.pk, **bounds})
    assert answer.status_code == 422


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+05:00",
                                   "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59+00:00",
                                   "1899-12-31T23:59:59+00:00"])
def test_the_booking_dialog_refuses_a_start_outside_the_bookable_years(desk, location, start):
    answer = desk.get("/schedule/book/", {"location": location.pk, "start": start}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 422
    assert "Start: choose a date between 1900 and 8999." in answer.content.decode()


@pytest.mark.parametrize(("start", "code"), [("tomorrow", "bad-time"), ("2026-11-24T09:00:00", "naive-time")])
def test_the_booking_dialog_refuses_a_start_it_cannot_place(desk, location, start, code):
    answer = desk.get("/schedule/book/", {"location": location.pk, "start": start}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 422


def test_the_booking_dialog_opens_at_a_bookable_start_in_the_location_zone(desk, location, provider):
    answer = desk.get("/schedule/book/", {"location": location.pk, "practitioner": provider.pk,
                                          "start": "2026-11-24T14:00:00+00:00"})
    assert answer.status_code == 200
    form = answer.context["form"]
    assert (form.initial["day"], form.initial["time"]) == (dt.date(2026, 11, 24), dt.time(9, 0))


def test_the_refusal_is_problem_details_for_a_json_client(desk, location):
    answer = desk.get("/schedule/day/", {"location": location.pk, "day": "9999-12-31"},
                      HTTP_ACCEPT="application/json")
    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "out-of-range" and answer.json()["errors"] == {"day": ["Not a year one can book."]}


def test_the_message_is_in_the_users_language(clock, location):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=Role.FRONT_DESK, location=location, language="es"))
    answer = client.get("/schedule/day/", {"location": location.pk, "day": "9999-12-31"})
    assert answer.status_code == 422
    assert "Fecha: elija una fecha entre 1900 y 8999." in answer.content.decode()


# --- the parser itself -------------------------------------------------------------------------------------

def test_parse_day_reads_a_day_and_defaults_when_absent():
    assert dates.parse_day("2026-11-24") == dt.date(2026, 11, 24)
    assert dates.parse_day("", default=dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert dates.parse_day(None, default=dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


@pytest.mark.parametrize(("text", "code"), [("9999-12-31", "out-of-range"), ("0001-01-01", "out-of-range"),
                                            ("2026-02-30", "bad-date"), ("2026-11-24\x00", "bad-date"),
                                            ("", "missing-field")])
def test_parse_day_refuses_with_a_code(text, code):
    with pytest.raises(ValidationFailed) as refused:
        dates.parse_day(text, name="from")
    assert refused.value.code == code and list(refused.value.fields) == ["from"]


@pytest.mark.parametrize(("text", "code"), [("0001-01-01T00:00:00+05:00", "out-of-range"),
                                            ("9999-12-31T23:59:59-05:00", "out-of-range"),
                                            ("8999-12-31T23:59:59-05:00", "out-of-range"),  # 9000 in UTC
                                            ("2026-11-24T09:00", "naive-time"), ("09:00", "bad-time")])
def test_parse_instant_refuses_with_a_code(text, code):
    with pytest.raises(ValidationFailed) as refused:
        dates.parse_instant(text)
    assert refused.value.code == code


def test_parse_instant_keeps_the_offset_and_reads_absent_as_none():
    assert dates.parse_instant("1900-01-01T00:00:00+00:00") == dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    assert dates.parse_instant("2026-11-24T09:00:00-05:00").utcoffset() == dt.timedelta(hours=-5)
    assert dates.parse_instant("") is None


def test_the_booking_services_and_the_pages_share_one_range():
    from clinicdesk.scheduling import services

    assert (services.EARLIEST, services.LATEST) == (dates.EARLIEST, dates.LATEST)
