"""The JSON API at the edges Schemathesis seldom reaches: the limits of Python's dates, JSON the parser
chokes on, members of every JSON type. Each answer is a 4xx problem, never a 500, and nothing is booked.
(Regressions: each of the named cases was a 500 before.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicdesk.scheduling.models import Appointment

from .conftest import Clinic, scaled

PROBLEM = "application/problem+json"


@pytest.fixture
def api(fuzz_clinic: Clinic) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(fuzz_clinic.clerk)
    return client


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def _booking(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    return {"patient": clinic.patients[3].pk, "practitioner": clinic.providers[0].pk, "location": clinic.location.pk,
            "appointmentType": clinic.types[0].pk, **changes}


ENDS_OF_TIME = [
    {"start": "9999-12-31T23:59:59+00:00"},  # start + duration overflowed
    {"start": "9999-12-31T23:59:59-05:00"},  # the conversion to UTC overflowed
    {"start": "0001-01-01T00:00:00+05:00"},
    {"start": "9999-12-31T20:00:00+00:00", "end": "9999-12-31T20:20:00+00:00"},  # the day after overflowed
    {"start": "2026-11-24T09:00:00-05:00", "end": "0001-01-01T00:00:00+05:00"},
]


def test_booking_at_the_ends_of_time_is_a_422_not_a_500(api, fuzz_clinic):
    before = Appointment.objects.count()
    for changes in ENDS_OF_TIME:
        answer = _post(api, "/api/v1/appointments", _booking(fuzz_clinic, **changes))
        assert answer.status_code == 422 and answer["Content-Type"] == PROBLEM, changes
        assert answer.json()["code"] == "out-of-range"
    assert Appointment.objects.count() == before


def test_reschedule_to_the_end_of_time_is_a_422(api, fuzz_clinic):
    answer = _post(api, f"/api/v1/appointments/{fuzz_clinic.appointments[0].pk}/reschedule",
                   {"start": "9999-12-31T23:59:59+00:00"})
    assert answer.status_code == 422 and answer.json()["code"] == "out-of-range"


UNSEARCHABLE = [
    ({"from": "9999-12-31"}, "out-of-range"),  # first day + 59 days overflowed
    ({"from": "9999-10-01"}, "out-of-range"),
    ({"earliest": "09:00+05:00"}, "bad-time"),  # compared a local time with an aware one: TypeError
    ({"latest": "17:00Z"}, "bad-time"),
    ({"weekdays": [7]}, "bad-field"),
    ({"practitioners": [2**70]}, "bad-field"),
    ({"limit": 1.5}, "bad-field"),
    ({"prefer": "evening"}, "bad-field"),
]


def test_search_refuses_what_it_cannot_search(api, fuzz_clinic):
    for changes, code in UNSEARCHABLE:
        body = {"appointmentType": fuzz_clinic.types[0].pk, "location": fuzz_clinic.location.pk, **changes}
        answer = _post(api, "/api/v1/appointments/search", body)
        assert answer.status_code == 422 and answer["Content-Type"] == PROBLEM, changes
        assert answer.json()["code"] == code, changes


UNREADABLE = [
    ("[" * 100_000, "bad-json"),  # RecursionError in the JSON parser
    ('{"patient": Infinity}', "bad-field"),  # int(inf): OverflowError
    ('{"patient": NaN}', "bad-field"),
    ('{"patient": 1e400}', "bad-field"),
    ('{"patient": 1.9}', "bad-field"),  # was silently booked for patient 1
    ('{"patient": "12"}', "bad-field"),
    ('{"patient": true}', "bad-field"),
]


def test_booking_refuses_json_it_cannot_read(api):
    for body, code in UNREADABLE:
        answer = _post(api, "/api/v1/appointments", body)
        assert answer.status_code == 422 and answer.json()["code"] == code, body[:30]


def test_text_with_a_nul_character_is_refused_before_postgresql_sees_it(api, fuzz_clinic):
    """PostgreSQL refuses NUL in text (a DataError, then a 500): the parser refuses it first, on both databases."""
    before = Appointment.objects.count()
    booked = _post(api, "/api/v1/appointments", _booking(fuzz_clinic, start=fuzz_clinic.starts[12], note="a\x00b"))
    assert booked.status_code == 422 and booked.json()["errors"] == {"note": ["NUL character."]}
    cancelled = _post(api, f"/api/v1/appointments/{fuzz_clinic.appointments[1].pk}/cancel", {"reason": "\x00"})
    assert cancelled.status_code == 422
    keyed = api.post("/api/v1/appointments", json.dumps(_booking(fuzz_clinic, start=fuzz_clinic.starts[13])),
                     content_type="application/json", HTTP_IDEMPOTENCY_KEY="a\x00b")
    assert keyed.status_code == 422 and keyed.json()["code"] == "bad-idempotency-key"
    assert Appointment.objects.count() == before


def test_overbook_must_be_a_boolean_not_a_truthy_string(api, fuzz_clinic):
    answer = _post(api, "/api/v1/appointments", _booking(fuzz_clinic, start=fuzz_clinic.starts[10], overbook="no"))
    assert answer.status_code == 422 and answer.json()["errors"] == {"overbook": ["Not true or false."]}


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
                    | st.sampled_from(["9999-12-31", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+05:00",
                                       "09:00+05:00", "a\x00b", 2**70, -1, 0]),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)
MEMBERS = {
    "/api/v1/appointments": ["patient", "practitioner", "location", "appointmentType", "start", "end", "room",
                             "equipment", "overbook", "overbookReason", "note"],
    "/api/v1/appointments/search": ["appointmentType", "location", "practitioners", "patient", "from", "to",
                                    "weekdays", "earliest", "latest", "preferredPractitioners", "prefer", "limit"],
}


@settings(max_examples=scaled(60), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(url=st.sampled_from(sorted(MEMBERS)), data=st.data())
def test_any_json_member_gets_an_answer_not_a_500(api, fuzz_clinic, url, data):
    valid: dict[str, Any] = {**_booking(fuzz_clinic, start=fuzz_clinic.starts[-1])} if url.endswith("appointments") \
        else {"appointmentType": fuzz_clinic.types[0].pk, "location": fuzz_clinic.location.pk}
    names = data.draw(st.lists(st.sampled_from(MEMBERS[url]), min_size=1, max_size=3, unique=True))
    body = {**valid, **{name: data.draw(JSON, label=name) for name in names}}
    answer = _post(api, url, body)
    assert answer.status_code < 500, answer.content
    if answer.status_code >= 400:
        assert answer["Content-Type"] == PROBLEM


# --- bodies in other formats (core.api.json_body) -------------------------------------------------------

BODY_URLS = ["/api/v1/appointments", "/api/v1/appointments/search", "/api/v1/appointments/{id}/reschedule",
             "/api/v1/appointments/{id}/cancel", "/api/v1/appointments/{id}/status"]
CONTENT_TYPES = st.one_of(
    st.sampled_from(["multipart/form-data; boundary=BoUnDaRy", "application/x-www-form-urlencoded", "text/plain",
                     "application/xml", "application/octet-stream", "application/json-patch+json",
                     "application/merge-patch+json", "application/json; charset=latin-1", "json", "", "*/*"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)


@settings(max_examples=scaled(60), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(url=st.sampled_from(BODY_URLS), content_type=CONTENT_TYPES, body=st.binary(min_size=1, max_size=200))
def test_a_body_that_is_not_json_is_a_415_not_a_500(fuzz_clinic, url, content_type, body):
    """Through Django's real CSRF check, which reads request.POST (and so consumes a multipart stream) first."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, headers={"X-CSRFToken": fuzz_clinic.csrf})
    client.cookies.load(fuzz_clinic.cookies())
    before = Appointment.objects.count()
    answer = client.generic("POST", url.format(id=fuzz_clinic.appointments[0].pk), body, CONTENT_TYPE=content_type)
    assert answer.status_code < 500, (url, content_type, answer.content[:300])
    if content_type.split(";")[0].strip().lower() != "application/json":
        assert answer.status_code == 415 and answer["Content-Type"] == PROBLEM, (url, content_type, answer.status_code)
    assert Appointment.objects.count() == before
