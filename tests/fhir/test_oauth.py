"""OAuth 2.0: authorization code with PKCE for staff apps, client credentials for back ends, scope limits."""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from .conftest import Api, client_credentials_token, register_client

REDIRECT = "https://app.example/cb"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize(browser: Client, client_id: str, scope: str, challenge: str | None) -> str:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": scope,
              "state": "s1"}
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    response = browser.post("/o/authorize/", {**params, "allow": "Authorize"})
    return response["Location"] if response.status_code == 302 else ""


def test_authorization_code_with_pkce_gives_a_token_acting_for_the_user(clinic, staff, returned):
    user = staff()
    client_id, _secret = register_client("Desk app", "user/Patient.rs", user_app=True, redirect_uri=REDIRECT)
    browser = Client()
    browser.force_login(user)
    verifier, challenge = _pkce()
    location = _authorize(browser, client_id, "user/Patient.rs", challenge)
    code = parse_qs(urlparse(location).query)["code"][0]
    response = Client().post("/o/token/", {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                           "client_id": client_id, "code_verifier": verifier})
    assert response.status_code == 200, response.content
    api = Api(Client(), response.json()["access_token"], returned)
    assert api.get(f"Patient/{clinic.patients[0].pk}").status_code == 200
    assert api.get("Appointment").status_code == 403  # not in its scopes, whatever the user's role allows


def test_authorization_code_without_pkce_is_refused(clinic, staff):
    client_id, _secret = register_client("Desk app", "user/Patient.rs", user_app=True, redirect_uri=REDIRECT)
    browser = Client()
    browser.force_login(staff())
    location = _authorize(browser, client_id, "user/Patient.rs", None)
    assert "code=" not in location


def test_pkce_with_the_wrong_verifier_gets_no_token(clinic, staff):
    client_id, _secret = register_client("Desk app", "user/Patient.rs", user_app=True, redirect_uri=REDIRECT)
    browser = Client()
    browser.force_login(staff())
    _verifier, challenge = _pkce()
    code = parse_qs(urlparse(_authorize(browser, client_id, "user/Patient.rs", challenge)).query)["code"][0]
    response = Client().post("/o/token/", {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                           "client_id": client_id, "code_verifier": "x" * 50})
    assert response.status_code == 400


def test_client_credentials_cannot_get_scopes_beyond_its_registration(db):
    client_id, secret = register_client("Kiosk", "system/Slot.rs")
    client = Client()
    assert client_credentials_token(client, client_id, secret)["scope"] == "system/Slot.rs"
    import base64 as b64

    basic = b64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post("/o/token/", {"grant_type": "client_credentials", "scope": "system/Patient.rs"},
                           HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 400


def test_fhir_client_command_prints_id_and_secret_and_refuses_bad_scopes(db):
    out = io.StringIO()
    call_command("fhir-client", "create", "EHR", "--scopes", "system/Patient.rs system/Appointment.cruds", stdout=out)
    text = out.getvalue()
    assert "client_id: " in text and "client_secret: " in text
    with pytest.raises(CommandError):
        call_command("fhir-client", "create", "Bad", "--scopes", "system/Banana.rs")
    with pytest.raises(CommandError):
        call_command("fhir-client", "create", "Mixed", "--scopes", "user/Patient.rs")


def test_system_scopes_give_only_the_matching_permissions(clinic, system_api):
    api = system_api("system/Patient.rs")
    assert api.get(f"Patient/{clinic.patients[0].pk}").status_code == 200
    assert api.get("Slot").status_code == 403
    response = api.post("Patient", {"resourceType": "Patient", "name": [{"family": "New", "given": ["One"]}],
                                    "gender": "male", "birthDate": "1999-01-01"})
    assert response.status_code == 403


def test_oauth_application_management_pages_are_not_served(clinic, staff):
    browser = Client()
    browser.force_login(staff())
    assert browser.get("/o/applications/register/").status_code == 404
    assert browser.get("/o/authorized_tokens/").status_code == 404
