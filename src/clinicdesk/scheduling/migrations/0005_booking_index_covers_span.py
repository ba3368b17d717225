"""First-available search reads busy time from the (resource_kind, resource_id, start) index: on PostgreSQL
the index also carries "end" and exclusive, so those reads are index-only scans (no visit to the table,
whose rows for one provider lie on a different page each), and autovacuum keeps the visibility map fresh
on this busy table so that the scans stay index-only. Same index name and key: Django's model state is
unchanged, and SQLite keeps the plain index (it has no INCLUDE). See docs/adr/0002-busy-time-reads.md.
"""

from django.db import migrations

FORWARD = """
DROP INDEX IF EXISTS booking_resource_start;
CREATE INDEX booking_resource_start ON scheduling_resourcebooking (resource_kind, resource_id, start)
  INCLUDE ("end", exclusive);
ALTER TABLE scheduling_resourcebooking SET (autovacuum_vacuum_insert_scale_factor = 0.02,
                                            autovacuum_vacuum_scale_factor = 0.05);
"""
BACKWARD = """
ALTER TABLE scheduling_resourcebooking RESET (autovacuum_vacuum_insert_scale_factor,
                                              autovacuum_vacuum_scale_factor);
DROP INDEX IF EXISTS booking_resource_start;
CREATE INDEX booking_resource_start ON scheduling_resourcebooking (resource_kind, resource_id, start);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0004_appointment_confirmation")]
    operations = [migrations.RunPython(forward, backward)]
