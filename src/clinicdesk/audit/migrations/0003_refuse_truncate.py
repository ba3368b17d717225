"""On PostgreSQL the database refuses TRUNCATE of the audit trail (row triggers do not see a TRUNCATE).

A statement-level BEFORE TRUNCATE trigger raises, whoever the role is, except a superuser: a superuser
can switch every trigger off anyway (session_replication_role), and Django's test runner flushes the test
database with TRUNCATE as one. The app must never connect as a superuser or as the table's owner (who can
drop the trigger): `clinicdesk check --deploy` warns (clinicdesk.W010). A TRUNCATE that gets through
anyway is caught by `clinicdesk audit verify`, which compares the trail with the audit anchor.

The SQL comes from core/append_only.py, shared with the ledger; it is the same, byte for byte, as the SQL this
migration first wrote out by hand.
"""

from django.db import migrations

from clinicdesk.core.append_only import append_only_sql, append_only_triggers

OPTIONS = {"name": "audit", "message": "the audit trail is append-only (% refused)",
           "tables": {"audit_auditentry": "audit_entry", "audit_chainhead": "audit_chainhead"},
           "rows": False, "truncate": True}
CREATE, DROP = append_only_sql(**OPTIONS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [append_only_triggers(**OPTIONS)]
