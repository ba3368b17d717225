from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0005_fold_name_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payer",
            name="kind",
            field=models.CharField(choices=[("commercial", "Commercial"), ("medicare", "Medicare"),
                                            ("medicare-advantage", "Medicare Advantage"), ("medicaid", "Medicaid"),
                                            ("military", "Military / veterans"), ("self-pay", "Self-pay"),
                                            ("other", "Other")],
                                   default="commercial", max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="payer",
            name="active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
        migrations.AddField(
            model_name="payer",
            name="default_copay_primary",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True,
                                      verbose_name="default co-pay, primary care"),
        ),
        migrations.AddField(
            model_name="payer",
            name="default_copay_specialist",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True,
                                      verbose_name="default co-pay, specialist"),
        ),
        migrations.AddConstraint(
            model_name="payer",
            constraint=models.CheckConstraint(condition=models.Q(("default_copay_primary__isnull", True),
                                                                 ("default_copay_primary__gte", 0), _connector="OR"),
                                              name="payer_default_copay_primary_not_negative"),
        ),
        migrations.AddConstraint(
            model_name="payer",
            constraint=models.CheckConstraint(condition=models.Q(("default_copay_specialist__isnull", True),
                                                                 ("default_copay_specialist__gte", 0),
                                                                 _connector="OR"),
                                              name="payer_default_copay_specialist_not_negative"),
        ),
    ]
