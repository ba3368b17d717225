from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_must_change",
            field=models.BooleanField(default=False, verbose_name="must change password at next sign-in"),
        ),
        migrations.AddField(
            model_name="user",
            name="two_factor_required",
            field=models.BooleanField(default=False, verbose_name="two-factor sign-in required"),
        ),
    ]
