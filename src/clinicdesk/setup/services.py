"""First run: the one-time setup token and the first system administrator.

A fresh install has no staff user. Whoever reaches it first over the network must not be able to claim it, so
creating the first administrator takes a token that only the server's operator sees: `clinicdesk serve` prints
one at start while no staff user exists (`clinicdesk setup_token` prints a new one). The token is random
(`secrets`), kept only as its SHA-256, expires after TOKEN_LIFETIME, is spent by its first use, and is compared
in constant time. A new token replaces any unused one. Once any staff user exists, neither works."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.accounts.services import user_create
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.practice.selectors import practice_settings

from .models import SetupToken

TOKEN_LIFETIME = dt.timedelta(hours=24)
TOKEN_BYTES = 24  # 192 random bits, 32 characters once encoded


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def staff_exists() -> bool:
    return User.objects.exists()


@atomic_service
def setup_token_issue(*, lifetime: dt.timedelta = TOKEN_LIFETIME) -> str | None:
    """A new setup token (returned once, stored as its hash), replacing any unused one; None once a staff user
    exists (there is nothing left to set up this way). Called by the operator's commands, never by a page."""
    if staff_exists():
        return None
    now = clock.now()
    SetupToken.objects.filter(used_at__isnull=True).delete()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = SetupToken.objects.create(token_hash=token_hash(token), created_at=now, expires_at=now + lifetime)
    record(None, "setup.token_issue", row, detail={"expires_at": row.expires_at.isoformat()})
    return token


def _token_refused() -> ValidationFailed:
    message = _("That setup token is not valid. Use the token the server printed when it started (or run "
                "'clinicdesk setup_token' on the server for a new one).")
    return ValidationFailed("bad-setup-token", message, fields={"token": [message]})


def _spend(token: str, now: dt.datetime) -> SetupToken:
    """The unused, unexpired token row matching `token`, locked; every candidate is compared in constant time."""
    given = token_hash(token)
    match = None
    for row in SetupToken.objects.select_for_update().filter(used_at__isnull=True, expires_at__gt=now).order_by("pk"):
        if hmac.compare_digest(row.token_hash, given):
            match = row
    if match is None or not token.strip():
        raise _token_refused()
    return match


def _check_admin(*, username: str, first_name: str, last_name: str, email: str, password: str) -> None:
    errors: dict[str, list[str]] = {}
    if not username.strip():
        errors["username"] = [_("Choose a username.")]
    elif len(username.strip()) > 150:
        errors["username"] = [_("At most 150 characters.")]
    if not first_name.strip() or not last_name.strip():
        errors["first_name" if not first_name.strip() else "last_name"] = [_("Give the administrator's name.")]
    try:
        validate_email(email.strip())
    except DjangoValidationError:
        errors["email"] = [_("Give a valid e-mail address.")]
    probe = User(username=username.strip(), first_name=first_name, last_name=last_name, email=email.strip())
    try:
        validate_password(password, user=probe)
    except DjangoValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationFailed("bad-administrator", _("Some details need correcting."), fields=errors)


@atomic_service
def first_admin_create(*, token: str, username: str, first_name: str, last_name: str, email: str,
                       password: str) -> User:
    """Create the install's first system administrator, spending the setup token. A wrong, used or expired
    token, or details that fail a rule, write nothing (the token stays valid). NotFound once any staff user
    exists: the first run is over."""
    if staff_exists():
        raise NotFound("setup-done", _("This installation is already set up. Sign in instead."))
    now = clock.now()
    row = _spend(token, now)
    _check_admin(username=username, first_name=first_name, last_name=last_name, email=email, password=password)
    row.used_at = now
    row.save(update_fields=["used_at"])
    user = user_create(actor=None, username=username.strip(), password=password, role=Role.SYSADMIN,
                       first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip(),
                       language=practice_settings().default_language)
    record(user, "setup.first_run", user)
    return user


def setup_token_banner(*, base_url: str = "") -> str | None:
    """The console text that hands the operator a fresh setup token while no staff user exists; None once one
    does (`clinicdesk serve` and `clinicdesk setup_token` print it)."""
    token = setup_token_issue()
    if token is None:
        return None
    line = "=" * 78
    hours = int(TOKEN_LIFETIME.total_seconds() // 3600)
    where = f"{base_url.rstrip('/')}/setup/start/" if base_url else "/setup/start/"
    return (f"{line}\nFirst run: no staff account exists yet. Open {where} and create the first system\n"
            f"administrator with this one-time setup token (valid {hours} hours, or until used; a new one\n"
            f"replaces it: 'clinicdesk setup_token'):\n\n    {token}\n{line}")
