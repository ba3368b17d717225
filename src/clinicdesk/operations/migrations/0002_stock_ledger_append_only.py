"""On PostgreSQL the database refuses UPDATE, DELETE and TRUNCATE of the stock ledger, as for the billing ledger."""

from django.db import migrations

from clinicdesk.core.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]
    operations = [append_only_triggers(
        name="stock_ledger", message="the stock ledger is append-only (% refused): record a correcting movement",
        tables={"operations_stockmovement": "stock_movement"})]
