"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit trail.

(TRUNCATE is refused by 0003.) The SQL comes from core/append_only.py, shared with the ledger; it is the same,
byte for byte, as the SQL this migration first wrote out by hand.
"""

from django.db import migrations

from clinicdesk.core.append_only import append_only_sql, append_only_triggers

OPTIONS = {"name": "audit", "message": "the audit trail is append-only (% refused)",
           "tables": {"audit_auditentry": "audit_entry"}, "rows": True, "truncate": False}
CREATE, DROP = append_only_sql(**OPTIONS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [append_only_triggers(**OPTIONS)]
