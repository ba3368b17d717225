"""A/R aging, computed in the database (one SQL statement; no Python loop over entries).

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

How it is read fast (#19: a million entries in under 2 s): credits are never aged, and what the balance leaves for
the oldest bucket (balance - debits of the newer buckets = debits over 120 days - credits) is never more than
that bucket's debits, so only two figures per account are needed: its balance at the end of the "as of" day and
its debits of the last 120 days. The balance is the stored one (LedgerBalance, kept by a trigger on the ledger:
billing/balance_models.py) less the entries after that day (a reversed pair sums to zero, so it needs no
exclusion); the debits are the entries of the last 120 days, reversed ones left out as above. So the statement
reads one row per account and four months of the ledger, not its history. The old statement, which recomputes
everything from every entry, is kept as the definition's oracle (report_aging_ledger.py, and the tests that
compare the two on randomized ledgers).

The payer dimension is not in the ledger: a visit's charges are the patient's account's entries whoever is expected
to pay them, and who that is changes as the claim moves (sent, answered, resubmitted) while the ledger is
append-only. So this statement ages each account whole (`RESPONSIBLE_SQL` is 0, the patient, for every entry) and
the report splits each account between the payers its claims pending with insurance are with and the patient
(pending_insurance.py: one query over the unanswered claims, aged from the date of service; report_selectors.
ar_aging). LedgerBalance needs no payer column, and this fast path stays one statement over the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from clinicdesk.core.timezones import day_span_utc

from .models import LedgerBalance, LedgerEntry

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


ZERO = Decimal("0.00")


def money(cents: Any) -> Decimal:
    """Integer cents as a two-place Decimal (cheap: most of an aging's figures are zero)."""
    value = int(cents or 0)
    return Decimal(value).scaleb(-2) if value else ZERO


def cents_sql(column: str) -> str:
    """An entry's amount as integer cents (an entry is at most 99,999.99: parse_amount), to be summed as integers:
    exact on both databases, and far cheaper to sum than numeric on PostgreSQL (where the cast of a two-place amount
    times 100 is exact; SQLite's amounts are floating point, so it rounds first)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} * 100 AS INTEGER)"
    return f"CAST(ROUND({column} * 100) AS INTEGER)"


def _in(column: str, ids: list[int] | None, where: list[str], params: list[Any]) -> None:
    if ids is not None:
        where.append(f"{column} IN (" + ", ".join(["%s"] * len(ids)) + ")" if ids else "1 = 0")
        params += ids


def aging_query(*, as_of: dt.date, tz: Any, location_ids: list[int] | None,
                responsible: int | None = None, patient_ids: list[int] | None = None) -> Aging:
    """Open balances by account and age bucket as of the end of `as_of` (local to `tz`), at the given locations
    (None: all), of the given patients (None: all), for one responsible party (None: all). One statement: every
    account with a balance, its open amount per bucket (positive balances) or its credit."""
    if responsible is not None and responsible != PATIENT:
        # Every entry is the account's (RESPONSIBLE_SQL): a payer's part comes from its pending claims
        # (report_selectors.ar_aging with pending_insurance), not from the ledger.
        return Aging([], Decimal("0.00"), 0)
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    balances = connection.ops.quote_name(LedgerBalance._meta.db_table)
    end = day_span_utc(as_of, tz)[1]
    # An entry created at or after this instant is at most N days old on the as-of day.
    cutoffs = [day_span_utc(as_of - dt.timedelta(days=days), tz)[0] for days in BUCKET_STARTS]
    cents = cents_sql("le.amount")
    # Only placeholders, the models' table names and fixed SQL are put together here: every value is a parameter.
    parts: list[str] = []
    params: list[Any] = []
    # 1. Each account's stored balance (every entry ever posted)...
    where: list[str] = []
    _in("b.location_id", location_ids, where, params)
    _in("b.patient_id", patient_ids, where, params)
    parts.append("SELECT b.patient_id AS patient_id, b.cents AS balance, 0 AS d0, 0 AS d1, 0 AS d2, 0 AS d3 FROM "  # noqa: S608 (fixed SQL and placeholders)
                 + balances + " b" + (" WHERE " + " AND ".join(where) if where else ""))
    # 2. ... less the entries after the as-of day ...
    where = ["le.created_at >= %s"]
    params.append(end)
    _in("le.location_id", location_ids, where, params)
    _in("le.patient_id", patient_ids, where, params)
    parts.append("SELECT le.patient_id, -" + cents + ", 0, 0, 0, 0 FROM " + ledger  # noqa: S608 (fixed SQL and placeholders)
                 + " le WHERE " + " AND ".join(where))
    # 3. ... and the debits of the last 120 days by bucket: charges, refunds and raising adjustments ...
    def ages(alias: str, sign: str = "") -> str:  # the entry's cents in its bucket's column, 0 in the others
        amount = sign + cents_sql(f"{alias}.amount")
        return ", ".join([f"CASE WHEN {alias}.created_at >= %s THEN {amount} ELSE 0 END"]
                         + [f"CASE WHEN {alias}.created_at < %s AND {alias}.created_at >= %s THEN {amount} ELSE 0 END"]
                         * 2 + [f"CASE WHEN {alias}.created_at < %s THEN {amount} ELSE 0 END"])

    age_params = [cutoffs[0], cutoffs[0], cutoffs[1], cutoffs[1], cutoffs[2], cutoffs[2]]
    window = ["{a}.created_at >= %s", "{a}.created_at < %s", "{a}.amount > 0", "{a}.kind <> 'reversal'"]
    where = [w.format(a="le") for w in window]
    params += [*age_params, cutoffs[3], end]
    _in("le.location_id", location_ids, where, params)
    _in("le.patient_id", patient_ids, where, params)
    parts.append("SELECT le.patient_id, 0, " + ages("le") + " FROM " + ledger  # noqa: S608 (fixed SQL and placeholders)
                 + " le WHERE " + " AND ".join(where))
    # 4. ... less those of them reversed by the as-of day (a reversal corrects the entry it names, not the oldest
    # charge): the reversals up to that day (a partial index holds only reversals), joined to the entries they name.
    where = ["r.kind = 'reversal'", "r.created_at < %s"] + [w.format(a="o") for w in window]
    params += [*age_params, end, cutoffs[3], end]
    _in("r.location_id", location_ids, where, params)
    _in("r.patient_id", patient_ids, where, params)
    parts.append("SELECT o.patient_id, 0, " + ages("o", "-") + " FROM "  # noqa: S608 (fixed SQL and placeholders)
                 + ledger + " r JOIN " + ledger + " o ON o.id = r.reverses_id WHERE "
                 + " AND ".join(where))
    # Integers throughout (PostgreSQL sums bigints as numeric: cast back, the per-account arithmetic stays cheap).
    accounts = ("SELECT patient_id, CAST(SUM(balance) AS BIGINT) AS balance, SUM(d0) AS d0, SUM(d1) AS d1, "  # noqa: S608 (fixed SQL and placeholders)
                "SUM(d2) AS d2, SUM(d3) AS d3 FROM (" + " UNION ALL ".join(parts) + ") u GROUP BY patient_id")
    # What the balance leaves for bucket k once the newer buckets are covered: balance - d0 - ... - d(k-1); the
    # oldest bucket takes all that is left (it is never more than that bucket's debits: see above).
    left = ["balance"] + ["balance - " + " - ".join(f"d{j}" for j in range(k)) for k in range(1, len(BUCKETS))]
    opens = [f"CASE WHEN balance <= 0 OR {rest} <= 0 THEN 0 WHEN {rest} < d{k} THEN {rest} ELSE d{k} END"
             for k, rest in enumerate(left[:-1])]
    opens.append(f"CASE WHEN balance <= 0 OR {left[-1]} <= 0 THEN 0 ELSE {left[-1]} END")
    sql = ("SELECT patient_id, balance, " + ", ".join(opens)  # noqa: S608 (fixed SQL and placeholders)
           + " FROM (" + accounts + ") a WHERE balance <> 0 ORDER BY balance DESC, patient_id")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Room to hash every account in memory, and no JIT compilation (it costs more than it saves on a query
            # that runs once).
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        found = cursor.fetchall()
    # Largest first (an account's total is its balance: the statement sorts); zeros shared, the rest made in place.
    rows = [AgingRow(r[0], PATIENT, [Decimal(v).scaleb(-2) if v else ZERO for v in r[2:]]) for r in found if r[1] > 0]
    credits = [int(r[1]) for r in found if r[1] < 0]
    return Aging(rows, money(-sum(credits)), len(credits))
