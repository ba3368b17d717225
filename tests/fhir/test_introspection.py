"""Token introspection (/o/introspect/, RFC 7662): a client learns about its own tokens; only a client granted
the `introspection` scope learns about other clients' tokens. Anyone else's token reads as inactive."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest
from django.test import Client

from .conftest import client_credentials_token, register_client

FORM = "application/x-www-form-urlencoded"


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def clients(db):
    made = {name: register_client(name, scopes) for name, scopes in (
        ("Portal", "system/Patient.rs"), ("Other app", "system/Patient.rs"),
        ("Gateway", "system/Patient.rs introspection"))}
    tokens = {name: client_credentials_token(Client(), *credentials)["access_token"]
              for name, credentials in made.items()}
    return made, tokens


def _introspect(token: str, authorization: str) -> tuple[int, dict]:
    response = Client().post("/o/introspect/", urlencode({"token": token}), content_type=FORM,
                             HTTP_AUTHORIZATION=authorization)
    return response.status_code, response.json() if response.status_code == 200 else {}


def test_a_client_may_introspect_its_own_token(clients):
    made, tokens = clients
    status, answer = _introspect(tokens["Portal"], _basic(*made["Portal"]))
    assert status == 200 and answer["active"] is True and answer["client_id"] == made["Portal"][0]


def test_another_clients_token_reads_as_inactive(clients):
    made, tokens = clients
    assert _introspect(tokens["Portal"], _basic(*made["Other app"])) == (200, {"active": False})
    # the same with the credentials in the body instead of basic auth
    client_id, secret = made["Other app"]
    response = Client().post("/o/introspect/", urlencode({"token": tokens["Portal"], "client_id": client_id,
                                                          "client_secret": secret}), content_type=FORM)
    assert response.status_code == 200 and response.json() == {"active": False}
    # and by GET, which the toolkit also serves
    response = Client().get("/o/introspect/", {"token": tokens["Portal"]},
                            HTTP_AUTHORIZATION=_basic(*made["Other app"]))
    assert response.status_code == 200 and response.json() == {"active": False}


def test_a_client_granted_the_introspection_scope_may_introspect_any_token(clients):
    made, tokens = clients
    status, answer = _introspect(tokens["Portal"], _basic(*made["Gateway"]))
    assert status == 200 and answer["active"] is True and answer["client_id"] == made["Portal"][0]
    # as a bearer token carrying the scope
    status, answer = _introspect(tokens["Portal"], f"Bearer {tokens['Gateway']}")
    assert status == 200 and answer["active"] is True


def test_a_bearer_token_without_the_introspection_scope_is_refused(clients):
    _made, tokens = clients
    status, _answer = _introspect(tokens["Portal"], f"Bearer {tokens['Other app']}")
    assert status in (401, 403)


def test_wrong_credentials_are_refused(clients):
    made, tokens = clients
    status, _answer = _introspect(tokens["Portal"], _basic(made["Other app"][0], "not-the-secret"))
    assert status in (401, 403)
