"""Booking under contention on PostgreSQL: 16 concurrent clients call `appointment_book` (each thread its
own database connection) against the 1,000,000-appointment data set of bench_scheduling_search.py.
About one request in five aims at a slot another client also wants, so the locks, the re-check and
the exclusion constraint all work. At the end every booking made here is cancelled again.

    .venv/bin/python bench/bench_scheduling_booking.py [--clients 16] [--per-client 25]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import threading
import time

from bench_scheduling_common import ensure_data, percentile, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=25)
    args = parser.parse_args()
    setup_django(False)
    data = ensure_data()
    from django.db import connection

    from clinicdesk.core import clock
    from clinicdesk.core.exceptions import Conflict, ValidationFailed
    from clinicdesk.core.identifiers import mrn_from_sequence
    from clinicdesk.patients.keys import fill_search_keys
    from clinicdesk.patients.models import Patient
    from clinicdesk.scheduling.search import SearchQuery
    from clinicdesk.scheduling.selectors import slots_search
    from clinicdesk.scheduling.services import BookingRequest, appointment_book, appointment_cancel

    user, kind = data["user"], data["types"]["follow-up"]
    rng = random.Random(3)
    wanted = args.clients * args.per_client
    today = clock.now().date()
    targets = []
    for location in data["locations"]:
        for offset in range(0, 60, 6):
            options = slots_search(actor=user, query=SearchQuery(
                appointment_type_id=kind.pk, location_id=location.pk, first_day=today + dt.timedelta(days=offset + 1),
                last_day=today + dt.timedelta(days=offset + 6), limit=50))
            targets += [(o.start, o.practitioner.pk, location.pk) for o in options]
    rng.shuffle(targets)
    distinct = targets[: int(wanted * 0.8)]
    plan = distinct + [rng.choice(distinct) for _ in range(wanted - len(distinct))]  # 20% contended
    rng.shuffle(plan)
    base = Patient.objects.count()
    patients = Patient.objects.bulk_create([
        fill_search_keys(Patient(mrn=mrn_from_sequence(990000 + base + i), family_name="Booker", given_name=f"B{i}",
                                 birth_date=dt.date(1970, 1, 1), sex="male", home_location=data["locations"][0]))
        for i in range(wanted)])
    connection.close()

    latencies: list[float] = []
    outcomes = {"booked": 0, "conflict": 0, "invalid": 0}
    booked_ids: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients)

    def client(number: int) -> None:
        from django.db import connection as own

        mine = plan[number::args.clients]
        barrier.wait()
        for index, (start, practitioner_id, location_id) in enumerate(mine):
            patient = patients[number * args.per_client + index]
            request = BookingRequest(patient_id=patient.pk, practitioner_id=practitioner_id, location_id=location_id,
                                     appointment_type_id=kind.pk, start=start)
            started = time.perf_counter()
            try:
                appointment = appointment_book(actor=user, request=request, idempotency_key=f"bench-{patient.pk}")
                result = "booked"
            except Conflict:
                result, appointment = "conflict", None
            except ValidationFailed:
                result, appointment = "invalid", None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                outcomes[result] += 1
                if appointment is not None:
                    booked_ids.append(appointment.pk)
        own.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    print(f"clients={args.clients} requests={len(latencies)} booked={outcomes['booked']} "
          f"slot-taken={outcomes['conflict']} invalid={outcomes['invalid']} wall={wall:.1f} s "
          f"throughput={len(latencies) / wall:.0f} bookings/s")
    print(f"latency p50={statistics.median(latencies):.1f} ms p95={percentile(latencies, 0.95):.1f} ms "
          f"max={max(latencies):.1f} ms")
    distinct_targets = len(set(plan))
    assert outcomes["booked"] == distinct_targets, (outcomes, distinct_targets)
    for appointment_id in booked_ids:
        appointment_cancel(actor=user, appointment_id=appointment_id, reason="benchmark clean-up")
    print(f"every contended slot was booked exactly once ({distinct_targets} slots); bookings cancelled again")


if __name__ == "__main__":
    main()
