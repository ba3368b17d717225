from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")


class Migration(migrations.Migration):

    initial = True

    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=80, primary_key=True, serialize=False)),
                ("hits", models.PositiveIntegerField()),
                ("window_ends", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop, elidable=True),
    ]
