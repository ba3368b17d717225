from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.comms import delivery


class Command(BaseCommand):
    help = ("Patient messages. 'clinicdesk comms send-due' sends what is due now, in this process "
            "(the worker does this whenever 'clinicdesk tick' finds messages due).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["send-due"])
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while (claimed := delivery.messages_send_due(limit=options["limit"])) > 0:
            total += claimed
        self.stdout.write(f"{total} messages handled.")
