"""The second factor cannot be replaced with a password alone; only an audited administrator's reset removes it."""

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.accounts.services import totp_device_start
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Role

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"


def _code(device):
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def enrolled(make_user):
    """A compliance officer with a confirmed authenticator."""
    officer = make_user(Role.COMPLIANCE)
    device = TOTPDevice.objects.create(user=officer, name="Officer's phone", confirmed=True)
    return officer, device


@pytest.fixture
def password_only(enrolled, password):
    """A client that gave the enrolled officer's password and nothing else."""
    officer, _device = enrolled
    client = Client()
    assert client.post("/accounts/login/", {"username": officer.username, "password": password}).status_code == 302
    return client


def test_password_alone_cannot_open_two_factor_setup_of_an_enrolled_user(enrolled, password_only):
    officer, device = enrolled
    response = password_only.get(SETUP)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]


def test_password_alone_cannot_confirm_a_new_authenticator(enrolled, password_only):
    officer, device = enrolled
    pending = TOTPDevice.objects.create(user=officer, name="Intruder's phone", confirmed=False)
    response = password_only.post(SETUP, {"token": _code(pending)})
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed
    assert password_only.get("/audit/")["Location"] == VERIFY


def test_totp_device_start_refuses_a_user_who_has_not_given_a_code(enrolled):
    officer, device = enrolled
    with pytest.raises(PermissionDenied):
        totp_device_start(actor=officer)
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]
    assert AuditEntry.objects.filter(action="access.denied", actor=officer).exists()


def test_enrolled_user_reaches_only_code_entry_and_sign_out_before_the_code(password_only):
    assert password_only.get("/accounts/preferences/")["Location"] == VERIFY
    assert password_only.get(VERIFY).status_code == 200
    response = password_only.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_user_who_must_enrol_reaches_only_enrolment_before_it(make_user, password):
    admin = make_user(Role.SYSADMIN)
    client = Client()
    client.post("/accounts/login/", {"username": admin.username, "password": password})
    assert client.get(VERIFY)["Location"] == SETUP
    assert client.get(SETUP).status_code == 200


def test_verified_user_may_replace_their_authenticator(signed_in):
    officer = signed_in(Role.COMPLIANCE)
    old = TOTPDevice.objects.get(user=officer.user, confirmed=True)
    assert officer.get(SETUP).status_code == 200
    pending = TOTPDevice.objects.get(user=officer.user, confirmed=False)
    assert officer.post(SETUP, {"token": _code(pending)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=officer.user)) == [pending]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert officer.get("/audit/").status_code == 200


def test_administrator_resets_a_lost_authenticator_and_it_is_audited(enrolled, signed_in, password):
    officer, _device = enrolled
    admin = signed_in(Role.SYSADMIN)
    assert officer.username.encode() in admin.get("/accounts/users/").content
    response = admin.post(f"/accounts/users/{officer.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    entry = AuditEntry.objects.get(action="auth.mfa_reset")
    assert entry.actor == admin.user and entry.resource_id == str(officer.pk) and entry.detail == {"devices": 1}
    # The officer enrols a new authenticator at the next sign-in.
    client = Client()
    client.post("/accounts/login/", {"username": officer.username, "password": password})
    assert client.get("/audit/")["Location"] == SETUP


def test_only_a_user_administrator_may_reset_two_factor(enrolled, signed_in):
    officer, device = enrolled
    colleague = signed_in(Role.COMPLIANCE)
    assert colleague.post(f"/accounts/users/{officer.pk}/two-factor/reset/").status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="access.denied", actor=colleague.user).exists()


def test_totp_reset_command_removes_the_authenticators_audited_as_the_system(enrolled):
    officer, _device = enrolled
    call_command("totp_reset", officer.username.upper())
    assert not TOTPDevice.objects.filter(user=officer).exists()
    entry = AuditEntry.objects.get(action="auth.mfa_reset")
    assert entry.actor is None and entry.resource_id == str(officer.pk)
