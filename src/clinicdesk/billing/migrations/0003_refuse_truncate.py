"""On PostgreSQL the database refuses TRUNCATE of the ledger, as it does for the audit trail (audit 0003).

Row triggers (0002) do not see a TRUNCATE. The statement trigger lets a superuser through (the test runner
flushes tables as one); the app must connect as neither a superuser nor the table's owner.
"""

from django.db import migrations

from clinicdesk.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_append_only_trigger")]
    operations = [append_only_triggers(
        name="ledger", message="the ledger is append-only (% refused): post a reversing entry",
        tables={"billing_ledgerentry": "ledger_entry"}, rows=False, truncate=True)]
