"""Emptying the test database after a transactional test (live server, browser and race tests), fast.

Django's TransactionTestCase empties the database with `flush`: TRUNCATE of every table on PostgreSQL (each
one a new file on disk, about 220 of them) and then the post_migrate signal, which checks every content type and
permission again. On PostgreSQL that took 2-12 s per browser test (the CI budget's largest fixed cost). A test
writes to a few dozen tables at most, so this empties only the tables that hold rows, in one statement each:

- PostgreSQL, as a superuser (the test cluster's `postgres`): DELETE with `session_replication_role = replica`,
  which skips the foreign-key and append-only triggers for this transaction only (so the order does not matter,
  and the audit trail's refusal, meant for the application, does not stop the test harness).
- SQLite: Django's own flush statements for those tables (its foreign keys are deferred to the commit).
- Anything else (a PostgreSQL role that is not a superuser): Django's flush, unchanged.

The end state is the one `flush` leaves: every table empty except Django's content types and permissions,
which `flush` would re-create identically straight away (post_migrate) and which no test changes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.color import no_style
from django.db import connections, transaction
from django.test.testcases import TransactionTestCase

KEPT = {"django_content_type", "auth_permission", "django_migrations"}
_tables: dict[str, list[str]] = {}
_superuser: dict[str, bool] = {}
_django_teardown = TransactionTestCase._fixture_teardown


def _flushable(connection: Any) -> list[str]:
    key = connection.settings_dict["NAME"]
    if key not in _tables:
        names = connection.introspection.django_table_names(only_existing=True, include_views=False)
        _tables[key] = sorted(set(names) - KEPT)
    return _tables[key]


def _holding_rows(connection: Any, tables: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    holding: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(tables), 400):  # SQLite allows 500 terms in a compound SELECT
            chunk = tables[start:start + 400]
            cursor.execute(" UNION ALL ".join(
                f"SELECT {index} WHERE EXISTS (SELECT 1 FROM {quote(table)})" for index, table in enumerate(chunk)))
            holding += [chunk[row[0]] for row in cursor.fetchall()]
    return holding


def _is_superuser(connection: Any) -> bool:
    key = connection.settings_dict["NAME"]
    if key not in _superuser:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        _superuser[key] = bool(row and row[0])
    return _superuser[key]


def empty_database(alias: str) -> bool:
    """Empty every table that holds rows; False when this database needs Django's flush instead."""
    connection = connections[alias]
    if connection.vendor == "postgresql" and not _is_superuser(connection):
        return False
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    holding = _holding_rows(connection, _flushable(connection))
    if not holding:
        return True
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table in holding:
                cursor.execute(f"DELETE FROM {quote(table)}")
    else:
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), holding))
    return True


def _fixture_teardown(self: TransactionTestCase) -> None:
    if self.available_apps is not None or self.serialized_rollback or self.reset_sequences:
        _django_teardown(self)
        return
    for alias in self._databases_names(include_mirrors=False):
        if not empty_database(alias):
            _django_teardown(self)
            return


def install() -> None:
    TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[method-assign]
