"""Advisory locks on a name: the same key in every process, held by a transaction only, and (on PostgreSQL) kept from
every other connection until that transaction ends."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection, transaction

from clinicdesk.core import advisory


def test_a_names_key_is_a_signed_64_bit_number_the_same_in_every_process():
    key = advisory.lock_key("insight.daily-appointments", 1, 2, dt.date(2026, 11, 25))
    assert key == advisory.lock_key("insight.daily-appointments", 1, 2, dt.date(2026, 11, 25))
    assert -(2**63) <= key < 2**63
    # blake2b, not hash(): the value is fixed, whatever PYTHONHASHSEED a process runs with
    assert advisory.lock_key("a", 1) == -9114791504259826495
    assert advisory.lock_key("a", 1) != advisory.lock_key("a", 2)


def test_a_lock_outside_a_transaction_is_refused():
    with pytest.raises(transaction.TransactionManagementError):
        advisory.hold("x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's transactions are serialized already")
@pytest.mark.django_db(transaction=True)
def test_a_held_lock_is_kept_from_other_connections_until_the_transaction_ends():
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
                            password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True)
    key = advisory.lock_key("test", 1)
    try:
        with transaction.atomic():
            advisory.hold("test", 1)
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0] is False
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0] is True
        other.execute("SELECT pg_advisory_unlock(%s)", [key])
    finally:
        other.close()
