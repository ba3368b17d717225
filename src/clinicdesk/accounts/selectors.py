"""Reads of staff accounts, for the user administrator's screens and the JSON API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, Role, require

from .models import User


def _staff() -> QuerySet[User]:
    has_device = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.prefetch_related("locations").annotate(has_device=Exists(has_device))


def users_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[User]:
    """Staff accounts, active first, then by name; deactivated ones only when asked."""
    require(actor, Perm.USER_ADMIN)
    staff = _staff()
    if not include_inactive:
        staff = staff.filter(is_active=True)
    return staff.order_by("-is_active", "last_name", "first_name", "username")


def user_detail(*, actor: Actor, user_id: int) -> User:
    require(actor, Perm.USER_ADMIN, resource_type="user", resource_id=str(user_id))
    user = _staff().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def user_is_active_provider(user_id: int) -> bool:
    """The account exists, is active and holds the provider role (a provider's own account, linked to their
    practitioner record; not a permission check)."""
    return User.objects.filter(pk=user_id, is_active=True, role=Role.PROVIDER).exists()
