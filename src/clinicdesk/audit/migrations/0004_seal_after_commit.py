"""Entries are written unsealed (no position, no hashes) and sealed into the chain after commit (ADR 0007).

The position becomes nullable; a partial index finds the unsealed tail. On PostgreSQL the append-only trigger
now lets exactly one kind of UPDATE through: the seal, which gives an unsealed entry its position and hashes
once and changes nothing else. Every other UPDATE, every DELETE, and a second seal are still refused.
"""

from django.db import migrations, models

SEALABLE = """
CREATE OR REPLACE FUNCTION clinicdesk_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.position IS NULL AND NEW.position IS NOT NULL
       AND OLD.entry_hash = '' AND NEW.entry_hash <> ''
       AND (to_jsonb(NEW) - 'position' - 'prev_hash' - 'entry_hash')
           = (to_jsonb(OLD) - 'position' - 'prev_hash' - 'entry_hash') THEN
        RETURN NEW;  -- the seal: an unsealed entry takes its place in the chain, once
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

STRICT = """
CREATE OR REPLACE FUNCTION clinicdesk_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _run(sql: str):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_refuse_truncate")]

    operations = [
        migrations.AlterField("auditentry", "position", models.BigIntegerField(null=True, blank=True, unique=True)),
        migrations.AlterField("auditentry", "prev_hash", models.CharField(max_length=64, blank=True, default="")),
        migrations.AlterField("auditentry", "entry_hash", models.CharField(max_length=64, blank=True, default="")),
        migrations.AddIndex("auditentry", models.Index(fields=["id"], condition=models.Q(position__isnull=True),
                                                       name="audit_unsealed_idx")),
        migrations.RunPython(_run(SEALABLE), _run(STRICT)),
    ]
