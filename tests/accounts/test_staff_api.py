"""/api/v1/users: the staff-account resource and its temporary-password operation."""

import json

import pytest

from clinicdesk.accounts.models import User
from clinicdesk.core.permissions import Role

SECRETS = ("password", "argon2", "key", "secret", "totp")


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _no_secrets(payload):
    text = json.dumps(payload).lower()
    assert not any(word in text for word in SECRETS if word != "password") and "argon2$" not in text


def test_users_api_lists_accounts_without_secrets(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    make_user(Role.FRONT_DESK, username="carla")
    body = admin.get("/api/v1/users").json()
    carla = next(item for item in body["items"] if item["username"] == "carla")
    assert set(carla) == {"id", "username", "firstName", "lastName", "email", "role", "language", "locations",
                          "twoFactorRequired", "active", "mustChangePassword", "twoFactorSetUp", "lockedUntil"}
    assert carla["role"] == "front_desk" and carla["active"] is True and carla["twoFactorSetUp"] is False
    admin_item = next(item for item in body["items"] if item["id"] == admin.user.pk)
    assert admin_item["twoFactorSetUp"] is True  # signed_in gave the administrator an authenticator
    _no_secrets(body)


def test_users_api_creates_updates_and_deactivates(signed_in, location):
    admin = signed_in(Role.SYSADMIN)
    created = _post(admin, "/api/v1/users", {"username": "nina", "role": "nurse", "locations": [location.pk],
                                              "twoFactorRequired": True})
    assert created.status_code == 201
    nina = created.json()
    assert nina["locations"] == [location.pk] and nina["twoFactorRequired"] is True
    assert not User.objects.get(pk=nina["id"]).has_usable_password()
    changed = admin.patch(f"/api/v1/users/{nina['id']}", json.dumps({"firstName": "Nina", "role": "billing"}),
                          content_type="application/json")
    assert changed.status_code == 200 and changed.json()["role"] == "billing" and changed.json()["firstName"] == "Nina"
    gone = _post(admin, f"/api/v1/users/{nina['id']}/deactivate")
    assert gone.status_code == 200 and gone.json()["active"] is False


def test_users_api_refuses_a_location_bound_role_without_locations(signed_in):
    admin = signed_in(Role.SYSADMIN)
    response = _post(admin, "/api/v1/users", {"username": "nina", "role": "nurse"})
    assert response.status_code == 422 and "locations" in response.json()["errors"]
    assert not User.objects.filter(username="nina").exists()


def test_users_api_refuses_deactivating_the_last_administrator(signed_in):
    admin = signed_in(Role.SYSADMIN)
    response = _post(admin, f"/api/v1/users/{admin.user.pk}/deactivate")
    assert response.status_code == 409


def test_password_reset_operation_returns_the_temporary_password_once(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    clerk = make_user(Role.FRONT_DESK)
    response = _post(admin, f"/api/v1/users/{clerk.pk}/password-reset")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"id", "temporaryPassword"} and body["id"] == clerk.pk
    clerk = User.objects.get(pk=clerk.pk)
    assert clerk.check_password(body["temporaryPassword"]) and clerk.password_must_change
    again = admin.get(f"/api/v1/users/{clerk.pk}").json()
    assert again["mustChangePassword"] is True and "temporaryPassword" not in again


@pytest.mark.parametrize("role", [Role.PRACTICE_COORDINATOR, Role.FRONT_DESK])
def test_users_api_is_for_system_administrators(signed_in, make_user, role):
    other = signed_in(role)
    clerk = make_user(Role.FRONT_DESK)
    assert other.get("/api/v1/users").status_code == 403
    assert _post(other, f"/api/v1/users/{clerk.pk}/password-reset").status_code == 403
    assert User.objects.get(pk=clerk.pk).password_must_change is False


def test_users_api_unknown_user_is_404(signed_in):
    admin = signed_in(Role.SYSADMIN)
    assert admin.get("/api/v1/users/999999").status_code == 404
    assert _post(admin, "/api/v1/users/999999/password-reset").status_code == 404
