"""The reorder worklist and stock on hand over 2,000 items, 5 locations and 1,000,000 stock movements (issue #21:
under 500 ms on PostgreSQL). Times the real selectors (`reorder_worklist`, `stock_at`, `stock_on_hand`) per
location; the ledger sum (`stock_on_hand_from_ledger`, the balances' proof) is timed for comparison.

    .venv/bin/python bench/bench_operations_reorder.py                  # builds once, then reuses
    .venv/bin/python bench/bench_operations_reorder.py --rebuild --movements 1000000

The scratch database is `clinicdesk_bench_operations` on the local PostgreSQL (bench/scratch_db.py), migrated and
filled once: items (a fifth tracked by lot), a stock place per item and location (levels at random, so that
about a tenth sits below its reorder point), one or two supplier prices per item, the movements written with
INSERT ... SELECT over generate_series (receipts, uses, wastes, adjustments; lots with expiry dates for tracked
items) and the balances summed from them, as the services keep them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_operations"


def build(items: int, locations: int, movements: int) -> None:
    import random
    from decimal import Decimal

    from django.db import connection, transaction
    from tests.factories import LocationFactory

    from clinicdesk.operations.models import Item, StockPlace, Supplier, SupplierItem

    rng = random.Random(21)
    with transaction.atomic():
        places = [LocationFactory(code=f"bench-{n}", name=f"Bench {n}") for n in range(locations)]
        Item.objects.bulk_create(Item(name=f"Bench item {n:05d}", unit="box", tracks_lots=n % 5 == 0,
                                      par_level=200, reorder_point=60) for n in range(items))
        all_items = list(Item.objects.order_by("pk"))
        StockPlace.objects.bulk_create(
            StockPlace(item=item, location=loc, storage=f"Shelf {rng.randint(1, 40)}", par_level=200,
                       reorder_point=rng.choice([60] * 9 + [10_000]))  # ~1 in 10 always below
            for item in all_items for loc in places)
        suppliers = Supplier.objects.bulk_create(Supplier(name=f"Bench supplier {n}", email=f"s{n}@example.org")
                                                 for n in range(20))
        SupplierItem.objects.bulk_create(
            SupplierItem(supplier=suppliers[(item.pk + k) % 20], item=item, price=Decimal(rng.randint(100, 9000)) / 100,
                         pack_size=rng.choice([1, 10, 12, 50, 100]), preferred=k == 0)
            for item in all_items for k in range(1 + item.pk % 2))
        first_item, first_loc = all_items[0].pk, places[0].pk
        with connection.cursor() as cursor:
            # Movement n: item and location from n; one receipt of 500 per item/location/lot first, then
            # uses (mostly), wastes and adjustments; tracked items spread over 4 lots with expiry dates.
            cursor.execute("""
                INSERT INTO operations_stockmovement
                    (item_id, location_id, lot, expires_on, kind, quantity, reason, negative_exception, at,
                     by_id, appointment_id, receipt_line_id, count_id)
                SELECT %(item0)s + (n %% %(items)s), %(loc0)s + ((n / %(items)s) %% %(locs)s),
                       CASE WHEN (n %% %(items)s) %% 5 = 0
                            THEN 'LOT-' || ((n / (%(items)s * %(locs)s)) %% 4) ELSE '' END,
                       CASE WHEN (n %% %(items)s) %% 5 = 0
                            THEN DATE '2026-11-01' + ((n / (%(items)s * %(locs)s)) %% 4) * 45 + (n %% 17) END,
                       CASE WHEN n < %(items)s * %(locs)s * 4 THEN 'receive'
                            WHEN n %% 97 = 0 THEN 'waste' WHEN n %% 89 = 0 THEN 'adjust' ELSE 'use' END,
                       CASE WHEN n < %(items)s * %(locs)s * 4 THEN 500 ELSE -1 END,
                       '', false, TIMESTAMPTZ '2025-01-01' + n * INTERVAL '30 seconds',
                       NULL, NULL, NULL, NULL
                FROM generate_series(0, %(count)s - 1) AS n
            """, {"item0": first_item, "items": items, "loc0": first_loc, "locs": locations, "count": movements})
            cursor.execute("""
                INSERT INTO operations_stockbalance (item_id, location_id, lot, expires_on, quantity)
                SELECT item_id, location_id, lot, MIN(expires_on), SUM(quantity)
                FROM operations_stockmovement GROUP BY item_id, location_id, lot
            """)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(repeat: int) -> dict[str, list[float]]:
    from clinicdesk.core import clock
    from clinicdesk.core.permissions import Perm, SystemActor
    from clinicdesk.operations import selectors
    from clinicdesk.practice.models import Location

    actor = SystemActor("bench", frozenset({Perm.OPERATIONS_ADMIN, Perm.SUPPLIES_USE}))
    locations = list(Location.objects.filter(code__startswith="bench-").values_list("pk", flat=True))
    timings: dict[str, list[float]] = {"reorder_worklist": [], "stock_at": [], "stock_on_hand": [],
                                       "stock_on_hand_from_ledger": []}
    sizes: dict[str, int] = {}
    import datetime as dt

    with clock.frozen_at(dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)):
        for round_ in range(repeat + 1):  # the first round warms the caches and is not counted
            for location_id in locations:
                calls = {"reorder_worklist": selectors.reorder_worklist, "stock_at": selectors.stock_at,
                         "stock_on_hand": selectors.stock_on_hand,
                         "stock_on_hand_from_ledger": selectors.stock_on_hand_from_ledger}
                for name, selector in calls.items():
                    if name == "stock_on_hand_from_ledger" and round_ > 2:
                        continue
                    start = time.perf_counter()
                    result = selector(actor=actor, location_id=location_id)  # type: ignore[operator]
                    elapsed = (time.perf_counter() - start) * 1000
                    if round_:
                        timings[name].append(elapsed)
                    if name == "reorder_worklist":
                        sizes["reorder rows"] = len(result.reorder)  # type: ignore[union-attr]
                        sizes["expiring lots"] = len(result.expiring)  # type: ignore[union-attr]
    print("per location (last):", sizes)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.operations.models import Item, StockMovement

    call_command("migrate", verbosity=0)
    if Item.objects.count() != args.items or StockMovement.objects.count() != args.movements:
        if Item.objects.exists():
            sys.exit("The scratch database holds another size: run again with --rebuild.")
        start = time.perf_counter()
        build(args.items, args.locations, args.movements)
        print(f"built in {time.perf_counter() - start:.1f} s")
    print(f"{Item.objects.count():,} items, {args.locations} locations, {StockMovement.objects.count():,} movements")
    for name, values in measure(args.repeat).items():
        values.sort()
        p95 = values[max(0, round(len(values) * 0.95) - 1)]
        print(f"{name:28s} n={len(values):3d}  p50 {statistics.median(values):8.1f} ms  p95 {p95:8.1f} ms  "
              f"max {values[-1]:8.1f} ms")


if __name__ == "__main__":
    main()
