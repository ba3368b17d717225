import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("fhir", "0001_initial"),
        ("practice", "0002_specialties_resource_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="fhirclient",
            name="location",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="practice.location"),
        ),
    ]
