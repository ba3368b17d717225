"""First run: on a database without any staff user, the first page leads to creating the first system
administrator with the one-time setup token the server printed."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from clinicdesk.accounts.models import User
from clinicdesk.core import clock as clock_module
from clinicdesk.core.management.commands.serve import Command as ServeCommand
from clinicdesk.core.permissions import Role
from clinicdesk.setup.models import SetupToken
from clinicdesk.setup.services import setup_token_issue, token_hash
from tests.factories import UserFactory

GOOD = {"username": "ada", "first_name": "Ada", "last_name": "Admin", "email": "ada@example.org",
        "password": "violet-harbour-lantern-42", "password_again": "violet-harbour-lantern-42"}


@pytest.fixture
def anon():
    return Client(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")


@pytest.fixture
def token(db):
    return setup_token_issue()


def test_first_run_every_page_leads_to_the_first_run_page(db, anon):
    for path in ("/", "/accounts/login/", "/patients/", "/setup/"):
        answer = anon.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/setup/start/", path
    assert anon.get("/setup/start/").status_code == 200


def test_first_run_leaves_machine_endpoints_alone(db, anon):
    assert anon.get("/api/v1/me").status_code == 401
    assert anon.get("/healthz").status_code == 200


def test_first_run_refuses_a_wrong_token_and_writes_nothing(token, anon):
    answer = anon.post("/setup/start/", {**GOOD, "token": "not-the-token"})
    assert answer.status_code == 422 and b"setup token is not valid" in answer.content
    assert not User.objects.exists()
    assert SetupToken.objects.get().used_at is None


def test_first_run_right_token_creates_the_sysadmin_and_signs_them_in(token, anon):
    answer = anon.post("/setup/start/", {**GOOD, "token": token})
    assert answer.status_code == 302 and answer["Location"] == "/setup/"
    admin = User.objects.get()
    assert admin.username == "ada" and admin.role == Role.SYSADMIN and admin.check_password(GOOD["password"])
    assert int(anon.session["_auth_user_id"]) == admin.pk
    # a system administrator must set up two-factor sign-in before anything else
    assert anon.get("/setup/")["Location"] == "/accounts/two-factor/setup/"


def test_first_run_token_is_spent_and_the_page_is_gone(token, anon):
    anon.post("/setup/start/", {**GOOD, "token": token})
    assert SetupToken.objects.get().used_at is not None
    other = Client()
    assert other.get("/setup/start/").status_code == 404
    assert other.post("/setup/start/", {**GOOD, "username": "eve", "token": token}).status_code == 404
    assert User.objects.count() == 1


def test_first_run_page_is_404_once_any_staff_user_exists(db, anon):
    UserFactory(role=Role.FRONT_DESK)
    assert anon.get("/setup/start/").status_code == 404
    assert anon.get("/")["Location"].startswith("/accounts/login/")


def test_first_run_weak_password_writes_nothing_and_keeps_the_token(token, anon):
    answer = anon.post("/setup/start/", {**GOOD, "password": "1234567890", "password_again": "1234567890",
                                         "token": token})
    assert answer.status_code == 422 and b"entirely numeric" in answer.content
    assert not User.objects.exists() and SetupToken.objects.get().used_at is None


def test_first_run_refuses_an_expired_token(token, anon):
    with clock_module.frozen_at(clock_module.now() + dt.timedelta(hours=25)):
        answer = anon.post("/setup/start/", {**GOOD, "token": token})
    assert answer.status_code == 422 and not User.objects.exists()


def test_first_run_goes_on_to_the_guide_after_two_factor_set_up(token, anon):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    anon.post("/setup/start/", {**GOOD, "token": token})
    device = TOTPDevice.objects.create(user=User.objects.get(), name="test", confirmed=True)
    session = anon.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert anon.get("/")["Location"] == "/setup/"
    assert anon.get("/setup/").status_code == 200
    assert anon.get("/").status_code == 200  # only once


def test_first_run_wrong_tokens_are_rate_limited(token, anon, settings):
    settings.RATELIMIT_FIRST_RUN = "3/h"
    for _ in range(3):
        assert anon.post("/setup/start/", {**GOOD, "token": "guess"}).status_code == 422
    answer = anon.post("/setup/start/", {**GOOD, "token": token})
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
    assert not User.objects.exists()


def test_setup_token_is_stored_only_as_its_hash(token):
    row = SetupToken.objects.get()
    assert row.token_hash == token_hash(token) and token not in row.token_hash
    assert len(token) >= 32 and row.expires_at - row.created_at == dt.timedelta(hours=24)


def test_setup_token_a_new_one_replaces_the_unused_one(token, anon):
    newer = setup_token_issue()
    assert SetupToken.objects.count() == 1
    assert anon.post("/setup/start/", {**GOOD, "token": token}).status_code == 422
    assert anon.post("/setup/start/", {**GOOD, "token": newer}).status_code == 302


def test_setup_token_is_not_issued_once_a_staff_user_exists(db):
    UserFactory()
    assert setup_token_issue() is None and not SetupToken.objects.exists()


def test_serve_prints_a_working_setup_token_when_no_staff_user_exists(db, anon):
    command = ServeCommand(stdout=io.StringIO())
    command._print_setup_token()
    printed = command.stdout.getvalue()
    assert "/setup/start/" in printed
    token = re.search(r"^\s{4}(\S+)$", printed, re.MULTILINE).group(1)
    assert anon.post("/setup/start/", {**GOOD, "token": token}).status_code == 302


def test_serve_prints_no_token_when_staff_users_exist(db):
    UserFactory()
    command = ServeCommand(stdout=io.StringIO())
    command._print_setup_token()
    assert command.stdout.getvalue() == ""


def test_setup_token_command_prints_a_working_token(db, anon):
    out = io.StringIO()
    call_command("setup_token", stdout=out)
    token = re.search(r"^\s{4}(\S+)$", out.getvalue(), re.MULTILINE).group(1)
    assert SetupToken.objects.get().token_hash == token_hash(token)


def test_setup_token_command_refuses_once_staff_users_exist(db):
    UserFactory()
    with pytest.raises(CommandError):
        call_command("setup_token", stdout=io.StringIO())
