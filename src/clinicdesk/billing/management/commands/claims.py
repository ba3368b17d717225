"""`clinicdesk claims submit [--to-dir DIR]`: send every ready claim (one 837P batch) through the clearinghouse's
batch channel, or write the batch to DIR; prints what it sent. `clinicdesk claims build` makes the primary claim
of every posted superbill that has none (scrubbed: ready or held); `clinicdesk claims read FILE` reads a 999,
277CA or 835. Bad input prints one line on stderr and exits 1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.billing import claim_selectors
from clinicdesk.billing.services import SYSTEM, answer_file_read, claims_build_posted, claims_submit
from clinicdesk.core.exceptions import DomainError


class Command(BaseCommand):
    help = ("Claims. 'submit [--to-dir DIR]' sends every ready claim (or writes the 837P file to DIR); 'build' "
            "makes the claims of posted superbills; 'read FILE' reads a 999, 277CA or 835.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["submit", "build", "read"])
        parser.add_argument("file", nargs="?", help="read: the X12 file")
        parser.add_argument("--to-dir", dest="to_dir", default=None,
                            help="submit: write the 837P file to this folder instead of sending it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            self._fail(f"claims {options['action']}: {error.detail}")

    def _submit(self, options: dict[str, Any]) -> None:
        report = claims_submit(actor=SYSTEM, to_dir=options["to_dir"])
        if not report.claims:
            self.stdout.write("No claim is ready to send.")
            return
        where = str(Path(options["to_dir"]) / report.file_name) if options["to_dir"] else \
            f"{report.file_name} ({report.channel})"
        self.stdout.write(f"Sent {len(report.claims)} claims, {report.total} in charges, in batch "
                          f"{report.batch.control_number if report.batch else ''}: {where}")
        for claim in report.claims:
            self.stdout.write(f"  {claim.claim_number}  {claim.payer.name}  {claim.date_of_service.isoformat()}  "
                              f"{claim.total_charge}")

    def _build(self, options: dict[str, Any]) -> None:
        report = claims_build_posted(actor=SYSTEM, superbill_ids=claim_selectors.superbills_without_claims())
        ready = sum(1 for c in report.built if c.status == "ready")
        self.stdout.write(f"Built {len(report.built)} claims: {ready} ready, {len(report.built) - ready} held; "
                          f"{len(report.skipped)} visits not billed.")
        for superbill_id, why in report.skipped:
            self.stdout.write(f"  superbill {superbill_id}: {why}")

    def _read(self, options: dict[str, Any]) -> None:
        name = options.get("file")
        if not name:
            self._fail("claims read: name the file.")
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            self._fail(f"claims read: cannot read {name}: {error.strerror or error}.")
        report = answer_file_read(actor=SYSTEM, name=Path(name).name, data=data)
        summary = report.summary
        prefix = "Already read: " if report.repeated else ""
        self.stdout.write(f"{prefix}{summary.get('kind')}: {len(summary.get('accepted', []))} accepted, "
                          f"{len(summary.get('rejected', []))} rejected, {len(summary.get('posted', []))} posted, "
                          f"{len(summary.get('unmatched', []))} on the worklist.")

    def _fail(self, line: str) -> None:
        self.stderr.write(line)
        sys.exit(1)
