"""Staff accounts in the JSON API (/api/v1/users), for user administrators. Password hashes and authenticator
secrets are never part of the shape; a temporary password is issued by its own operation (api_urls.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from clinicdesk.core.permissions import Perm, Role
from clinicdesk.core.resources import ApiField, ApiResource

from . import selectors, services
from .models import User


def _has_device(user: User) -> bool:
    annotated = getattr(user, "has_device", None)
    return bool(annotated) if annotated is not None else services.confirmed_device(user) is not None


def _read(actor: Any, pk: int) -> User:
    return selectors.user_detail(actor=actor, user_id=pk)


USERS = ApiResource(
    write_perm=Perm.USER_ADMIN,
    path="users", schema="StaffUser", tag="staff", noun="staff user",
    description="A staff account: one role, and the locations a location-bound role works at (docs/adr/0001).",
    fields=(
        ApiField.ident(),
        ApiField.text("username", required=True, create_only=True, max_length=150,
                      description="Letters, digits and @.+-_; never changes."),
        ApiField.text("firstName", max_length=150),
        ApiField.text("lastName", max_length=150),
        ApiField.text("email", max_length=254),
        ApiField.choice("role", [r.value for r in Role], required=True),
        ApiField.choice("language", [code for code, _name in settings.LANGUAGES]),
        ApiField.refs("locations", description="Location ids; ignored by practice-wide roles, required by others."),
        ApiField.flag("twoFactorRequired", description="A second factor is required whatever the role."),
        ApiField.flag("active", attr="is_active", read_only=True),
        ApiField.flag("mustChangePassword", attr="password_must_change", read_only=True,
                      description="The user signs in with a temporary password and must choose a new one."),
        ApiField.flag("twoFactorSetUp", attr="has_device", read_only=True, get=_has_device,
                      description="The user has a confirmed authenticator."),
        ApiField.datetime("lockedUntil", read_only=True, nullable=True,
                          description="Locked after failed sign-ins until then (null: not locked)."),
    ),
    list=lambda actor, include_inactive: selectors.users_list(actor=actor, include_inactive=include_inactive),
    read=_read,
    create=lambda actor, values: _read(actor, services.user_create(actor=actor, **values).pk),
    update=lambda actor, pk, values: _read(actor, services.user_update(actor=actor, user_id=pk, **values).pk),
    deactivate=lambda actor, pk: _read(actor, services.user_deactivate(actor=actor, user_id=pk).pk),
)
