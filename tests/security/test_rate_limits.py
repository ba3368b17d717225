"""Per-IP rate limits on the endpoints reachable without signing in: one test per group proves the 429, its
Retry-After and the face of the answer (an HTML page, RFC 9457 problem details or a FHIR OperationOutcome)."""

import secrets

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def client_ip():
    """A fresh address per test, so that counters left in a shared cache by other runs do not interfere."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def _exhaust(client, method, path, limit, **extra):
    for _ in range(limit):
        response = getattr(client, method)(path, **extra)
        assert response.status_code != 429
    response = getattr(client, method)(path, **extra)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    return response


def test_sign_in_page_answers_429_with_a_page_past_the_limit(db, settings, client_ip):
    settings.RATELIMIT_SIGN_IN = "2/h"
    UserFactory()  # a practice with staff: with none, every page leads to the first run instead
    client = Client(REMOTE_ADDR=client_ip)
    response = _exhaust(client, "post", "/accounts/login/", 2, data={"username": "nobody", "password": "x" * 12})
    assert response["Content-Type"].startswith("text/html") and b"Too many requests" in response.content
    assert client.get("/accounts/login/").status_code == 200  # only sign-in attempts count


def test_oauth_token_endpoint_answers_429_with_problem_details(db, settings, client_ip):
    settings.RATELIMIT_OAUTH = "2/h"
    client = Client(REMOTE_ADDR=client_ip)
    response = _exhaust(client, "post", "/o/token/", 2, data={"grant_type": "client_credentials"})
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429 and response.json()["code"] == "rate-limited"
    assert client.post("/o/introspect/", {"token": "x"}).status_code == 429  # one counter for every /o/ endpoint


def test_fhir_api_answers_429_with_an_operation_outcome(db, settings, client_ip):
    settings.RATELIMIT_FHIR = "2/h"
    response = _exhaust(Client(REMOTE_ADDR=client_ip), "get", "/fhir/r4/metadata", 2)
    assert response["Content-Type"] == "application/fhir+json"
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "throttled"


def test_answer_links_answer_429_with_a_page(db, settings, client_ip):
    settings.RATELIMIT_ANSWER_LINKS = "2/h"
    response = _exhaust(Client(REMOTE_ADDR=client_ip), "get", "/r/not-a-real-token/", 2)
    assert response["Content-Type"].startswith("text/html") and b"Too many requests" in response.content


def test_sms_webhooks_answer_429_with_problem_details(db, settings, client_ip):
    settings.RATELIMIT_SMS_HOOKS = "2/h"
    client = Client(REMOTE_ADDR=client_ip)
    response = _exhaust(client, "post", "/hooks/sms/inbound", 2, data={"From": "+14135550199", "Body": "C"})
    assert response["Content-Type"] == "application/problem+json"
    assert client.post("/hooks/sms/status", {"MessageSid": "x"}).status_code == 429


def test_limits_are_counted_per_client_address(db, settings, client_ip):
    settings.RATELIMIT_ANSWER_LINKS = "1/h"
    _exhaust(Client(REMOTE_ADDR=client_ip), "get", "/r/not-a-real-token/", 1)
    assert Client(REMOTE_ADDR="192.0.2.77").get("/r/not-a-real-token/").status_code == 404


def test_a_group_set_off_is_not_limited(db, settings, client_ip):
    settings.RATELIMIT_ANSWER_LINKS = ""
    client = Client(REMOTE_ADDR=client_ip)
    assert {client.get("/r/not-a-real-token/").status_code for _ in range(5)} == {404}
