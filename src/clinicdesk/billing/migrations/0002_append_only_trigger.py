"""The database itself refuses UPDATE and DELETE on the ledger (PostgreSQL trigger; SQLite trigger).

TRUNCATE stays possible for the table owner (the test runner flushes tables that way)."""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION clinicdesk_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only (% refused): post a reversing entry', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_entry_append_only ON billing_ledgerentry;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION clinicdesk_ledger_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON billing_ledgerentry;
DROP FUNCTION IF EXISTS clinicdesk_ledger_append_only();
"""
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
