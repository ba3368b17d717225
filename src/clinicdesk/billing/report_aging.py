"""A/R aging, computed in the database (one SQL statement over the ledger; no Python loop over entries).

How an open balance is aged (first in, first out, as practices age accounts):
- the ledger up to the end of the "as of" day counts; an entry reversed by then and its reversal both drop out
  (a reversal corrects the entry it names, not the oldest charge);
- per account (a patient and who owes: `RESPONSIBLE_SQL`), the balance is the sum of its entries; credits
  (payments, write-offs) pay the oldest debits first, so what is still open is the newest debits that add up to
  the balance. Each debit is aged from its entry's local day (0-30, 31-60, 61-90, 91-120, over 120 days), so
  per bucket the open amount is the bucket's debits, less what the balance left after the newer buckets does not
  reach: open(k) = min(debits(k), max(0, balance - debits of the newer buckets)). One GROUP BY sums each
  account's debits per bucket (no sort, no window); the clamp is a CASE on each account's row;
- an account with a negative balance is a credit balance (the practice owes the patient): counted apart.
Amounts are summed as integer cents (exact on SQLite and PostgreSQL alike) and returned as Decimal.

The payer dimension: `RESPONSIBLE_SQL` says who owes an entry. Today every entry is the patient's (0): nothing
is on a claim yet. When claims put entries on a payer, that expression names the payer's id and every account,
bucket and total splits by payer with no other change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from clinicdesk.core.timezones import day_span_utc

from .models import LedgerEntry

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")
BUCKET_STARTS = (30, 60, 90, 120)  # an entry at most this many days old falls in the bucket before
PATIENT = 0  # the responsible-party key for the patient themself
RESPONSIBLE_SQL = "0"  # who owes an entry: 0 = the patient (claims will map an entry on a claim to its payer)
CENTS = Decimal("0.01")


@dataclass
class AgingRow:
    patient_id: int
    responsible: int  # PATIENT or a payer's id
    buckets: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, Decimal("0.00"))


@dataclass
class Aging:
    rows: list[AgingRow]  # every account with money owed, largest first
    credit_total: Decimal  # the sum of credit balances (a positive number: what the practice owes back)
    credit_accounts: int

    @property
    def buckets(self) -> list[Decimal]:
        sums = [Decimal("0.00")] * len(BUCKETS)
        for row in self.rows:
            sums = [a + b for a, b in zip(sums, row.buckets, strict=True)]
        return sums

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, Decimal("0.00"))


def _money(cents: Any) -> Decimal:
    return (Decimal(int(cents or 0)) * CENTS).quantize(CENTS)


def aging_query(*, as_of: dt.date, tz: Any, location_ids: list[int] | None,
                responsible: int | None = None, patient_ids: list[int] | None = None) -> Aging:
    """Open balances by account and age bucket as of the end of `as_of` (local to `tz`), at the given locations
    (None: all), for one responsible party (None: all). One statement: every account with a balance, its open
    amount per bucket (positive balances) or its credit."""
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    end = day_span_utc(as_of, tz)[1]
    # An entry created at or after this instant is at most N days old on the as-of day.
    cutoffs = [day_span_utc(as_of - dt.timedelta(days=days), tz)[0] for days in BUCKET_STARTS]
    # Only placeholders, the model's table name and fixed SQL are put together here: every value is a parameter.
    where = ["le.created_at < %s", "le.kind <> 'reversal'"]
    params: list[Any] = [end]
    if location_ids is not None:
        where.append("le.location_id IN (" + ", ".join(["%s"] * len(location_ids)) + ")" if location_ids else "1 = 0")
        params += location_ids
    # An entry reversed by the as-of day drops out with its reversal: the correction does not pay the oldest charge.
    where.append("NOT EXISTS (SELECT 1 FROM " + table + " r WHERE r.reverses_id = le.id AND r.created_at < %s)")  # noqa: S608 (fixed SQL and placeholders)
    params.append(end)
    if patient_ids is not None:  # a statement's patients (billing/services/statements.py)
        where.append("le.patient_id IN (" + ", ".join(["%s"] * len(patient_ids)) + ")" if patient_ids else "1 = 0")
        params += patient_ids
    if responsible is not None:
        where.append(RESPONSIBLE_SQL + " = %s")
        params.append(responsible)
    # Integer cents per entry (an entry is at most 99,999.99: parse_amount), summed as integers: exact on both
    # databases, and far cheaper to sum than numeric on PostgreSQL (where the cast of a two-place amount times
    # 100 is exact; SQLite's amounts are floating point, so it rounds first).
    cents = ("CAST(le.amount * 100 AS INTEGER)" if connection.vendor == "postgresql"
             else "CAST(ROUND(le.amount * 100) AS INTEGER)")
    debit = "CASE WHEN le.amount > 0 AND "
    ages = ([debit + "le.created_at >= %s THEN " + cents + " ELSE 0 END"]
            + [debit + "le.created_at < %s AND le.created_at >= %s THEN " + cents + " ELSE 0 END"]
            * (len(cutoffs) - 1)
            + [debit + "le.created_at < %s THEN " + cents + " ELSE 0 END"])
    age_params: list[Any] = [cutoffs[0]]
    for newer, older in zip(cutoffs, cutoffs[1:], strict=False):  # noqa: RUF007
        age_params += [newer, older]
    age_params.append(cutoffs[-1])
    # One GROUP BY per account: its balance and its debits per bucket.
    accounts = ("SELECT le.patient_id AS patient_id, " + RESPONSIBLE_SQL + " AS responsible, "  # noqa: S608 (fixed SQL and placeholders)
                + "SUM(" + cents + ") AS balance, "
                + ", ".join(f"SUM({age}) AS d{n}" for n, age in enumerate(ages))
                + " FROM " + table + " le WHERE " + " AND ".join(where)
                + " GROUP BY le.patient_id, responsible")
    # What the balance leaves for bucket k once the newer buckets are covered: balance - d0 - ... - d(k-1).
    left = ["balance"] + ["balance - " + " - ".join(f"d{j}" for j in range(k)) for k in range(1, len(BUCKETS))]
    opens = [f"CASE WHEN balance <= 0 OR {rest} <= 0 THEN 0 WHEN {rest} < d{k} THEN {rest} ELSE d{k} END"
             for k, rest in enumerate(left)]
    sql = ("SELECT patient_id, responsible, balance, " + ", ".join(opens)  # noqa: S608 (fixed SQL and placeholders)
           + " FROM (" + accounts + ") a WHERE balance <> 0")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One aggregate over the whole ledger: room to hash every account in memory, and no JIT compilation
            # (it costs more than it saves on a query that runs once).
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*age_params, *params])
        found = cursor.fetchall()
    rows = [AgingRow(int(r[0]), int(r[1]), [_money(v) for v in r[3:]]) for r in found if r[2] > 0]
    credits = [_money(r[2]) for r in found if r[2] < 0]
    rows.sort(key=lambda r: (-r.total, r.patient_id, r.responsible))
    return Aging(rows, -sum(credits, Decimal("0.00")), len(credits))
