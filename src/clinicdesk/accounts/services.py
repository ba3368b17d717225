"""Staff accounts: creation, sign-in with lockout, two-factor enrolment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, Role, require

from .models import User


class SignInRefused(DomainError):
    status = 401
    title = "Sign-in refused"


def user_create(
    *,
    actor: Actor | None,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "en",
    locations: Iterable[Any] = (),
) -> User:
    """Create a staff user. `actor=None` is the system (setup commands, demo data)."""
    if actor is not None:
        require(actor, Perm.USER_ADMIN)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationFailed("username-taken", _("That username is already in use."),
                                   fields={"username": [_("That username is already in use.")]})
        user = User(username=username, role=role, first_name=first_name, last_name=last_name,
                    email=email, language=language)
        user.set_password(password)
        user.save()
        user.locations.set(locations)
        record(actor, "user.create", user, detail={"role": str(role)})
    return user


def _locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > clock.now()


def _refused() -> SignInRefused:
    """The one answer to every refused sign-in (unknown user, wrong password, locked account), so that
    the answer tells nobody which usernames exist or which accounts are locked."""
    return SignInRefused("bad-credentials", _("Wrong username or password. After repeated failed sign-ins an "
                                              "account is locked for a while; an administrator can unlock it."))


_dummy_hashes: dict[str | None, str] = {}


def _dummy_password_check(password: str) -> None:
    """Spend the time a real password check takes (same hasher, same parameters), so that an unknown
    username or a locked account answers no faster than a wrong password."""
    algorithm = get_hasher().algorithm
    if algorithm not in _dummy_hashes:
        _dummy_hashes[algorithm] = make_password(get_random_string(32))
    check_password(password, _dummy_hashes[algorithm])


def sign_in_check(*, request: HttpRequest, username: str, password: str) -> User:
    """Check a password, counting failures; lock the account after too many in a window.

    Failures are committed before the refusal is raised, so they count. Every refusal looks and takes
    the same: see `_refused` and `_dummy_password_check`.
    """
    with transaction.atomic():
        # FOR NO KEY UPDATE: serializes sign-ins of this user without making the commits of their other sessions
        # (rows whose created_by is this user, checked at COMMIT) wait while they hold the audit chain head.
        user = User.objects.select_for_update(no_key=True).filter(username__iexact=username).first()
        error = _sign_in_error(request, user, password)
        if error is None:
            assert user is not None
            user.failed_logins = 0
            user.first_failed_login_at = None
            user.locked_until = None
            user.save(update_fields=["failed_logins", "first_failed_login_at", "locked_until"])
            record(user, "auth.login", user)
    if error is not None or user is None:
        raise error or _refused()
    return user


def _sign_in_error(request: HttpRequest, user: User | None, password: str) -> SignInRefused | None:
    if user is None:
        _dummy_password_check(password)
        record(None, "auth.login", outcome="denied", resource_type="user", detail={"reason": "unknown-user"})
        return _refused()
    if _locked(user):
        _dummy_password_check(password)
        record(user, "auth.login", user, outcome="denied", detail={"reason": "locked"})
        return _refused()
    if authenticate(request, username=user.username, password=password) is None or not user.is_active:
        _count_failure(user)
        record(user, "auth.login", user, outcome="denied",
               detail={"reason": "bad-password", "failures": user.failed_logins})
        if _locked(user):
            record(user, "auth.lockout", user, outcome="denied")
        return _refused()
    return None


def _count_failure(user: User) -> None:
    now = clock.now()
    window = dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
    if user.first_failed_login_at is None or now - user.first_failed_login_at > window:
        user.first_failed_login_at = now
        user.failed_logins = 0
    user.failed_logins += 1
    if user.failed_logins >= settings.LOCKOUT_THRESHOLD:
        user.locked_until = now + window
    user.save(update_fields=["failed_logins", "first_failed_login_at", "locked_until"])


@atomic_service
def user_unlock(*, actor: Actor, user_id: int) -> User:
    require(actor, Perm.USER_ADMIN)
    user = User.objects.select_for_update(no_key=True).get(pk=user_id)  # see sign_in_check
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    user.save(update_fields=["failed_logins", "first_failed_login_at", "locked_until"])
    record(actor, "user.unlock", user)
    return user


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_pending(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def _require_current_factor(actor: User) -> None:
    """A user who has an authenticator proves it (a code given this session) before enrolling another,
    which replaces it. Otherwise a password alone would swap the owner's authenticator for the caller's.
    `is_verified` is set by django-otp's middleware from the session; an actor without it (a command, a
    task) has not given a code."""
    if confirmed_device(actor) is None:
        return
    is_verified = getattr(actor, "is_verified", None)
    if not (callable(is_verified) and is_verified()):
        raise PermissionDenied("mfa-verify-first", _("Enter a code from your current authenticator first."),
                               actor=actor, permission="auth.mfa_enrol", resource_type="user",
                               resource_id=str(actor.pk))


@atomic_service
def totp_device_start(*, actor: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the signed-in user (replaces an unconfirmed one)."""
    _require_current_factor(actor)
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="Authenticator app", confirmed=False)


@atomic_service
def totp_device_confirm(*, actor: User, token: str) -> TOTPDevice:
    """Turn the pending authenticator on; it replaces the confirmed one, if any (see `_require_current_factor`)."""
    _require_current_factor(actor)
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise ValidationFailed("bad-token", _("That code is not right. Check the time on your phone and "
                                              "enter the current 6-digit code."),
                               fields={"token": [_("Wrong code.")]})
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor, "auth.mfa_enrol", actor)
    return device


@atomic_service
def totp_device_reset(*, actor: Actor | None, user_id: int) -> User:
    """Remove every authenticator of a user who lost theirs, so that they enrol a new one at their next
    sign-in. Only a user administrator (or the system, `actor=None`, from `clinicdesk totp-reset`) may,
    and it is audited: this is the only way to remove an authenticator without a code from it."""
    if actor is not None:
        require(actor, Perm.USER_ADMIN, resource_type="user", resource_id=str(user_id))
    user = User.objects.select_for_update(no_key=True).filter(pk=user_id).first()  # see sign_in_check
    if user is None:
        raise NotFound()
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    record(actor, "auth.mfa_reset", user, detail={"devices": removed})
    return user


def totp_verify(*, user: User, token: str) -> TOTPDevice:
    device = confirmed_device(user)
    if device is None or not device.verify_token(token.strip()):
        record(user, "auth.mfa", user, outcome="denied")
        raise ValidationFailed("bad-token", _("That code is not right."), fields={"token": [_("Wrong code.")]})
    record(user, "auth.mfa", user)
    return device


@atomic_service
def user_language_set(*, actor: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed("bad-language", _("Unknown language."))
    actor.language = language
    actor.save(update_fields=["language"])
    return actor
