# #19 item 7: denial write-offs (asked, approved) and appeal letters.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0005_claims'),
        ('patients', '0010_payer_channels_plans'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AppealLetter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=8)),
                ('reason_code', models.CharField(blank=True, max_length=12)),
                ('created_at', models.DateTimeField()),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appeal_letters', to='billing.claim')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.document')),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DenialWriteOff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=10)),
                ('reason_code', models.CharField(blank=True, max_length=12)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('status', models.CharField(choices=[('requested', 'Waiting for approval'), ('approved', 'Approved and posted'), ('refused', 'Refused')], default='requested', max_length=10)),
                ('requested_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.CharField(blank=True, max_length=300)),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='denial_write_offs', to='billing.claim')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='denial_write_off', to='billing.ledgerentry')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['requested', 'approved'])), fields=('claim',), name='denial_write_off_one_live_per_claim'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='denial_write_off_amount_positive'), models.CheckConstraint(condition=models.Q(('status__in', ['requested', 'approved', 'refused'])), name='denial_write_off_status_known'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), ('entry__isnull', False), _connector='OR'), name='denial_write_off_approved_is_posted')],
            },
        ),
    ]
