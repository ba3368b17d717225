"""An administrator's password reset: a one-time temporary password that works for one sign-in, after which the
user must choose a new password before anything else; and a user's own password change."""

import pytest
from django.test import Client

from clinicdesk.accounts.models import User
from clinicdesk.accounts.services import user_password_change, user_password_reset
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role

NEW = "plum-orchard-lantern"
CHANGE = "/accounts/password/"


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def admin(make_user):
    return make_user(Role.SYSADMIN)


def test_password_reset_returns_a_temporary_password_the_user_must_change(admin, make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    temporary = user_password_reset(actor=admin, user_id=clerk.pk)
    clerk = User.objects.get(pk=clerk.pk)
    assert len(temporary) == 16 and clerk.check_password(temporary) and not clerk.check_password(password)
    assert clerk.password_must_change
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert temporary not in str(entry.detail) and entry.resource_id == str(clerk.pk)


def test_password_reset_lifts_a_lock(admin, make_user, clock):
    clerk = make_user(Role.FRONT_DESK, locked_until=clock.now().replace(year=2030), failed_logins=5)
    user_password_reset(actor=admin, user_id=clerk.pk)
    clerk = User.objects.get(pk=clerk.pk)
    assert clerk.locked_until is None and clerk.failed_logins == 0


@pytest.mark.parametrize("role", [Role.PRACTICE_COORDINATOR, Role.FRONT_DESK])
def test_password_reset_is_for_system_administrators_only(make_user, role, password):
    other, clerk = make_user(role), make_user(Role.FRONT_DESK)
    with pytest.raises(PermissionDenied):
        user_password_reset(actor=other, user_id=clerk.pk)
    assert User.objects.get(pk=clerk.pk).check_password(password)


def test_administrator_cannot_reset_their_own_password(admin, password):
    with pytest.raises(Conflict):
        user_password_reset(actor=admin, user_id=admin.pk)
    assert User.objects.get(pk=admin.pk).check_password(password)


def test_temporary_password_forces_a_change_at_the_next_sign_in(admin, make_user):
    clerk = make_user(Role.FRONT_DESK)
    temporary = user_password_reset(actor=admin, user_id=clerk.pk)
    client = Client()
    assert _login(client, clerk.username, temporary).status_code == 302
    assert client.get("/")["Location"] == CHANGE
    assert client.get("/patients/")["Location"] == CHANGE
    page = client.get(CHANGE)
    assert page.status_code == 200 and "current_password" not in page.context["form"].fields
    response = client.post(CHANGE, {"new_password": NEW, "new_password_again": NEW})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not User.objects.get(pk=clerk.pk).password_must_change
    assert _login(Client(), clerk.username, NEW).status_code == 302


def test_temporary_password_works_once(admin, make_user):
    clerk = make_user(Role.FRONT_DESK)
    temporary = user_password_reset(actor=admin, user_id=clerk.pk)
    assert _login(Client(), clerk.username, temporary).status_code == 302
    assert _login(Client(), clerk.username, temporary).status_code == 401


def test_password_reset_ends_the_users_open_sessions(admin, signed_in):
    clerk = signed_in(Role.FRONT_DESK)
    assert clerk.get("/").status_code == 200
    user_password_reset(actor=admin, user_id=clerk.user.pk)
    assert clerk.get("/")["Location"].startswith("/accounts/login/")


def test_forced_two_factor_comes_before_the_password_change(admin, make_user):
    officer = make_user(Role.COMPLIANCE)
    temporary = user_password_reset(actor=admin, user_id=officer.pk)
    client = Client()
    _login(client, officer.username, temporary)
    assert client.get(CHANGE)["Location"] == "/accounts/two-factor/setup/"


def test_password_change_asks_for_the_current_password(make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    with pytest.raises(ValidationFailed) as error:
        user_password_change(actor=clerk, current_password="wrong", new_password=NEW)
    assert "current_password" in error.value.fields
    user_password_change(actor=clerk, current_password=password, new_password=NEW)
    assert User.objects.get(pk=clerk.pk).check_password(NEW)
    assert AuditEntry.objects.filter(action="user.password_change", actor=clerk).exists()


def test_password_change_refuses_a_weak_password(make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    with pytest.raises(ValidationFailed) as error:
        user_password_change(actor=clerk, current_password=password, new_password="12345")
    assert "new_password" in error.value.fields
    assert User.objects.get(pk=clerk.pk).check_password(password)


def test_password_change_screen_keeps_the_session_and_shows_field_errors(signed_in, password):
    clerk = signed_in(Role.FRONT_DESK)
    response = clerk.post(CHANGE, {"current_password": password, "new_password": NEW, "new_password_again": "x"})
    assert response.status_code == 422 and "new_password_again" in response.context["form"].errors
    response = clerk.post(CHANGE, {"current_password": "wrong", "new_password": NEW, "new_password_again": NEW})
    assert response.status_code == 422 and "current_password" in response.context["form"].errors
    response = clerk.post(CHANGE, {"current_password": password, "new_password": NEW, "new_password_again": NEW},
                          follow=True)
    assert response.status_code == 200 and b"Your new password is set." in response.content
    assert clerk.get("/").status_code == 200


def test_password_reset_screen_shows_the_temporary_password(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    clerk = make_user(Role.FRONT_DESK)
    response = admin.post(f"/accounts/users/{clerk.pk}/password-reset/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert User.objects.get(pk=clerk.pk).check_password(response.context["password"])


def test_password_reset_screen_of_oneself_is_refused_with_a_message(signed_in, password):
    admin = signed_in(Role.SYSADMIN)
    response = admin.post(f"/accounts/users/{admin.user.pk}/password-reset/", follow=True)
    assert b"Change your own password" in response.content
    assert User.objects.get(pk=admin.user.pk).check_password(password)
