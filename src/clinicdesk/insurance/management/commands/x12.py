"""`clinicdesk x12 show FILE`: print an X12 file (270, 271, 837P, 835, 999, 277CA; readers plug in by ST01) as JSON.

Bad input (not X12, cut short, not 5010, a transaction no reader knows) prints one line on stderr and exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.insurance.x12.envelope import X12Error
from clinicdesk.insurance.x12.show import show


class Command(BaseCommand):
    help = ("X12 tools. 'show FILE' prints a 270, 271, 837P, 835, 999 or 277CA (FILE '-' reads standard "
            "input) as JSON.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show"])
        parser.add_argument("file", help="the X12 file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as error:
            self._fail(f"x12 show: cannot read {name}: {error.strerror or error}.")
        try:
            shown = show(data)
        except X12Error as error:
            self._fail(f"x12 show: {name}: {error}")
        self.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False))

    def _fail(self, line: str) -> None:
        self.stderr.write(line)
        sys.exit(1)
