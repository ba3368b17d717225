"""A/R aging recomputed from the ledger's history: the definition, kept as the oracle of the fast aging.

`report_aging.aging_query` reads each account's stored balance (LedgerBalance) and only the last 120 days of
entries; this module is the statement it replaced, which reads every entry up to the "as of" day (about 9 s over a
million entries under load: bench/RESULTS.md). The tests check that the two agree on randomized ledgers
(tests/billing/test_aging_oracle.py); the definition itself is in report_aging's docstring.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from clinicdesk.core.timezones import day_span_utc

from .models import LedgerEntry
from .report_aging import BUCKET_STARTS, BUCKETS, RESPONSIBLE_SQL, Aging, AgingRow, money


def aging_from_ledger(*, as_of: dt.date, tz: Any, location_ids: list[int] | None,
                responsible: int | None = None, patient_ids: list[int] | None = None) -> Aging:
    """The aging recomputed from the whole ledger (the definition in report_aging's docstring, one statement):
    the same arguments and answer as `report_aging.aging_query`."""
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
    rows = [AgingRow(int(r[0]), int(r[1]), [money(v) for v in r[3:]]) for r in found if r[2] > 0]
    credits = [money(r[2]) for r in found if r[2] < 0]
    rows.sort(key=lambda r: (-r.total, r.patient_id, r.responsible))
    return Aging(rows, -sum(credits, Decimal("0.00")), len(credits))
