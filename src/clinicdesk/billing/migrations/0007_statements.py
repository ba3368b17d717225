# #19 items 8-9: statements, collections holds, credit refunds, disputes; the "online" payment method.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0006_denials'),
        ('patients', '0010_payer_channels_plans'),
        ('practice', '0004_practicesettings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='method',
            field=models.CharField(blank=True, choices=[('cash', 'Cash'), ('check', 'Check'), ('card', 'Card'), ('online', 'Online (patient portal)')], max_length=8),
        ),
        migrations.CreateModel(
            name='StatementSettings',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('cycle_day', models.PositiveSmallIntegerField(default=1, verbose_name='cycle day of the month')),
                ('interval_days', models.PositiveSmallIntegerField(default=30, verbose_name='days between statements')),
                ('dispute_days', models.PositiveSmallIntegerField(default=30, verbose_name='days to answer a dispute')),
                ('plan_reminder_days', models.PositiveSmallIntegerField(default=5, verbose_name='reminder days before an instalment')),
                ('plan_missed_limit', models.PositiveSmallIntegerField(default=2, verbose_name='missed instalments before a plan defaults')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('cycle_day__gte', 1), ('cycle_day__lte', 28)), name='statement_cycle_day_1_28'), models.CheckConstraint(condition=models.Q(('interval_days__gte', 7), ('interval_days__lte', 120)), name='statement_interval_7_120'), models.CheckConstraint(condition=models.Q(('dispute_days__gte', 1), ('dispute_days__lte', 180)), name='statement_dispute_days_1_180'), models.CheckConstraint(condition=models.Q(('plan_missed_limit__gte', 1), ('plan_missed_limit__lte', 6)), name='statement_plan_missed_1_6')],
            },
        ),
        migrations.CreateModel(
            name='CollectionsHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('placed_at', models.DateTimeField()),
                ('released_at', models.DateTimeField(blank=True, null=True)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient')),
                ('placed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('released_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-placed_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('released_at__isnull', True)), fields=('patient',), name='collections_hold_one_active')],
            },
        ),
        migrations.CreateModel(
            name='CreditRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='amount')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('status', models.CharField(choices=[('requested', 'Waiting for approval'), ('posted', 'Approved and posted'), ('declined', 'Declined')], default='requested', max_length=10)),
                ('requested_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('entry_ids', models.JSONField(default=list)),
                ('idempotency_key', models.CharField(blank=True, max_length=80, null=True, unique=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='practice.location')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient')),
                ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='credit_refund_positive'), models.CheckConstraint(condition=models.Q(('status', 'requested'), ('decided_at__isnull', False), _connector='OR'), name='credit_refund_decided_has_time')],
            },
        ),
        migrations.CreateModel(
            name='Dispute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='amount disputed')),
                ('reason', models.TextField(max_length=2000, verbose_name='what the patient says')),
                ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Answered and closed')], default='open', max_length=8)),
                ('opened_at', models.DateTimeField()),
                ('due_on', models.DateField(verbose_name='answer due')),
                ('outcome', models.CharField(blank=True, choices=[('upheld', 'The charge is correct'), ('corrected', 'The charge was corrected'), ('written-off', 'The charge was written off')], max_length=12)),
                ('response', models.TextField(blank=True, max_length=4000, verbose_name='response')),
                ('language', models.CharField(blank=True, max_length=8)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.document')),
                ('entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.ledgerentry')),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='practice.location')),
                ('opened_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient')),
            ],
            options={
                'ordering': ['due_on', 'pk'],
                'indexes': [models.Index(fields=['status', 'due_on'], name='dispute_status_due')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='dispute_amount_positive'), models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('closed_at__isnull', False), models.Q(('outcome', ''), _negated=True), ('document__isnull', False)), _connector='OR'), name='dispute_closed_with_letter')],
            },
        ),
        migrations.CreateModel(
            name='Statement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement_date', models.DateField(verbose_name='statement date')),
                ('since', models.DateTimeField(blank=True, null=True)),
                ('balance', models.DecimalField(decimal_places=2, max_digits=10)),
                ('aged_0_30', models.DecimalField(decimal_places=2, max_digits=10)),
                ('aged_31_60', models.DecimalField(decimal_places=2, max_digits=10)),
                ('aged_61_90', models.DecimalField(decimal_places=2, max_digits=10)),
                ('aged_91_120', models.DecimalField(decimal_places=2, max_digits=10)),
                ('aged_over_120', models.DecimalField(decimal_places=2, max_digits=10)),
                ('language', models.CharField(max_length=8)),
                ('delivery', models.CharField(choices=[('email', 'E-mailed'), ('print', 'To print and mail')], max_length=8)),
                ('message_id', models.IntegerField(blank=True, null=True)),
                ('printed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.document')),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='practice.location')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient')),
            ],
            options={
                'ordering': ['-statement_date', '-pk'],
                'indexes': [models.Index(fields=['patient', 'created_at'], name='statement_patient_at')],
                'constraints': [models.UniqueConstraint(fields=('patient', 'statement_date'), name='statement_once_per_day'), models.CheckConstraint(condition=models.Q(('balance__gt', 0)), name='statement_balance_positive')],
            },
        ),
    ]
