"""`clinicdesk setup_token`: print a new one-time setup token for the first-run page (while no staff user
exists), for operators who start the web server themselves (gunicorn) rather than with `clinicdesk serve`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinicdesk.setup.services import setup_token_banner


class Command(BaseCommand):
    help = "Print a new one-time setup token for creating the first system administrator."

    def handle(self, *args: Any, **options: Any) -> None:
        banner = setup_token_banner(base_url=settings.PUBLIC_BASE_URL)
        if banner is None:
            raise CommandError("This installation already has staff accounts: the first run is over. "
                               "Sign in as a system administrator to add accounts.")
        self.stdout.write(banner)
