"""Staff accounts: creation and administration, sign-in with lockout, passwords, two-factor enrolment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import PRACTICE_WIDE_ROLES, Actor, Perm, Role, require
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import practice_settings

from .models import User


class SignInRefused(DomainError):
    status = 401
    title = "Sign-in refused"


USER_FIELDS = ("first_name", "last_name", "email", "role", "language", "locations", "is_active",
               "two_factor_required")
_CHANGEABLE = {"first_name", "last_name", "email", "role", "language", "locations", "active", "two_factor_required"}
# Letters and digits that cannot be mistaken for each other when read aloud or copied from a screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A fresh one-time password (16 characters, about 92 bits)."""
    return get_random_string(16, _TEMPORARY_ALPHABET)


def _check_text(errors: dict[str, list[str]], name: str, value: Any, label: str, max_length: int,
                required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.setdefault(name, []).append(_("%(label)s must be text.") % {"label": label})
    elif "\x00" in text:
        errors.setdefault(name, []).append(_("%(label)s contains a NUL character.") % {"label": label})
    elif len(text) > max_length:
        errors.setdefault(name, []).append(_("%(label)s is longer than %(count)s characters.") % {
            "label": label, "count": max_length})
    elif required and not text:
        errors.setdefault(name, []).append(_("%(label)s is required.") % {"label": label})
    return text


def _check_account(errors: dict[str, list[str]], values: dict[str, Any]) -> dict[str, Any]:
    """The account fields given in `values`, cleaned; problems are added to `errors` by field."""
    clean: dict[str, Any] = {}
    for name, label in (("first_name", _("First name")), ("last_name", _("Last name"))):
        if name in values:
            clean[name] = _check_text(errors, name, values[name], label, 150)
    if "email" in values:
        email = _check_text(errors, "email", values["email"], _("E-mail"), 254)
        if email:
            try:
                validate_email(email)
            except DjangoValidationError:
                errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
        clean["email"] = email
    if "role" in values:
        if values["role"] not in {role.value for role in Role}:
            errors.setdefault("role", []).append(_("Choose a role from the list."))
        else:
            clean["role"] = Role(values["role"]).value
    if "language" in values:
        if values["language"] not in dict(settings.LANGUAGES):
            errors.setdefault("language", []).append(_("Unknown language."))
        else:
            clean["language"] = values["language"]
    if "locations" in values:
        wanted = set(values["locations"] or ())
        found = set(Location.objects.filter(pk__in=[w for w in wanted if str(w).isdigit()], active=True)
                    .values_list("pk", flat=True))
        if len(found) != len(wanted):
            errors.setdefault("locations", []).append(_("Choose active locations from the list."))
        clean["locations"] = sorted(found)
    return clean


def _require_locations(errors: dict[str, list[str]], role: str, location_ids: Iterable[Any]) -> None:
    if role not in PRACTICE_WIDE_ROLES and not list(location_ids) and "locations" not in errors:
        errors.setdefault("locations", []).append(
            _("Choose at least one location: a %(role)s works only at their own locations.") % {
                "role": Role(role).label.lower()})


def _raise_if_any(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed("invalid-user", first, fields=errors)


@atomic_service
def user_create(
    *,
    actor: Actor | None,
    username: str,
    password: str = "",
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",  # "": the practice's default language (practice settings)
    locations: Iterable[Any] = (),
    must_change_password: bool = False,
    two_factor_required: bool = False,
) -> User:
    """Create a staff user. `actor=None` is the system (setup commands, demo data). Without a password the
    account cannot sign in until an administrator issues a temporary one (`user_password_reset`). A role
    that is not practice-wide needs at least one location (docs/adr/0001)."""
    if actor is not None:
        require(actor, Perm.USER_ADMIN)
    language = language or practice_settings().default_language
    errors: dict[str, list[str]] = {}
    name = _check_text(errors, "username", username, _("Username"), 150, required=True)
    if name and "username" not in errors:
        try:
            UnicodeUsernameValidator()(name)
        except DjangoValidationError:
            errors.setdefault("username", []).append(
                _("A username may hold only letters, digits and the characters @ . + - _"))
    values = _check_account(errors, {"first_name": first_name, "last_name": last_name, "email": email,
                                     "role": role, "language": language, "locations": list(locations)})
    if "role" in values:
        _require_locations(errors, values["role"], values.get("locations", ()))
    _raise_if_any(errors)
    if User.objects.filter(username__iexact=name).exists():
        raise ValidationFailed("username-taken", _("That username is already in use."),
                               fields={"username": [_("That username is already in use.")]})
    location_ids = values.pop("locations")
    user = User(username=name, password_must_change=must_change_password and bool(password),
                two_factor_required=two_factor_required, **values)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.locations.set(location_ids)
    record(actor, "user.create", user, detail={"role": str(values["role"]), "changes": diff(
        {}, snapshot(user, USER_FIELDS))})
    return user


def _lock_user(user_id: Any) -> User:
    user = User.objects.select_for_update(no_key=True).filter(pk=user_id).first() if str(user_id).isdigit() \
        else None  # FOR NO KEY UPDATE: see sign_in_check
    if user is None:
        raise NotFound()
    return user


def _refuse_losing_the_last_administrator(user: User) -> None:
    """At least one active system administrator remains (their rows are locked, so two administrators cannot
    each remove the other at the same time)."""
    admins = list(User.objects.select_for_update(no_key=True).filter(role=Role.SYSADMIN, is_active=True)
                  .order_by("pk").values_list("pk", flat=True))
    if admins == [user.pk]:
        raise Conflict("last-administrator", _("%(name)s is the last active system administrator. Make another "
                                               "user a system administrator first.") % {"name": user.username})


@atomic_service
def user_update(*, actor: Actor, user_id: int, **changes: Any) -> User:
    """Change a staff user's names, e-mail, role, language, locations or `two_factor_required`; `active=True`
    reactivates the account, `active=False` deactivates it (as `user_deactivate`). The username never changes
    (the audit trail names it)."""
    require(actor, Perm.USER_ADMIN, resource_type="user", resource_id=str(user_id))
    if unknown := sorted(set(changes) - _CHANGEABLE):
        raise ValidationFailed("unknown-field", _("These cannot be changed here: %(names)s.") % {
            "names": ", ".join(unknown)}, fields={name: [_("Cannot be changed.")] for name in unknown})
    user = _lock_user(user_id)
    errors: dict[str, list[str]] = {}
    values = _check_account(errors, changes)
    for flag in ("active", "two_factor_required"):
        if flag in changes and not isinstance(changes[flag], bool):
            errors.setdefault(flag, []).append(_("Must be true or false."))
    role = values.get("role", user.role)
    location_ids = values["locations"] if "locations" in values else user.location_ids()
    if "role" in values or "locations" in values:
        _require_locations(errors, role, location_ids)
    _raise_if_any(errors)
    before = snapshot(user, USER_FIELDS)
    if user.role == Role.SYSADMIN and role != Role.SYSADMIN and user.is_active:
        _refuse_losing_the_last_administrator(user)
    if changes.get("active") is False and user.is_active:
        _refuse_deactivation(actor, user)
    location_ids = values.pop("locations", None)
    for name, value in values.items():
        setattr(user, name, value)
    if "active" in changes:
        user.is_active = changes["active"]
    if "two_factor_required" in changes:
        user.two_factor_required = changes["two_factor_required"]
    user.save()
    if location_ids is not None:
        user.locations.set(location_ids)
        user.__dict__.pop("_location_ids", None)  # works_at() reads the new set
    changed = diff(before, snapshot(user, USER_FIELDS))
    if changed:
        record(actor, "user.update", user, detail={"changes": changed})
    return user


def _refuse_deactivation(actor: Actor, user: User) -> None:
    if user.pk == actor.pk:
        raise Conflict("deactivate-self", _("You cannot deactivate your own account. Ask another system "
                                            "administrator."))
    if user.role == Role.SYSADMIN:
        _refuse_losing_the_last_administrator(user)


@atomic_service
def user_deactivate(*, actor: Actor, user_id: int) -> User:
    """Turn a staff user's account off: they cannot sign in, and their open sessions end at their next request
    (an inactive user is no longer authenticated). Their records and audit history stay."""
    require(actor, Perm.USER_ADMIN, resource_type="user", resource_id=str(user_id))
    user = _lock_user(user_id)
    if not user.is_active:
        return user
    _refuse_deactivation(actor, user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(actor, "user.deactivate", user, detail={"changes": {"is_active": [True, False]}})
    return user


@atomic_service
def user_password_reset(*, actor: Actor, user_id: int) -> str:
    """Give a user a one-time temporary password, returned to show once to the administrator (it is stored only
    hashed). It works for one sign-in, after which the user must choose a new password; the user's other
    sessions end (the session is tied to the password) and a lock from failed sign-ins is lifted."""
    require(actor, Perm.USER_ADMIN, resource_type="user", resource_id=str(user_id))
    user = _lock_user(user_id)
    if user.pk == actor.pk:
        raise Conflict("reset-own-password", _("Change your own password on the Change password page."))
    password = temporary_password()
    user.set_password(password)
    user.password_must_change = True
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    user.save(update_fields=["password", "password_must_change", "failed_logins", "first_failed_login_at",
                             "locked_until"])
    record(actor, "user.password_reset", user, detail={"must_change": True})  # never the password
    return password


@atomic_service
def user_two_factor_require(*, actor: Actor, user_id: int, required: bool) -> User:
    """Require (or stop requiring) a second factor of one user, on top of the roles that always need one
    (MFA_REQUIRED_ROLES). A user who has none is sent to set one up at their next request."""
    require(actor, Perm.USER_ADMIN, resource_type="user", resource_id=str(user_id))
    if not isinstance(required, bool):
        raise ValidationFailed("bad-field", _("Must be true or false."),
                               fields={"required": [_("Must be true or false.")]})
    user = _lock_user(user_id)
    if user.two_factor_required != required:
        before = user.two_factor_required
        user.two_factor_required = required
        user.save(update_fields=["two_factor_required"])
        record(actor, "user.two_factor_require", user,
               detail={"changes": {"two_factor_required": [before, required]}})
    return user


@atomic_service
def user_password_change(*, actor: User, new_password: str, current_password: str = "") -> User:
    """A signed-in user chooses a new password. The current one is asked for, except right after a sign-in with
    a temporary password (which that sign-in used up)."""
    user = _lock_user(actor.pk)
    errors: dict[str, list[str]] = {}
    if not user.password_must_change and not user.check_password(current_password or ""):
        errors["current_password"] = [_("That is not your current password.")]
    try:
        validate_password(new_password or "", user)
    except DjangoValidationError as error:
        errors["new_password"] = [str(message) for message in error.messages]
    if not errors and user.check_password(new_password):
        errors["new_password"] = [_("Choose a password different from the current one.")]
    if errors:
        raise ValidationFailed("invalid-password", next(iter(errors.values()))[0], fields=errors)
    user.set_password(new_password)
    user.password_must_change = False
    user.save(update_fields=["password", "password_must_change"])
    record(user, "user.password_change", user)  # never the password
    actor.password = user.password
    actor.password_must_change = False
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
            fields = ["failed_logins", "first_failed_login_at", "locked_until"]
            if user.password_must_change:  # a temporary password works once: this sign-in uses it up
                user.set_unusable_password()
                fields.append("password")
            user.save(update_fields=fields)
            record(user, "auth.login", user, detail={"temporary_password": True} if "password" in fields else None)
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
