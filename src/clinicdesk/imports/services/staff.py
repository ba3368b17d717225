"""Staff accounts: each row through `accounts.services.user_create`, with no password in the file (the account gets an
unusable password; the administrator hands out a one-time temporary password after the import). Undone by
deactivating the accounts."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.accounts import services as accounts_services
from clinicdesk.accounts.models import User
from clinicdesk.core.permissions import ROLE_CHOICES, Actor, Perm, Role

from . import lookups
from .base import Kind, choice, listed, text


def _staff_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    role = Role(choice(cells, "role", ROLE_CHOICES))
    where = lookups.locations(listed(cells, "locations"))
    language = choice(cells, "language", settings.LANGUAGES, default="en")
    # No password: the account cannot sign in until an administrator issues a temporary one.
    user = accounts_services.user_create(
        actor=actor, username=text(cells, "username", required=True),
        role=role, first_name=text(cells, "first_name"), last_name=text(cells, "last_name"),
        email=text(cells, "email"), language=language, locations=[loc.pk for loc in where])
    return [user]


def _staff_used(model: str, ids: list[int]) -> str:
    if User.objects.filter(pk__in=ids, last_login__isnull=False).exists():
        return _("An imported staff member has signed in since.")
    return ""


def _staff_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in ids:
        accounts_services.user_deactivate(actor=actor, user_id=pk)


STAFF = Kind(
    code="staff", label=gettext_lazy("Staff accounts"), perms=(Perm.USER_ADMIN,),
    columns=("username", "role", "first_name", "last_name", "email", "language", "locations"),
    required=("username", "role"),
    import_row=_staff_row, field_columns={"username": "username", "locations": "locations", "role": "role"},
    used=_staff_used, undo=_staff_undo)
