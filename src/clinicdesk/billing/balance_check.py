"""Is LedgerBalance (each account's stored balance, kept by the ledger's trigger) what the ledger sums to?

`ledger_balance_mismatches` recomputes every account's balance from the ledger and lists the accounts where the
stored figure differs (none, unless the trigger was bypassed: it cannot be from the application). A rebuild
refills the table from the ledger, holding the ledger against inserts while it does (PostgreSQL). The management
command `ledger_balances` runs either (`--rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from .models import LedgerBalance, LedgerEntry
from .report_aging import cents_sql


@dataclass(frozen=True)
class Mismatch:
    patient_id: int
    location_id: int
    stored: int  # cents
    ledger: int  # cents


def _ledger_sums() -> str:
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    return ("SELECT le.patient_id, le.location_id, SUM(" + cents_sql("le.amount") + ") AS cents FROM "  # noqa: S608 (fixed SQL)
            + table + " le GROUP BY le.patient_id, le.location_id")


def ledger_balance_mismatches() -> list[Mismatch]:
    """Every account whose stored balance is not its ledger's sum (a missing row counts as 0)."""
    with connection.cursor() as cursor:
        cursor.execute(_ledger_sums())
        sums = {(int(p), int(loc)): int(c or 0) for p, loc, c in cursor.fetchall()}
    stored = {(b.patient_id, b.location_id): b.cents for b in LedgerBalance.objects.all().iterator(chunk_size=5000)}
    return [Mismatch(p, loc, stored.get((p, loc), 0), sums.get((p, loc), 0))
            for p, loc in sorted(sums.keys() | stored.keys()) if stored.get((p, loc), 0) != sums.get((p, loc), 0)]


@transaction.atomic
def ledger_balances_rebuild() -> int:
    """Refill LedgerBalance from the ledger; returns the number of accounts."""
    balances = connection.ops.quote_name(LedgerBalance._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # no entry lands between the sum and the commit
            cursor.execute("LOCK TABLE " + connection.ops.quote_name(LedgerEntry._meta.db_table) + " IN SHARE MODE")
        cursor.execute("DELETE FROM " + balances)  # noqa: S608 (fixed SQL)
        cursor.execute("INSERT INTO " + balances + " (patient_id, location_id, cents) " + _ledger_sums())
    return LedgerBalance.objects.count()
