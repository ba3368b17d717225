"""`clinicdesk totp_reset <username>`: remove a user's authenticators when nobody who could do it on the Staff
accounts screen can sign in (the only administrator lost their phone). Audited as the system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.accounts import services
from clinicdesk.accounts.models import User


class Command(BaseCommand):
    help = "Remove every two-factor authenticator of a staff user; they enrol a new one at their next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError("No such user.")
        services.totp_device_reset(actor=None, user_id=user.pk)
        self.stdout.write(f"two-factor reset for user id {user.pk}")
