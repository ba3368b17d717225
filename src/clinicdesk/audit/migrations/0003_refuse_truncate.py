"""On PostgreSQL the database refuses TRUNCATE of the audit trail (row triggers do not see a TRUNCATE).

A statement-level BEFORE TRUNCATE trigger raises, whoever the role is, except a superuser: a superuser
can switch every trigger off anyway (session_replication_role), and Django's test runner flushes the test
database with TRUNCATE as one. The app must never connect as a superuser or as the table's owner (who can
drop the trigger): `clinicdesk check --deploy` warns (clinicdesk.W010). A TRUNCATE that gets through
anyway is caught by `clinicdesk audit verify`, which compares the trail with the audit anchor.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clinicdesk_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION clinicdesk_audit_no_truncate();
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION clinicdesk_audit_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS clinicdesk_audit_no_truncate();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
