"""A/R aging over 1,000,000 ledger entries (issue #19: under 2 seconds on PostgreSQL).

Builds a throw-away ledger with COPY: 2 locations, 40,000 patients, about a million entries over two years
(charges, payments by cash, check and card, write-offs, refunds, and 1 % of charges and payments reversed), then
times the selector the A/R aging report calls (`billing.report_selectors.ar_aging`: one SQL statement over each
account's stored balance, LedgerBalance, and the last 120 days of entries), for the whole practice and for one
location, and the whole report as the page builds it (the aging plus the period's rates, patients' names and the
audit record). Beside it, `--before` rounds of the statement it replaced (the whole ledger recomputed,
`report_aging_ledger.aging_from_ledger`): timed, and its answer compared with the new one (the run stops if they
differ). Once, untimed in the rounds: the stored balances checked against the ledger's sums.

    .venv/bin/python bench/bench_billing_ar_aging.py              # builds once, then reuses
    .venv/bin/python bench/bench_billing_ar_aging.py --rebuild --entries 1000000

The scratch database is `clinicdesk_bench_payrep` on the local PostgreSQL (bench/scratch_db.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_payrep"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def build(entries: int, patients: int) -> None:
    from django.db import connection, transaction
    from tests.factories import LocationFactory

    from clinicdesk.patients.models import Patient

    rng = random.Random(19)
    with transaction.atomic():
        places = [LocationFactory(code=f"bench-r{n}", name=f"Bench {n}", time_zone="America/New_York")
                  for n in range(2)]
        people = Patient.objects.bulk_create(
            (Patient(mrn=f"R{n:08d}", family_name=f"Family{n}", given_name=f"Given{n}",
                     birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=n % 20000), sex="female",
                     home_location=places[n % 2]) for n in range(patients)), batch_size=5000)
    ids = [(p.pk, places[i % 2].pk) for i, p in enumerate(people)]
    columns = ("patient_id", "location_id", "kind", "amount", "description", "method", "check_number",
               "card_reference", "card_last4", "created_at")
    buffer = io.StringIO()
    made = 0
    while made < entries:
        patient_id, location_id = ids[rng.randrange(len(ids))]
        start = NOW - dt.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 600))
        # A visit: a charge, most often a payment (sometimes partial, sometimes late), now and then a write-off.
        charge = rng.choice((80, 120, 150, 180, 240)) + rng.randint(0, 99) / 100
        rows = [("charge", f"{charge:.2f}", "Bench visit", "", "", "", "", start)]
        roll = rng.random()
        if roll < 0.75:
            paid = charge if rng.random() < 0.7 else round(charge * rng.uniform(0.2, 0.9), 2)
            method = rng.choice(("cash", "check", "card"))
            when = start + dt.timedelta(days=rng.choice((0, 0, 3, 20, 45, 90)))
            rows.append(("payment", f"{-paid:.2f}", "", method, "1001" if method == "check" else "",
                         "T-1" if method == "card" else "", "4242" if method == "card" else "", when))
        if roll > 0.85:
            rows.append(("adjustment", f"{-round(charge * 0.3, 2):.2f}", "Write-off", "", "", "", "", start
                         + dt.timedelta(days=60)))
        for kind, amount, description, method, check, reference, last4, when in rows:
            buffer.write("\t".join([str(patient_id), str(location_id), kind, amount, description, method, check,
                                    reference, last4, when.isoformat()]) + "\n")
            made += 1
    buffer.seek(0)
    table = "billing_ledgerentry"
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        # Refunds of 2 % of payments, then reversals of 1 % of charges and payments (each names its entry).
        cursor.execute(f"""INSERT INTO {table} (patient_id, location_id, kind, amount, description, method,
            check_number, card_reference, card_last4, created_at, refund_of_id)
            SELECT patient_id, location_id, 'refund', 5.00, 'Bench refund', 'cash', '', '', '',
                   created_at + interval '1 day', id FROM {table} WHERE kind = 'payment' AND id % 50 = 7""")
        cursor.execute(f"""INSERT INTO {table} (patient_id, location_id, kind, amount, description, method,
            check_number, card_reference, card_last4, created_at, reverses_id)
            SELECT patient_id, location_id, 'reversal', -amount, 'Bench reversal', method, check_number,
                   card_reference, card_last4, created_at + interval '1 day', id FROM {table}
            WHERE kind IN ('charge', 'payment') AND id % 100 = 3""")
        cursor.execute("ANALYZE")


def _stats(name: str, values: list[float]) -> None:
    values.sort()
    p95 = values[max(0, round(len(values) * 0.95) - 1)]
    print(f"{name:34s} n={len(values):3d}  p50 {statistics.median(values):8.1f} ms  p95 {p95:8.1f} ms  "
          f"max {values[-1]:8.1f} ms")


def measure(repeat: int, before: int) -> None:
    from clinicdesk.accounts.models import User
    from clinicdesk.billing.report_filters import parse_filters, report_scope
    from clinicdesk.billing.report_selectors import ar_aging, payment_report
    from clinicdesk.core import clock
    from clinicdesk.core.permissions import Role
    from clinicdesk.practice.models import Location

    user = User.objects.filter(username="bench-payrep").first()
    if user is None:
        from tests.factories import UserFactory

        user = UserFactory(role=Role.PRACTICE_COORDINATOR, username="bench-payrep")
    one = Location.objects.filter(code="bench-r0").first()
    from django.db import connection

    from clinicdesk.billing.report_aging_ledger import aging_from_ledger

    def recomputed(f: Any) -> Any:  # before: the statement over the whole ledger (now the oracle)
        return aging_from_ledger(as_of=f.last_day, tz=f.tz, location_ids=f.location_ids)

    timings: dict[str, list[float]] = {"baseline: SUM(amount) of all": [], "ar_aging (whole practice)": [],
                                       "ar_aging (one location)": [], "aging report, whole page": [],
                                       "before: recomputed (whole practice)": [],
                                       "before: recomputed (one location)": []}
    with clock.frozen_at(NOW):
        scope = report_scope(actor=user)
        practice = parse_filters({}, scope)
        local = parse_filters({"location": str(one.pk)}, scope) if one else practice
        for round_ in range(repeat + 1):  # the first round warms the caches and is not counted
            # The machine's speed now: one plain scan and sum of the ledger (what any aging must at least read).
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SELECT SUM(amount) FROM billing_ledgerentry")
            if round_:
                timings["baseline: SUM(amount) of all"].append((time.perf_counter() - start) * 1000)
            for name, filters in (("ar_aging (whole practice)", practice), ("ar_aging (one location)", local)):
                start = time.perf_counter()
                result = ar_aging(filters)
                elapsed = (time.perf_counter() - start) * 1000
                if round_:
                    timings[name].append(elapsed)
            if round_ <= before:  # the old full recompute, same filters: timed, and its answer must be the same
                for name, filters in (("before: recomputed (whole practice)", practice),
                                      ("before: recomputed (one location)", local)):
                    start = time.perf_counter()
                    old = recomputed(filters)
                    elapsed = (time.perf_counter() - start) * 1000
                    if round_:
                        timings[name].append(elapsed)
                    new = ar_aging(filters)
                    same = (old.rows == new.rows and old.credit_total == new.credit_total
                            and old.credit_accounts == new.credit_accounts)
                    if not same:
                        raise SystemExit(f"{name}: the stored-balance aging differs from the recomputed one")
            if round_ <= 3:  # the whole report: fewer rounds (it also writes an audit entry)
                start = time.perf_counter()
                payment_report(actor=user, name="aging", params={})
                elapsed = (time.perf_counter() - start) * 1000
                if round_:
                    timings["aging report, whole page"].append(elapsed)
    print(f"A/R {result.total} over {len(result.rows):,} accounts; buckets {[str(b) for b in result.buckets]}; "
          f"credits {result.credit_total} on {result.credit_accounts:,} accounts (one location)")
    for name, values in timings.items():
        _stats(name, values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--before", type=int, default=3,
                        help="rounds of the old full-ledger statement (timed beside, answers compared)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.billing.models import LedgerEntry

    start = time.perf_counter()
    call_command("migrate", verbosity=0)  # 0009_ledger_balances fills the stored balances from the ledger once
    print(f"migrate: {time.perf_counter() - start:.1f} s")
    if not LedgerEntry.objects.exists():
        start = time.perf_counter()
        build(args.entries, args.patients)
        print(f"built in {time.perf_counter() - start:.1f} s")
    print(f"{LedgerEntry.objects.count():,} ledger entries, load average {os.getloadavg()[0]:.1f} (2 cores)")
    from clinicdesk.billing.balance_check import ledger_balance_mismatches

    start = time.perf_counter()
    mismatches = ledger_balance_mismatches()
    print(f"stored balances vs the ledger's sums: {len(mismatches)} differ ({time.perf_counter() - start:.1f} s)")
    if mismatches:
        raise SystemExit("the stored balances differ from the ledger")
    measure(args.repeat, args.before)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
