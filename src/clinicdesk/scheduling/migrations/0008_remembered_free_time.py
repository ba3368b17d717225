"""Free time remembered per practitioner-day, and the triggers that say when it may have grown (ADR 0012).

`DayFreeTime` holds the longest free stretch the first-available search measured on a practitioner's day;
`CalendarVersion` counts the changes that can lengthen one. Triggers count them, whatever writes the row
(the booking services, the setup screens, the admin, an import, a test's factory): a practitioner's booking
deleted or changed, their weekly template added, changed or removed, their time off changed or removed. A new
booking or new time off only takes time away, so it counts nothing and a remembered full day stays full.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES = """
CREATE FUNCTION scheduling_calendar_grew(who bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO scheduling_calendarversion (practitioner_id, version) VALUES (who, 1)
  ON CONFLICT (practitioner_id) DO UPDATE SET version = scheduling_calendarversion.version + 1
$$;
CREATE FUNCTION scheduling_booking_freed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.resource_kind = 'practitioner' THEN PERFORM scheduling_calendar_grew(OLD.resource_id); END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION scheduling_hours_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM scheduling_calendar_grew(OLD.practitioner_id); END IF;
  IF TG_OP = 'UPDATE' AND NEW.practitioner_id <> OLD.practitioner_id OR TG_OP = 'INSERT' THEN
    PERFORM scheduling_calendar_grew(NEW.practitioner_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER scheduling_booking_freed AFTER UPDATE OR DELETE ON scheduling_resourcebooking
  FOR EACH ROW EXECUTE FUNCTION scheduling_booking_freed();
CREATE TRIGGER scheduling_template_changed AFTER INSERT OR UPDATE OR DELETE ON scheduling_availabilitytemplate
  FOR EACH ROW EXECUTE FUNCTION scheduling_hours_changed();
CREATE TRIGGER scheduling_time_off_changed AFTER UPDATE OR DELETE ON scheduling_availabilityexception
  FOR EACH ROW EXECUTE FUNCTION scheduling_hours_changed();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS scheduling_booking_freed ON scheduling_resourcebooking;
DROP TRIGGER IF EXISTS scheduling_template_changed ON scheduling_availabilitytemplate;
DROP TRIGGER IF EXISTS scheduling_time_off_changed ON scheduling_availabilityexception;
DROP FUNCTION IF EXISTS scheduling_hours_changed();
DROP FUNCTION IF EXISTS scheduling_booking_freed();
DROP FUNCTION IF EXISTS scheduling_calendar_grew(bigint);
"""


def _grew(who: str) -> str:
    return (f"INSERT OR IGNORE INTO scheduling_calendarversion (practitioner_id, version) VALUES ({who}, 0); "
            f"UPDATE scheduling_calendarversion SET version = version + 1 WHERE practitioner_id = {who};")


SQLITE = [
    "CREATE TRIGGER scheduling_booking_freed AFTER DELETE ON scheduling_resourcebooking "
    f"WHEN OLD.resource_kind = 'practitioner' BEGIN {_grew('OLD.resource_id')} END",
    "CREATE TRIGGER scheduling_booking_changed AFTER UPDATE ON scheduling_resourcebooking "
    f"WHEN OLD.resource_kind = 'practitioner' BEGIN {_grew('OLD.resource_id')} END",
    "CREATE TRIGGER scheduling_template_added AFTER INSERT ON scheduling_availabilitytemplate "
    f"BEGIN {_grew('NEW.practitioner_id')} END",
    "CREATE TRIGGER scheduling_template_changed AFTER UPDATE ON scheduling_availabilitytemplate "
    f"BEGIN {_grew('OLD.practitioner_id')} {_grew('NEW.practitioner_id')} END",
    "CREATE TRIGGER scheduling_template_removed AFTER DELETE ON scheduling_availabilitytemplate "
    f"BEGIN {_grew('OLD.practitioner_id')} END",
    "CREATE TRIGGER scheduling_time_off_changed AFTER UPDATE ON scheduling_availabilityexception "
    f"BEGIN {_grew('OLD.practitioner_id')} {_grew('NEW.practitioner_id')} END",
    "CREATE TRIGGER scheduling_time_off_removed AFTER DELETE ON scheduling_availabilityexception "
    f"BEGIN {_grew('OLD.practitioner_id')} END",
]
SQLITE_NAMES = ["scheduling_booking_freed", "scheduling_booking_changed", "scheduling_template_added",
                "scheduling_template_changed", "scheduling_template_removed", "scheduling_time_off_changed",
                "scheduling_time_off_removed"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('practice', '0004_practicesettings'),
        ('scheduling', '0007_appointment_type_spanish_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarVersion',
            fields=[
                ('practitioner_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('version', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='DayFreeTime',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('time_zone', models.CharField(max_length=64)),
                ('version', models.BigIntegerField()),
                ('longest_free_minutes', models.PositiveIntegerField()),
                ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                               related_name='+', to='practice.location')),
                ('practitioner', models.ForeignKey(db_constraint=False,
                                                   on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                                   to='practice.practitioner')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('location', 'practitioner', 'day'),
                                                        name='day_free_time_once')],
            },
        ),
        migrations.RunPython(create, drop),
    ]
