"""Property tests of the FHIR R4 API: whatever a client sends (search parameters named in the
CapabilityStatement or not, with any values; broken Patient and Appointment bodies; JSON Patch and merge
patches; odd ids, headers and operation parameters), the answer is never a 5xx, an error is always an
OperationOutcome, and a refused write leaves nothing behind."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oauth2_provider.models import AccessToken, get_application_model

from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import Appointment
from tests.fhir.conftest import register_client

from .conftest import Clinic, rolled_back, scaled

FHIR_JSON = "application/fhir+json"
FUZZ = settings(max_examples=scaled(40), deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


class Fhir:
    """Sends requests as a staff user's app or a back-end client and checks each answer's shape."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.client = Client(raise_request_exception=False)
        self.tokens = tokens

    def send(self, method: str, path: str, *, caller: str = "user", query: list[tuple[str, str]] | None = None,
             body: Any = None, content_type: str = FHIR_JSON, **headers: str) -> Any:
        url = f"/fhir/r4/{path}" + (f"?{urlencode(query)}" if query else "")
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        extra["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[caller]}"
        if body is None:
            response = self.client.generic(method, url, **extra)
        else:
            data = body if isinstance(body, str | bytes) else json.dumps(body)
            response = self.client.generic(method, url, data, content_type=content_type, **extra)
        assert response.status_code < 500, (method, url, body, response.content[:2000])
        assert response["Content-Type"].startswith(FHIR_JSON), (method, url, response["Content-Type"])
        resource = response.json()
        if response.status_code >= 400:
            assert resource["resourceType"] == "OperationOutcome", resource
            assert resource["issue"] and all(i["severity"] and i["code"] for i in resource["issue"])
        return response


@pytest.fixture
def fhir(fuzz_clinic: Clinic) -> Fhir:
    """Tokens for an app acting for the front-desk user (user/*) and for a back-end client (system/*), written
    straight to the token table: the bearer check is the same as for tokens from /o/token/, without a
    client secret to hash in every test (tests/fhir covers the OAuth flows)."""
    client_id, _secret = register_client("fuzz-app", "user/*.cruds", user_app=True,
                                         redirect_uri="https://app.example/cb")
    application = get_application_model().objects.get(client_id=client_id)
    expires = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    AccessToken.objects.create(user=fuzz_clinic.clerk, application=application, token="fuzz-user-token",
                               scope="user/*.cruds", expires=expires)
    AccessToken.objects.create(user=None, application=application, token="fuzz-system-token",
                               scope="system/*.cruds", expires=expires)
    return Fhir({"user": "fuzz-user-token", "system": "fuzz-system-token"})


@pytest.fixture
def capability(fhir: Fhir) -> dict[str, dict[str, str]]:
    """Resource type -> {search parameter: type}, from the CapabilityStatement the server publishes."""
    statement = fhir.client.get("/fhir/r4/metadata").json()
    return {r["type"]: {p["name"]: p["type"] for p in r.get("searchParam", [])}
            for r in statement["rest"][0]["resource"]}


# --- values ---------------------------------------------------------------------------------------------

PREFIXES = ("", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap", "xx", "E")
OFFSETS = st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59), max_value=dt.timedelta(hours=23, minutes=59))
EDGE_DATES = st.sampled_from(["9999-12-31", "9999-12-31T23:59:59Z", "0001-01-01", "0001-01-01T00:00:00+14:00",
                              "9999-12", "9999", "2026-02-30", "2026-11-24T24:00:00Z", "2026-11-24T09:00:00+99:99",
                              "1900-01-01T00:00:00-00:01"])
DATES = st.one_of(
    EDGE_DATES, EDGE_DATES,
    st.dates().map(dt.date.isoformat),
    st.datetimes(timezones=OFFSETS.map(lambda d: dt.timezone(dt.timedelta(minutes=d // dt.timedelta(minutes=1)))))
    .map(dt.datetime.isoformat),
    st.from_regex(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?", fullmatch=True),
)
EDGE_IDS = st.sampled_from(["²", "٣", "1.5", "-1", "0x10", "1-2", "1-1-1-99999999999999-20", "", " 1", "abc",
                            "99999999999999999999999", "9223372036854775808", "99999999999999999999-1", "a\x00b"])
IDS = st.one_of(EDGE_IDS, EDGE_IDS, st.integers(-5, 10).map(str), st.integers(0, 10**30).map(str),
                st.from_regex(r"[A-Za-z0-9\-.]{1,64}", fullmatch=True))
REFERENCES = st.one_of(IDS, st.builds(lambda t, i: f"{t}/{i}", st.sampled_from(
    ["Patient", "Practitioner", "Location", "Schedule", "Slot", "Appointment", "Banana", "patient"]), IDS),
    st.builds(",".join, st.lists(IDS, min_size=2, max_size=3)), st.just("http://other.example/fhir/Patient/1"))
TOKENS = st.one_of(st.text(max_size=12), st.builds(lambda s, c: f"{s}|{c}", st.text(max_size=8), st.text(max_size=8)),
                   st.sampled_from(["true", "false", "free,busy", "booked,cancelled", "urn:clinicdesk:mrn|", "|x"]))
NUMBERS = st.one_of(st.integers(-10**20, 10**20).map(str), st.floats().map(str),
                    st.sampled_from(["100", "101", "1000000", "-1", "0", "1e3", "", "²"]))
TEXT = st.text(max_size=40)
BY_TYPE = {"date": st.builds(str.__add__, st.sampled_from(PREFIXES), DATES), "reference": REFERENCES,
           "token": TOKENS, "string": TEXT, "number": NUMBERS}
ANY_VALUE = st.one_of(*BY_TYPE.values())
MODIFIERS = st.sampled_from(["", "", "", ":exact", ":missing", ":contains", ":not", ":text", ":Patient", ":"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
    | st.sampled_from(["9999-12-31", "0001-01-01T00:00:00Z", "Patient/99999999999999999999", "x" * 5000,
                       "a\x00b", "Slot/1-1-1-99999999999999-20", 2**70, -1]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=10)


@st.composite
def search_pairs(draw: Any, params: dict[str, str]) -> list[tuple[str, str]]:
    pairs = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["declared", "declared", "declared", "common", "unknown"]))
        if kind == "declared" and params:
            name = draw(st.sampled_from(sorted(params)))
            value = draw(st.one_of(BY_TYPE.get(params[name], ANY_VALUE), ANY_VALUE))
            pairs.append((name + draw(MODIFIERS), value))
        elif kind == "common":
            name = draw(st.sampled_from(["_count", "_offset", "_include", "_format", "_total", "_elements"]))
            pairs.append((name, draw(st.one_of(NUMBERS, TEXT, st.sampled_from(["Appointment:patient", "*"])))))
        else:
            pairs.append((draw(TEXT), draw(ANY_VALUE)))
    return pairs


# --- search, read, vread ------------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_search_never_fails_whatever_the_parameters(fhir, capability, data):
    resource_type = data.draw(st.sampled_from(sorted(capability)))
    pairs = data.draw(search_pairs(capability[resource_type]))
    caller = data.draw(st.sampled_from(["user", "system"]))
    if data.draw(st.booleans()):
        answer = fhir.send("GET", resource_type, caller=caller, query=pairs)
    else:
        answer = fhir.send("POST", f"{resource_type}/_search", caller=caller, body=urlencode(pairs),
                           content_type="application/x-www-form-urlencoded")
    if answer.status_code == 200:
        assert answer.json()["resourceType"] == "Bundle"


@FUZZ
@given(data=st.data())
def test_read_and_vread_never_fail_whatever_the_id(fhir, capability, data):
    resource_type = data.draw(st.sampled_from(sorted(capability)))
    ident = data.draw(st.from_regex(r"[A-Za-z0-9\-.]{1,64}", fullmatch=True) | IDS.filter(
        lambda i: i and all(c.isascii() and (c.isalnum() or c in "-.") for c in i)))
    caller = data.draw(st.sampled_from(["user", "system"]))
    if data.draw(st.booleans()):
        fhir.send("GET", f"{resource_type}/{ident}", caller=caller)
    else:
        version = data.draw(st.from_regex(r"[A-Za-z0-9\-.]{1,20}", fullmatch=True))
        fhir.send("GET", f"{resource_type}/{ident}/_history/{version}", caller=caller)


# --- writes -----------------------------------------------------------------------------------------------

def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*here, index))
    return found


@st.composite
def mutated(draw: Any, resource: dict[str, Any]) -> Any:
    """The resource with 1-3 random changes: a value replaced by any JSON, a member dropped or added; or
    now and then something else entirely."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(JSON, st.binary(max_size=50), st.sampled_from(["", "{", "[" * 5000, "null"])))
    doc = copy.deepcopy(resource)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON)
        elif action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(JSON)
        else:
            parent.append(draw(JSON))
        if not isinstance(doc, dict) or not _paths(doc)[1:]:
            break
    return doc


def _patient(clinic: Clinic) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "extension": [{"url": "urn:clinicdesk:home-location",
                       "valueReference": {"reference": f"Location/{clinic.location.pk}"}},
                      {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", "extension": [
                          {"url": "ombCategory", "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238",
                                                                 "code": "2028-9"}},
                          {"url": "text", "valueString": "Asian"}]}],
        "identifier": [{"system": "urn:clinicdesk:mrn", "value": "X"}],
        "name": [{"use": "official", "family": "Lopez", "given": ["Maria", "Elena"]},
                 {"use": "usual", "given": ["Mari"]}],
        "gender": "female", "birthDate": "1985-03-04",
        "telecom": [{"system": "phone", "value": "(413) 555-0177", "use": "mobile", "rank": 1},
                    {"system": "email", "value": "maria@example.org"}],
        "address": [{"line": ["1 Main St", "Apt 2"], "city": "Springfield", "state": "MA", "postalCode": "01103"}],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}, "preferred": True}],
    }


@FUZZ
@given(data=st.data())
def test_patient_create_refuses_broken_bodies_cleanly(fhir, fuzz_clinic, data):
    with rolled_back():
        body = data.draw(mutated(_patient(fuzz_clinic)))
        before = Patient.objects.count()
        headers = {}
        if data.draw(st.booleans()):
            headers["If-None-Exist"] = urlencode(data.draw(search_pairs({"family": "string", "birthdate": "date",
                                                                         "identifier": "token"})))
        if data.draw(st.booleans()):
            headers["Idempotency-Key"] = data.draw(st.text(st.characters(min_codepoint=32, max_codepoint=126),
                                                           max_size=100))
        caller = data.draw(st.sampled_from(["user", "system"]))
        answer = fhir.send("POST", "Patient", caller=caller, body=body, **headers)
        if answer.status_code >= 400:
            assert Patient.objects.count() == before


@FUZZ
@given(data=st.data())
def test_patient_update_refuses_broken_bodies_cleanly(fhir, fuzz_clinic, data):
    with rolled_back():
        patient = fuzz_clinic.patients[1]
        current = fhir.send("GET", f"Patient/{patient.pk}").json()
        current.pop("meta", None)
        body = data.draw(mutated(current))
        headers = {"If-Match": data.draw(st.sampled_from(['W/"1"', 'W/"999"', '"x"', "*", 'W/""']))} \
            if data.draw(st.booleans()) else {}
        answer = fhir.send("PUT", f"Patient/{patient.pk}", body=body, **headers)
        if answer.status_code >= 400:
            assert Patient.objects.get(pk=patient.pk).updated_at == patient.updated_at


def _appointment(clinic: Clinic, start: str) -> dict[str, Any]:
    return {
        "resourceType": "Appointment", "status": "booked", "start": start, "comment": "Fuzz",
        "serviceType": [{"coding": [{"system": "urn:clinicdesk:appointment-type", "code": clinic.types[0].code}]}],
        "participant": [
            {"actor": {"reference": f"Patient/{clinic.patients[3].pk}"}, "status": "accepted"},
            {"actor": {"reference": f"Practitioner/{clinic.providers[1].pk}"}, "status": "accepted"},
            {"actor": {"reference": f"Location/{clinic.location.pk}"}, "status": "accepted"},
        ],
    }


@FUZZ
@given(data=st.data())
def test_appointment_create_refuses_broken_bodies_cleanly(fhir, fuzz_clinic, data):
    with rolled_back():
        start = data.draw(st.sampled_from(fuzz_clinic.starts)).replace("+00:00", "Z")
        body = data.draw(mutated(_appointment(fuzz_clinic, start)))
        before = Appointment.objects.count()
        answer = fhir.send("POST", "Appointment", caller=data.draw(st.sampled_from(["user", "system"])), body=body)
        if answer.status_code >= 400:
            assert Appointment.objects.count() == before


STATUSES = st.sampled_from(["booked", "cancelled", "noshow", "arrived", "fulfilled", "pending", "proposed",
                            "entered-in-error", "checked-in", "waitlist", "BOOKED", ""])
OPERATION = st.fixed_dictionaries({
    "op": st.sampled_from(["replace", "add", "test", "remove", "move", "copy", "", "REPLACE"]),
    "path": st.sampled_from(["/status", "/cancelationReason", "/cancelationReason/text", "/start", "/", "", "status"]),
}, optional={"value": st.one_of(STATUSES, JSON, st.fixed_dictionaries({"text": JSON})), "from": TEXT})


@FUZZ
@given(data=st.data())
def test_appointment_patch_and_update_never_fail(fhir, fuzz_clinic, data):
    with rolled_back():
        target = data.draw(st.sampled_from(fuzz_clinic.appointments))
        kind = data.draw(st.sampled_from(["json-patch", "merge-patch", "put"]))
        if kind == "json-patch":
            body: Any = data.draw(st.one_of(st.lists(st.one_of(OPERATION, JSON), max_size=4), JSON))
            fhir.send("PATCH", f"Appointment/{target.pk}", body=body, content_type="application/json-patch+json")
        elif kind == "merge-patch":
            body = data.draw(st.one_of(st.fixed_dictionaries({"status": STATUSES}, optional={
                "cancelationReason": st.one_of(JSON, st.fixed_dictionaries({"text": JSON}))}), JSON))
            fhir.send("PATCH", f"Appointment/{target.pk}", body=body,
                      content_type=data.draw(st.sampled_from(["application/merge-patch+json", "application/json",
                                                              "text/plain"])))
        else:
            current = fhir.send("GET", f"Appointment/{target.pk}").json()
            current.pop("meta", None)
            fhir.send("PUT", f"Appointment/{target.pk}", body=data.draw(mutated(current)))


@FUZZ
@given(data=st.data())
def test_operations_never_fail_whatever_the_parameters(fhir, fuzz_clinic, data):
    with rolled_back():
        caller = data.draw(st.sampled_from(["user", "system"]))
        if data.draw(st.booleans()):
            names = ["service-type", "visit-type", "location", "start", "end", "practitioner", "patient", "_count",
                     "count"]
            query = data.draw(st.lists(st.tuples(st.sampled_from(names), st.one_of(ANY_VALUE, st.sampled_from(
                [fuzz_clinic.types[0].code, f"Location/{fuzz_clinic.location.pk}", "ge2026-11-24"]))), max_size=5))
            fhir.send("GET", "Appointment/$find", caller=caller, query=query)
        else:
            probe = data.draw(mutated(_patient(fuzz_clinic)))
            params = data.draw(st.lists(st.fixed_dictionaries({"name": st.sampled_from(["count", "onlyCertainMatches",
                                                                                          "x"])},
                                                              optional={"valueInteger": JSON, "valueBoolean": JSON,
                                                                        "valueString": JSON}), max_size=2))
            body = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": probe}, *params]} \
                if data.draw(st.booleans()) and not isinstance(probe, bytes) else probe
            fhir.send("POST", "Patient/$match", caller=caller, body=body)


# --- regressions: each of these was a 500 ---------------------------------------------------------------------

def _find(clinic: Clinic, **extra: str) -> list[tuple[str, str]]:
    return [("service-type", clinic.types[0].code), ("location", str(clinic.location.pk)), *extra.items()]


BREAKERS = [
    ("Appointment/$find", lambda c: _find(c, practitioner="abc"), 400),  # int('abc')
    ("Appointment/$find", lambda c: _find(c, patient="abc"), 400),
    ("Appointment/$find", lambda c: _find(c, start="9999-12-31"), 400),  # the search window overflowed
    ("Appointment/$find", lambda c: _find(c, start="8999-12-31"), 200),
    ("Appointment/$find", lambda c: _find(c, _count="[1]"), 400),
    ("Appointment/$find", lambda c: [("service-type", "²")], 422),  # '²'.isdigit() but int('²') fails
    ("Appointment/$find", lambda c: _find(c, location="a\x00b"), 400),  # NUL: PostgreSQL refuses it
    ("Patient", lambda c: [("birthdate", "9999-12-31")], 400),  # the next day does not exist
    ("Patient", lambda c: [("birthdate", "ge0001-01-01T00:00:00+14:00")], 400),  # before UTC's first instant
    ("Appointment", lambda c: [("date", "9999-12-31T23:59:59Z")], 400),
    ("Patient", lambda c: [("_id", "²")], 200),
    ("Patient", lambda c: [("_id", "99999999999999999999999")], 200),  # too large for SQLite's integers
    ("Patient", lambda c: [("name", "a\x00b")], 400),
    ("Appointment", lambda c: [("patient", "99999999999999999999999")], 200),
    ("PractitionerRole", lambda c: [("practitioner", "99999999999999999999999")], 200),
    ("Schedule", lambda c: [("actor", "Practitioner/²")], 400),
    ("Schedule", lambda c: [("actor", "Practitioner/99999999999999999999999")], 200),
    ("Slot", lambda c: [("start", "ge9999-12-31")], 400),
    ("Slot", lambda c: [("schedule", "Schedule/99999999999999999999-1")], 200),
    ("Slot/1-1-1-99999999999999-20", lambda c: [], 404),  # timedelta(minutes=...) overflowed
    ("Slot/99999999999999999999-1-1-100-20", lambda c: [], 404),
    ("Schedule/99999999999999999999-1", lambda c: [], 404),
    ("Patient/$match", lambda c: [("count", "abc")], 400),
]


def test_known_breakers_get_a_clear_answer(fhir, fuzz_clinic):
    for path, query, status in BREAKERS:
        if path == "Patient/$match":
            answer = fhir.send("POST", path, caller="system", query=query(fuzz_clinic),
                               body={"resourceType": "Patient", "name": [{"family": "Garcia"}]})
        else:
            answer = fhir.send("GET", path, caller="system", query=query(fuzz_clinic))
        assert answer.status_code == status, (path, query(fuzz_clinic), answer.content)


BAD_REASONS = [
    [{"op": "replace", "path": "/status", "value": "cancelled"}, {"op": "add", "path": "/cancelationReason",
                                                                   "value": {"text": 5}}],  # 5 .strip()
    [{"op": "replace", "path": "/status", "value": "cancelled"}, {"op": "add", "path": "/cancelationReason/text",
                                                                   "value": {"a": 1}}],  # was taken as "{'a': 1}"
    [{"op": "replace", "path": "/status", "value": "cancelled"}, {"op": "add", "path": "/cancelationReason/text",
                                                                   "value": "a\x00b"}],
]


def test_patch_with_a_reason_that_is_not_text_is_a_422(fhir, fuzz_clinic):
    target = fuzz_clinic.appointments[0]
    for operations in BAD_REASONS:
        answer = fhir.send("PATCH", f"Appointment/{target.pk}", body=operations,
                           content_type="application/json-patch+json")
        assert answer.status_code == 422, (operations, answer.content)
    assert Appointment.objects.get(pk=target.pk).status == "booked"


BAD_PATIENTS = [
    ("[" * 100_000, 400),  # RecursionError in the JSON parser
    ({"name": [{"use": "official", "family": "a\x00b", "given": ["Ana"]}]}, 422),  # NUL: a PostgreSQL DataError
    ({"extension": [{"url": "urn:clinicdesk:home-location", "valueReference": {"reference": "Location/abc"}}]}, 422),
]


def test_patient_create_refuses_what_used_to_break_it(fhir, fuzz_clinic):
    before = Patient.objects.count()
    for body, status in BAD_PATIENTS:
        answer = fhir.send("POST", "Patient", caller="system",
                           body=_patient(fuzz_clinic) | body if isinstance(body, dict) else body)
        assert answer.status_code == status, answer.content
    assert Patient.objects.count() == before


def test_fhir_idempotency_key_with_a_nul_is_refused(fhir, fuzz_clinic):
    answer = fhir.send("POST", "Appointment", caller="system", body=_appointment(fuzz_clinic, fuzz_clinic.starts[20]),
                       **{"Idempotency-Key": "a\x00b"})
    assert answer.status_code == 400 and not Appointment.objects.filter(note="Fuzz").exists()


def test_json_null_in_a_resource_is_a_422_not_a_500(fhir, fuzz_clinic):
    """Regression: the R4 models read null as absent, the handlers then met None ('coding': null: TypeError)."""
    target = fuzz_clinic.appointments[1]
    current = fhir.send("GET", f"Appointment/{target.pk}").json()
    current.pop("meta", None)
    current["serviceType"][0]["coding"] = None
    answer = fhir.send("PUT", f"Appointment/{target.pk}", body=current)
    assert answer.status_code == 422
    assert answer.json()["issue"][0]["expression"] == ["Appointment.serviceType[0].coding"]
    body = _patient(fuzz_clinic)
    body["name"][0]["given"] = [None]
    assert fhir.send("POST", "Patient", body=body).status_code == 422
    body["name"][0]["given"], body["name"][0]["_given"] = ["Ana", None], [None, {"extension": [
        {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]}]
    assert fhir.send("POST", "Patient", body=body).status_code == 201  # a null padded by _given is FHIR JSON


def test_match_with_a_contained_resource_of_no_type_is_a_422(fhir):
    """Regression: the R4 models raised a TypeError (not a ValidationError) for resourceType null inside
    Parameters, and it escaped as a 500."""
    body = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": {
        "resourceType": None, "name": [{"family": "Garcia"}]}}]}
    assert fhir.send("POST", "Patient/$match", body=body).status_code == 422
