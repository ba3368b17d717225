"""Never double-book: on PostgreSQL, an exclusion constraint over the occupied time ranges.

Two exclusive bookings of the same resource (practitioner, room, equipment, patient) may not overlap.
SQLite has no such constraint; there the booking service runs inside a write transaction taken at
BEGIN (settings: transaction_mode IMMEDIATE) and re-checks before inserting.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_resourcebooking
  ADD CONSTRAINT booking_no_overlap
  EXCLUDE USING gist (resource_kind WITH =, resource_id WITH =, tstzrange("start", "end", '[)') WITH &&)
  WHERE (exclusive);
"""
DROP = "ALTER TABLE scheduling_resourcebooking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_scheduling_engine")]
    operations = [migrations.RunPython(create, drop)]
