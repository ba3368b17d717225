"""`clinicdesk audit verify | repair | anchor`: check, repair and anchor the hash chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinicdesk.audit.anchor import anchor_append, anchor_path, chain_end
from clinicdesk.audit.services import audit_entry_repair, chain_verify
from clinicdesk.core import request_context
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.progress import ProgressBars, add_progress_arguments


class Command(BaseCommand):
    help = ("Audit trail tools. 'verify' checks the hash chain end to end and against the audit anchor "
            "(--all lists every broken entry); 'repair --entry N --reason TEXT' records that entry N carries "
            "the known id-as-text hashing defect (refused unless provable); 'anchor' writes the chain's end "
            "to the anchor file now.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "repair", "anchor"])
        parser.add_argument("--all", action="store_true", help="verify: list every problem, not only the first")
        parser.add_argument("--anchor", type=Path, default=None,
                            help="verify: compare with this copy of the anchor file (e.g. one kept off the server)")
        parser.add_argument("--no-anchor", action="store_true", help="verify: check the chain alone")
        parser.add_argument("--entry", type=int, help="repair: the position of the entry")
        parser.add_argument("--reason", default="", help="repair: why (a ticket number), kept in the trail")
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "repair":
            self._repair(options)
        elif options["action"] == "anchor":
            position, entry_hash = chain_end()
            anchor_append(source="manual", position=position, entry_hash=entry_hash)
            self.stdout.write(f"Anchored entry {position} in {anchor_path()}.")
        else:
            self._verify(options)

    def _verify(self, options: dict[str, Any]) -> None:
        with ProgressBars(self.stderr._out, enabled=not options["no_progress"],
                          units={"audit trail": " entries"}) as bars:
            report = chain_verify(anchor=not options["no_anchor"], anchor_path=options["anchor"], progress=bars)
        if not report.ok:
            if options["all"]:
                for problem in report.problems:
                    self.stderr.write(f"  {problem.problem}")
                raise CommandError(f"Audit trail BROKEN: {len(report.problems)} problems, the first after "
                                   f"{report.checked} good entries: {report.problem}.")
            more = len(report.problems) - 1
            suffix = f" (and {more} more problem{'s' if more != 1 else ''}: --all lists them)" if more else ""
            raise CommandError(f"Audit trail BROKEN after {report.checked} good entries: {report.problem}{suffix}.")
        notes = []
        if report.repaired:
            notes.append(f"{len(report.repaired)} repaired entries accepted: "
                         + ", ".join(str(position) for position in report.repaired))
        if report.anchor is not None:
            notes.append(f"reaches its anchor (entry {report.anchor.position}, {report.anchor.source} "
                         f"at {report.anchor.at})")
        elif not options["no_anchor"]:
            notes.append("no anchor mark yet for this database")
        extra = f" ({'; '.join(notes)})" if notes else ""
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} entries verified{extra}."))

    def _repair(self, options: dict[str, Any]) -> None:
        if options["entry"] is None or not options["reason"].strip():
            raise CommandError("repair needs --entry N and --reason TEXT.")
        token = request_context.bind(request_context.RequestInfo(channel="cli"))
        try:
            entry = audit_entry_repair(actor=None, position=options["entry"], reason=options["reason"])
            entry.refresh_from_db()  # sealed after the repair committed: its place in the chain
        except DomainError as error:
            raise CommandError(f"Repair refused: {error.detail}") from error
        finally:
            request_context.reset(token)
        self.stdout.write(self.style.SUCCESS(
            f"Entry {options['entry']} repaired: recorded as audit entry {entry.position} "
            f"(old hash {entry.detail['old_hash'][:12]}…, new hash {entry.detail['new_hash'][:12]}…)."))
