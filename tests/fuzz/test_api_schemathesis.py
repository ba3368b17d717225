"""Schemathesis against the internal JSON API, through the WSGI app and the document it serves at
/api/v1/openapi.json: a signed-in front-desk user (session cookie and CSRF pair), real data, and per
operation up to 50 generated requests, valid and invalid. Every answer must be a non-5xx that keeps to
the document: status code, content type, body schema; invalid input must be refused.

Generated ids are mostly numbers nobody has; so that valid calls get through to the services, an id or
start the generator drew validly is swapped, some of the time, for a real one (never an invalid value for
a valid one: the negative cases stay negative)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from clinicdesk.core.openapi import MAX_ID
from clinicdesk.wsgi import application

from .conftest import COORDINATOR_SESSION_KEY, CSRF_TOKEN, SESSION_KEY_VALUE, TUESDAY, Clinic, scaled

CONFIG = schemathesis.Config.from_dict({
    # NUL characters too: PostgreSQL refuses them in text, so they must be refused before they get there.
    "generation": {"max-examples": scaled(50), "database": "none", "allow-x00": True},
    "phases": {"stateful": {"enabled": False}},
    # A valid request may still break a business rule (the slot is taken, the patient is elsewhere):
    # a 409 or 422 for schema-valid input is a correct answer here, not a failure.
    "checks": {"positive_data_acceptance": {"enabled": False}},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


class _Current:
    clinic: Clinic | None = None


CURRENT = _Current()


# The desk's own operations go as the front-desk user; configuration (#14) as the practice coordinator.
DESK_TAGS = frozenset({"appointments", "session", "meta", "waitlist", "billing"})


def _session_for(case: Any) -> str:
    tags = set(case.operation.tags or ())
    return SESSION_KEY_VALUE if not tags or tags & DESK_TAGS else COORDINATOR_SESSION_KEY


@schema.auth(refresh_interval=None)
class DeskSession:
    """The signed-in user's session and the CSRF pair (fixed values; each test signs its users in)."""

    def get(self, case: Any, ctx: Any) -> bool:
        return True

    def set(self, case: Any, data: bool, ctx: Any) -> None:
        case.cookies = {**(case.cookies or {}), django_settings.SESSION_COOKIE_NAME: _session_for(case),
                        django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN}
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_TOKEN}


def _id(value: Any) -> bool:
    """A validly drawn id (only those are swapped: a negative case must stay negative)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _instant(value: Any) -> bool:
    """An RFC 3339 date-time the parser reads too (stricter than either: a doubtful value is not swapped)."""
    try:
        return isinstance(value, str) and bool(RFC3339.match(value)) and bool(dt.datetime.fromisoformat(value))
    except ValueError:
        return False


def _day(value: Any) -> bool:
    try:
        return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) \
            and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _realistic(body: dict[str, Any], clinic: Clinic) -> st.SearchStrategy:
    """The same body with every validly drawn id and time swapped for a real one, and validly drawn
    optional members that rarely fit (end, equipment, overbook, dates) sometimes dropped."""
    real: dict[str, list[Any]] = {
        "patient": [p.pk for p in clinic.patients], "practitioner": [p.pk for p in clinic.providers],
        "location": [clinic.location.pk], "appointmentType": [t.pk for t in clinic.types],
        "room": [r.pk for r in clinic.rooms], "start": clinic.starts,
        "from": [(TUESDAY + dt.timedelta(days=d)).isoformat() for d in range(-1, 3)],
        "to": [(TUESDAY + dt.timedelta(days=d)).isoformat() for d in range(3, 8)],
    }
    valid = {"patient": _id, "practitioner": _id, "location": _id, "appointmentType": _id, "room": _id,
             "start": _instant, "from": _day, "to": _day}
    parts: dict[str, st.SearchStrategy] = {}
    for name, check in valid.items():
        if name in body and check(body[name]):
            parts[name] = st.sampled_from(real[name])
    for name in ("practitioners", "preferredPractitioners"):
        if isinstance(body.get(name), list) and all(_id(v) for v in body[name]):
            parts[name] = st.sampled_from([[p.pk for p in clinic.providers], [clinic.providers[0].pk]])
    droppable = [name for name, check in (("end", _instant), ("room", _id), ("from", _day), ("to", _day))
                 if name in body and check(body[name])]
    if isinstance(body.get("equipment"), list) and all(_id(v) for v in body["equipment"]):
        droppable.append("equipment")
    if isinstance(body.get("overbook"), bool):
        droppable.append("overbook")
    dropped = st.lists(st.sampled_from(droppable), unique=True) if droppable else st.just([])
    return st.tuples(st.fixed_dictionaries(parts), dropped).map(
        lambda drawn: {k: v for k, v in {**body, **drawn[0]}.items() if k not in drawn[1]})


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
    clinic = CURRENT.clinic
    if clinic is None or not isinstance(body, dict):
        return st.just(body)
    return st.one_of(st.just(body), _realistic(body, clinic))


@schema.hook
def flatmap_path_parameters(context: Any, parameters: Any) -> st.SearchStrategy:
    clinic = CURRENT.clinic
    value = parameters.get("appointment_id") if isinstance(parameters, dict) else None
    if clinic is None or not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return st.just(parameters)
    real = st.sampled_from([a.pk for a in clinic.appointments])
    return st.one_of(st.just(value), real).map(lambda chosen: {**parameters, "appointment_id": chosen})


@pytest.fixture
def signed_in_clinic(fuzz_clinic: Clinic, raw_wsgi):
    CURRENT.clinic = fuzz_clinic
    yield fuzz_clinic
    CURRENT.clinic = None


@schema.parametrize()
@settings(max_examples=scaled(50), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_answers_every_request_without_5xx_and_as_documented(case, signed_in_clinic):
    case.call_and_validate()
