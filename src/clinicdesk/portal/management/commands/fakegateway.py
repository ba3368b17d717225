"""`clinicdesk fakegateway --port 8091`: the fake payment provider for development (portal/fake_gateway.py).
Point PAYMENT_GATEWAY_URL at it and use the same PAYMENT_GATEWAY_KEY and PAYMENT_WEBHOOK_SECRET."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.portal.fake_gateway import FakeGateway


class Command(BaseCommand):
    help = "Run a fake hosted-checkout payment provider on loopback (development and tests only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8091)
        parser.add_argument("--key", default=settings.PAYMENT_GATEWAY_KEY or "dev-key")
        parser.add_argument("--secret", default=settings.PAYMENT_WEBHOOK_SECRET or "dev-secret")

    def handle(self, *args: Any, **options: Any) -> None:
        fake = FakeGateway(key=options["key"], secret=options["secret"], port=options["port"])
        self.stdout.write(f"Fake payment provider on {fake.url} (card {4242} 4242 4242 4242 pays). Ctrl-C stops.")
        try:
            fake.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            fake.server.server_close()
