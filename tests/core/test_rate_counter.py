"""The rate limits' counters in the database (core.rate_counter), used when the install has no Redis: one statement
per counted request, exact under concurrency, fixed windows, no client address stored, ended windows pruned."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.core import periodic
from clinicdesk.core.models import RateCounter
from clinicdesk.core.rate_counter import count_request, parse_rate, rate_counters_prune

NOON = dt.datetime(2026, 12, 7, 12, 0, 10, tzinfo=dt.UTC)


def test_rates_read_as_a_count_and_a_window_in_seconds():
    assert parse_rate("10/m") == (10, 60)
    assert parse_rate("100/5m") == (100, 300)
    assert parse_rate("600/h") == (600, 3600)
    with pytest.raises(ValueError):
        parse_rate("ten a minute")


def test_a_window_counts_up_to_its_limit_and_the_next_window_starts_afresh(db):
    counts = [count_request("fhir", "203.0.113.9", "3/m", now=NOON + dt.timedelta(seconds=s)) for s in range(4)]
    assert [usage.count for usage in counts] == [1, 2, 3, 4]
    assert [usage.should_limit for usage in counts] == [False, False, False, True]
    assert counts[-1].time_left == 47  # 12:00:13 -> the window ends at 12:01:00
    fresh = count_request("fhir", "203.0.113.9", "3/m", now=NOON + dt.timedelta(minutes=1))
    assert (fresh.count, fresh.should_limit) == (1, False)


def test_groups_and_addresses_count_apart_and_no_address_is_stored(db):
    count_request("fhir", "203.0.113.9", "3/m", now=NOON)
    count_request("fhir", "203.0.113.9", "3/m", now=NOON)
    assert count_request("oauth", "203.0.113.9", "3/m", now=NOON).count == 1
    assert count_request("fhir", "198.51.100.4", "3/m", now=NOON).count == 1
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 3
    assert not any("203.0.113" in key or "198.51.100" in key for key in keys)


def test_the_ticker_prunes_ended_windows_only(db):
    count_request("fhir", "203.0.113.9", "3/m", now=NOON - dt.timedelta(minutes=5))
    count_request("fhir", "203.0.113.9", "3/m", now=NOON)
    assert rate_counters_prune(now=NOON) == 1
    assert RateCounter.objects.get().hits == 1
    assert periodic.JOBS["prune-rate-counters"].enqueue is rate_counters_prune


def test_a_fhir_request_is_counted_with_one_statement_and_no_cache_query(db, settings):
    settings.RATELIMIT_FHIR = "50/m"
    client = Client(REMOTE_ADDR="192.0.2.31")
    client.get("/fhir/r4/metadata")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/fhir/r4/metadata").status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum("core_ratecounter" in sql for sql in statements) == 1
    assert not any("clinicdesk_cache" in sql for sql in statements)
    assert RateCounter.objects.get().hits == 2


def test_the_limit_refuses_past_the_rate_through_the_database_counters(db, settings):
    assert settings.RATELIMIT_COUNTERS == "database"
    settings.RATELIMIT_FHIR = "2/h"
    client = Client(REMOTE_ADDR="192.0.2.32")
    assert [client.get("/fhir/r4/metadata").status_code for _ in range(3)] == [200, 200, 429]
    assert RateCounter.objects.get().hits == 3  # a refused request counts too


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_lose_no_count():
    threads, per_thread, errors = 8, 25, []
    start = threading.Barrier(threads)

    def hammer() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                count_request("fhir", "203.0.113.50", "100000/h", now=NOON)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors
    assert RateCounter.objects.get().hits == threads * per_thread


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
def test_the_counters_table_writes_no_wal_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_ratecounter'")
        assert cursor.fetchone()[0] == "u"
