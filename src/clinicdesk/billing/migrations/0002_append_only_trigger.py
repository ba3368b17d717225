"""The database itself refuses UPDATE and DELETE on the ledger (PostgreSQL trigger; SQLite trigger).

TRUNCATE is refused by 0003. The PostgreSQL SQL comes from core/append_only.py, shared with the audit trail;
it is the same, byte for byte, as the SQL this migration first wrote out by hand."""

from django.db import migrations

from clinicdesk.core.append_only import append_only_sql

PG_CREATE, PG_DROP = append_only_sql(
    name="ledger", message="the ledger is append-only (% refused): post a reversing entry",
    tables={"billing_ledgerentry": "ledger_entry"}, rows=True, truncate=False)
SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_no_update BEFORE UPDATE ON billing_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversing entry'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS ledger_entry_no_update;"]


def _apply(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def _revert(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(_apply, _revert)]
