"""`clinicdesk ledger_balances [--rebuild]`: check that every account's stored balance (LedgerBalance, which the A/R
aging reads) equals the sum of its ledger entries; prints the accounts that differ and exits 1 if any does.
`--rebuild` refills the table from the ledger first."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicdesk.billing.balance_check import ledger_balance_mismatches, ledger_balances_rebuild


class Command(BaseCommand):
    help = "Check the stored account balances against the ledger ('--rebuild' refills them from it first)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="refill the balances from the ledger first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            self.stdout.write(f"Rebuilt {ledger_balances_rebuild():,} account balances from the ledger.")
        mismatches = ledger_balance_mismatches()
        for m in mismatches[:50]:
            self.stdout.write(f"patient {m.patient_id} at location {m.location_id}: stored {m.stored} cents, "
                              f"ledger {m.ledger} cents")
        if mismatches:
            self.stderr.write(f"{len(mismatches):,} account balances differ from the ledger.")
            sys.exit(1)
        self.stdout.write("Every account balance equals its ledger.")
