"""Pages that read a day or an instant from the query string, at the edges of the calendar and beyond it:
Python's first and last dates, instants whose offset pushes them past year 1 or 9999, impossible dates and
text that is no date at all. Each answer is a page or a 4xx message, never a 500. (Regression: `day=9999-12-31`
or `day=0001-01-01` on these pages, and `start=0001-01-01T00:00:00+00:00` on the booking dialog, were an
OverflowError.) Every page reads these parameters through one parser, core.dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clinicdesk.core.dates import FIRST_DAY, LAST_DAY

from .conftest import Clinic, scaled

# Each page and the query parameters it reads a day (or, for the booking dialog, an instant) from.
DAY_PAGES = {
    "/schedule/day/": ["day"],
    "/schedule/week/": ["day"],
    "/schedule/print/": ["day"],
    "/frontdesk/visitors/": ["day"],
    "/frontdesk/calls/": ["day"],
    "/frontdesk/wait-times/": ["from", "to"],
    "/billing/drawer/": ["day"],
}

EDGES = ["9999-12-31", "0001-01-01", "9000-01-01", "8999-12-31", "1900-01-01", "1899-12-31", "2026-02-29",
         "2026-13-01", "2026-11-31", "0000-01-01", "10000-01-01", "-2026-11-24", "2026-11-24\x00",
         "\uff12\uff10\uff12\uff16-11-24", "2026W48", "2026-W48-2", "20261124", "9" * 400, " 2026-11-24",
         "2026-11-24T09:00:00+00:00",
         "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999+00:00",
         "0001-01-01T00:00:00-00:01", "8999-12-31T23:59:59-05:00", "1900-01-01T00:00:00+00:01",
         "2026-11-24T09:00:00", "2026-11-24T24:00:00+00:00", "2026-11-24T09:00:00Z", "2026-11-24T09:00:00+24:00"]


def _offsets() -> st.SearchStrategy[dt.tzinfo]:
    minutes = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
    return minutes.map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


# Any date Python can hold (weighted to its ends by Hypothesis), any instant with any offset, and any text.
VALUES = st.one_of(
    st.sampled_from(EDGES),
    st.dates().map(dt.date.isoformat),
    st.datetimes(timezones=_offsets()).map(dt.datetime.isoformat),
    st.datetimes().map(dt.datetime.isoformat),
    st.text(max_size=40),
)


@pytest.fixture
def desk(fuzz_clinic: Clinic) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(fuzz_clinic.clerk)
    return client


def _in_range(value: object) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return not isinstance(day, dt.date) or FIRST_DAY <= day <= LAST_DAY


def _answers(client: Client, clinic: Clinic, page: str, params: dict[str, str]) -> None:
    answer = client.get(page, {"location": clinic.location.pk, **params})
    assert answer.status_code < 500, (page, params, answer.content[:300])
    assert answer.status_code in (200, 422), (page, params, answer.status_code)
    if answer.status_code == 200 and answer.context is not None and "day" in answer.context:
        assert _in_range(answer.context["day"]), (page, params)


@pytest.mark.parametrize("page", sorted(DAY_PAGES))
def test_a_page_answers_the_named_edges_without_a_500(desk, fuzz_clinic, page):
    for value in EDGES:
        for name in DAY_PAGES[page]:
            _answers(desk, fuzz_clinic, page, {name: value})


@pytest.mark.parametrize("page", sorted(DAY_PAGES))
@settings(max_examples=scaled(25), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_page_answers_any_day_without_a_500(desk, fuzz_clinic, page, data):
    params = {name: data.draw(VALUES, label=name) for name in DAY_PAGES[page]}
    _answers(desk, fuzz_clinic, page, params)


@settings(max_examples=scaled(40), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=VALUES, practitioner=st.sampled_from(["", "1", "x", str(2**70)]))
@example(start="0001-01-01T00:00:00+00:00", practitioner="")
@example(start="9999-12-31T23:59:59-05:00", practitioner="")
def test_the_booking_dialog_answers_any_start_without_a_500(desk, fuzz_clinic, start, practitioner):
    answer = desk.get("/schedule/book/", {"location": fuzz_clinic.location.pk, "start": start,
                                          "practitioner": practitioner}, HTTP_HX_REQUEST="true")
    assert answer.status_code in (200, 422), (start, answer.status_code, answer.content[:300])
    if answer.status_code == 200:
        assert _in_range(answer.context["form"].initial["day"])
