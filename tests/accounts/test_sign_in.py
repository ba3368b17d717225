import datetime as dt
import re
import secrets
from unittest.mock import patch

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.accounts.models import User
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_in_reaches_the_home_screen(make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    client = Client()
    assert _login(client, clerk.username, password).status_code == 302
    assert client.get("/").status_code == 200


def test_password_is_hashed_with_argon2(make_user):
    assert make_user().password.startswith("argon2$")


def test_account_locks_after_repeated_failures_even_with_the_right_password(make_user, password, clock, settings):
    clerk = make_user(Role.FRONT_DESK)
    client = Client()
    for _ in range(settings.LOCKOUT_THRESHOLD):
        assert _login(client, clerk.username, "wrong-password").status_code == 401
    response = _login(client, clerk.username, password)
    assert response.status_code == 401 and b"locked" in response.content
    assert AuditEntry.objects.filter(action="auth.lockout", actor=clerk).exists()


def test_lock_expires_after_the_lockout_period(make_user, password, clock, settings):
    clerk = make_user(Role.FRONT_DESK)
    client = Client()
    for _ in range(settings.LOCKOUT_THRESHOLD):
        _login(client, clerk.username, "wrong-password")
    clock.advance(dt.timedelta(minutes=settings.LOCKOUT_MINUTES + 1))
    assert _login(client, clerk.username, password).status_code == 302


def test_failures_spread_over_time_do_not_lock(make_user, password, clock, settings):
    clerk = make_user(Role.FRONT_DESK)
    client = Client()
    for _ in range(settings.LOCKOUT_THRESHOLD + 2):
        _login(client, clerk.username, "wrong-password")
        clock.advance(dt.timedelta(minutes=settings.LOCKOUT_MINUTES))
    assert _login(client, clerk.username, password).status_code == 302


def test_administrator_unlocks_an_account(make_user, password, signed_in, settings):
    clerk = make_user(Role.FRONT_DESK)
    for _ in range(settings.LOCKOUT_THRESHOLD):
        _login(Client(), clerk.username, "wrong-password")
    admin = signed_in(Role.SYSADMIN)
    assert admin.post(f"/accounts/users/{clerk.pk}/unlock/").status_code == 302
    assert _login(Client(), clerk.username, password).status_code == 302


def test_idle_session_is_signed_out_after_the_timeout(signed_in, clock, settings):
    clerk = signed_in(Role.FRONT_DESK)
    assert clerk.get("/").status_code == 200
    clock.advance(dt.timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES - 1))
    assert clerk.get("/").status_code == 200
    clock.advance(dt.timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES + 1))
    response = clerk.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert clerk.get("/").status_code == 302


def test_live_board_polls_do_not_keep_a_session_alive(signed_in, clock, settings):
    clerk = signed_in(Role.FRONT_DESK)
    clerk.get("/")
    for _ in range(3):
        clock.advance(dt.timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES / 2))
        clerk.get("/", HTTP_X_CLINICDESK_POLL="1")
    assert clerk.get("/").status_code == 302


def test_idle_timeout_is_configurable(signed_in, clock, settings):
    settings.IDLE_TIMEOUT_MINUTES = 5
    clerk = signed_in(Role.FRONT_DESK)
    clerk.get("/")
    clock.advance(dt.timedelta(minutes=6))
    assert clerk.get("/").status_code == 302


def test_administrator_must_enrol_a_second_factor_before_anything_else(make_user, password):
    admin = make_user(Role.SYSADMIN)
    client = Client()
    _login(client, admin.username, password)
    response = client.get("/accounts/users/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/setup/"


def test_two_factor_enrolment_then_sign_in_with_a_code(make_user, password):
    officer = make_user(Role.COMPLIANCE)
    client = Client()
    _login(client, officer.username, password)
    assert client.get("/accounts/two-factor/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/accounts/two-factor/setup/", {"token": code}).status_code == 302
    assert client.get("/audit/").status_code == 200

    fresh = Client()
    _login(fresh, officer.username, password)
    assert fresh.get("/audit/")["Location"].startswith("/accounts/two-factor/verify/")
    assert fresh.post("/accounts/two-factor/verify/", {"token": "000000"}).status_code == 422
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the next try for a second
    device.last_t = -1  # the enrolment code may be reused in this test's 30-second window
    device.save()
    assert fresh.post("/accounts/two-factor/verify/", {"token": f"{totp(device.bin_key):06d}"}).status_code == 302
    assert fresh.get("/audit/").status_code == 200


def test_any_staff_user_may_turn_on_two_factor(signed_in):
    clerk = signed_in(Role.FRONT_DESK)
    assert clerk.get("/accounts/two-factor/setup/").status_code == 200


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(make_user):
    clerk = make_user(Role.FRONT_DESK)
    unknown = _login(Client(), "nobody-here", "whatever-password")
    wrong = _login(Client(), clerk.username, "whatever-password")
    assert unknown.status_code == wrong.status_code == 401
    assert b"Wrong username or password" in unknown.content and b"Wrong username or password" in wrong.content
    assert User.objects.get(pk=clerk.pk).failed_logins == 1


def _lock(user, settings):
    for _ in range(settings.LOCKOUT_THRESHOLD):
        _login(Client(), user.username, "wrong-password")
    user.refresh_from_db()
    assert user.locked_until is not None


@pytest.mark.parametrize("case", ["unknown-user", "wrong-password", "locked"])
def test_every_refused_sign_in_runs_the_password_hasher_once(case, make_user, settings):
    clerk = make_user(Role.FRONT_DESK)
    if case == "locked":
        _lock(clerk, settings)
    hasher_class = type(get_hasher())
    with patch.object(hasher_class, "verify", autospec=True, side_effect=hasher_class.verify) as verify:
        username = "nobody-here" if case == "unknown-user" else clerk.username
        assert _login(Client(), username, "whatever-password").status_code == 401
    assert verify.call_count == 1


def _normalised(response, username):
    html = response.content.decode().replace(username, "USERNAME")
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF-TOKEN", html)


def test_unknown_wrong_and_locked_sign_ins_get_the_same_answer(make_user, password, settings):
    clerk, locked = make_user(Role.FRONT_DESK), make_user(Role.FRONT_DESK)
    _lock(locked, settings)
    answers = {
        "unknown": (_login(Client(), "nobody-here", "whatever-password"), "nobody-here"),
        "wrong": (_login(Client(), clerk.username, "whatever-password"), clerk.username),
        "locked": (_login(Client(), locked.username, password), locked.username),
    }
    assert {response.status_code for response, _ in answers.values()} == {401}
    assert len({tuple(t.name for t in response.templates) for response, _ in answers.values()}) == 1
    assert len({_normalised(response, name) for response, name in answers.values()}) == 1


def test_sign_in_posts_from_one_address_are_throttled_without_counting_towards_lockout(make_user, password, settings):
    settings.RATELIMIT_SIGN_IN = "3/h"
    clerk = make_user(Role.FRONT_DESK)
    attacker = Client(REMOTE_ADDR=f"198.51.100.{secrets.randbelow(250) + 1}")
    for _ in range(3):
        assert _login(attacker, clerk.username, "wrong-password").status_code == 401
    for _ in range(settings.LOCKOUT_THRESHOLD):
        response = _login(attacker, clerk.username, "wrong-password")
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
    clerk.refresh_from_db()
    assert clerk.failed_logins == 3 and clerk.locked_until is None
    assert _login(Client(REMOTE_ADDR="192.0.2.10"), clerk.username, password).status_code == 302
