"""Each account's balance (patient, location), kept by a trigger on the ledger (#19: A/R aging over a million
entries in under 2 s reads balances, not history; billing/balance_models.py).

The table is created, the trigger added and the table filled from the ledger in one transaction: on PostgreSQL
the trigger's creation locks the ledger against inserts until the fill commits, so no entry is counted twice or
missed. A partial index on the reversals by day lets the aging subtract what they reversed."""

import django.db.models.deletion
from django.db import migrations, models

PG_CREATE = """
CREATE FUNCTION billing_ledger_balance_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO billing_ledgerbalance (patient_id, location_id, cents)
    SELECT patient_id, location_id, SUM(CAST(amount * 100 AS bigint)) FROM ledger_new
    GROUP BY patient_id, location_id ORDER BY patient_id, location_id
    ON CONFLICT (patient_id, location_id) DO UPDATE SET cents = billing_ledgerbalance.cents + EXCLUDED.cents;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_balance_add AFTER INSERT ON billing_ledgerentry
    REFERENCING NEW TABLE AS ledger_new FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_balance_add();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS ledger_balance_add ON billing_ledgerentry;
DROP FUNCTION IF EXISTS billing_ledger_balance_add();
"""
SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS ledger_balance_add AFTER INSERT ON billing_ledgerentry
BEGIN
    INSERT INTO billing_ledgerbalance (patient_id, location_id, cents)
    VALUES (NEW.patient_id, NEW.location_id, CAST(ROUND(NEW.amount * 100) AS INTEGER))
    ON CONFLICT (patient_id, location_id) DO UPDATE SET cents = cents + excluded.cents;
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS ledger_balance_add;"
FILL = {  # the same cents as the trigger's, summed per account
    "postgresql": """INSERT INTO billing_ledgerbalance (patient_id, location_id, cents)
        SELECT patient_id, location_id, SUM(CAST(amount * 100 AS bigint)) FROM billing_ledgerentry
        GROUP BY patient_id, location_id""",
    "sqlite": """INSERT INTO billing_ledgerbalance (patient_id, location_id, cents)
        SELECT patient_id, location_id, SUM(CAST(ROUND(amount * 100) AS INTEGER)) FROM billing_ledgerentry
        GROUP BY patient_id, location_id""",
}


def _apply(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE, params=None)
    if vendor in FILL:
        schema_editor.execute(FILL[vendor], params=None)


def _revert(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP, params=None)
    schema_editor.execute("DELETE FROM billing_ledgerbalance", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0008_estimates'),
        ('patients', '0010_payer_channels_plans'),
        ('practice', '0004_practicesettings'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerBalance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cents', models.BigIntegerField(default=0)),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                               to='practice.location')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                              to='patients.patient')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('patient', 'location'), name='ledger_balance_account')],
            },
        ),
        migrations.RunPython(_apply, _revert),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(condition=models.Q(('kind', 'reversal')), fields=['created_at'],
                               name='ledger_reversal_day'),
        ),
    ]
