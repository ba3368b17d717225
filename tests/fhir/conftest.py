"""FHIR API fixtures: a clinic with a bookable practitioner, registered OAuth clients, and a collector of
every resource the server returns (validated against R4 at the end of each test: tests/fhir/conformance.py)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client

from clinicdesk.core.permissions import Role
from tests.factories import (
    AppointmentTypeFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

from .conformance import collect_resources, validate_all

FHIR_JSON = "application/fhir+json"


@pytest.fixture
def returned() -> Any:
    """Every resource the server returned in this test, validated against R4 when the test ends."""
    seen: list[dict[str, Any]] = []
    yield seen
    validate_all(seen)


def register_client(name: str, scopes: str, *, user_app: bool = False, redirect_uri: str = "") -> tuple[str, str]:
    out = io.StringIO()
    args = ["create", name, "--scopes", scopes]
    if user_app:
        args += ["--user-app", "--redirect-uri", redirect_uri]
    call_command("fhir-client", *args, stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    return lines["client_id"], lines.get("client_secret", "")


def client_credentials_token(client: Client, client_id: str, secret: str, scope: str | None = None) -> dict[str, Any]:
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200, response.content
    return response.json()


@dataclass
class Api:
    """A Django test client that sends the bearer token and collects what comes back."""

    client: Client
    token: str
    seen: list[dict[str, Any]] = field(default_factory=list)

    def _do(self, method: str, path: str, body: Any = None, content_type: str = FHIR_JSON, **headers: str) -> Any:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if self.token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        call = getattr(self.client, method)
        if method in ("get",):
            response = call(f"/fhir/r4/{path}", body or {}, **extra)
        else:
            if content_type.startswith("application/x-www") and isinstance(body, dict):
                data = urlencode(body)
            else:
                data = body if isinstance(body, str | bytes) else json.dumps(body)
            response = call(f"/fhir/r4/{path}", data, content_type=content_type, **extra)
        if response["Content-Type"].startswith(FHIR_JSON):
            collect_resources(response.json(), self.seen)
        return response

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self._do("get", path, params, **headers)

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self._do("post", path, body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self._do("put", path, body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self._do("patch", path, body, content_type="application/json-patch+json", **kwargs)


@pytest.fixture
def system_api(db, returned):
    """A back-end client with broad system scopes."""

    def make(scopes: str = "system/Patient.cruds system/Appointment.cruds system/Slot.rs system/Schedule.rs "
                           "system/Practitioner.rs system/PractitionerRole.rs system/Organization.rs "
                           "system/Location.rs system/HealthcareService.rs system/Coverage.rs",
             name: str = "Portal") -> Api:
        client_id, secret = register_client(name, scopes)
        client = Client()
        token = client_credentials_token(client, client_id, secret)["access_token"]
        return Api(client, token, returned)

    return make


@pytest.fixture
def user_api(db, returned):
    """An app acting for a staff user (token issued straight to the user, as the PKCE flow would)."""

    def make(user: Any, scopes: str = "user/Patient.cruds user/Appointment.cruds user/Slot.rs user/Schedule.rs "
                                      "user/Coverage.rs user/AuditEvent.rs") -> Api:
        from oauth2_provider.models import AccessToken, get_application_model

        client_id, _secret = register_client(f"app-{user.pk}", scopes, user_app=True,
                                             redirect_uri="https://app.example/cb")
        application = get_application_model().objects.get(client_id=client_id)
        token = AccessToken.objects.create(user=user, application=application, token=f"tok-{user.pk}-{client_id}",
                                           scope=scopes, expires=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
        return Api(Client(), token.token, returned)

    return make


@dataclass
class Clinic:
    location: Any
    practitioner: Any
    kind: Any
    patients: list[Any]


@pytest.fixture
def clinic(db, location):
    practitioner = PractitionerFactory(first_name="Grace", last_name="Hopper")
    weekly_availability(practitioner, location, weekdays=range(5))
    kind = AppointmentTypeFactory(code="follow-up", name="Follow-up", duration_minutes=20)
    patients = [
        PatientFactory(family_name="Garcia", given_name="Ana", birth_date=dt.date(1980, 5, 17), home_location=location,
                       email="ana@example.com", postal_code="01103", race=["2106-3"], ethnicity="2135-2"),
        PatientFactory(family_name="Garcia", given_name="Luis", birth_date=dt.date(1975, 1, 2), home_location=location,
                       phone="(413) 555-0142", sex="male"),
        PatientFactory(family_name="Smith", given_name="John", birth_date=dt.date(1990, 12, 31), home_location=location,
                       sex="male"),
    ]
    return Clinic(location, practitioner, kind, patients)


@pytest.fixture
def staff(db, location):
    def make(role: Role = Role.FRONT_DESK, at: Any = None) -> Any:
        return UserFactory(role=role, location=at if at is not None else location)

    return make


__all__ = ["Api", "Clinic", "PatientFactory", "register_client"]
