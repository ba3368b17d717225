"""What each patient owes at each location, kept by the database beside the append-only ledger (#19 A/R aging).

`LedgerBalance` is the sum of a patient's ledger entries at one location, in integer cents (a credit is negative).
It is never written by Python: a trigger on the ledger (migration 0009_ledger_balances; PostgreSQL: one upsert
per INSERT statement from its new rows, SQLite: one per row) adds every new entry's amount in the same transaction
as the entry, whoever writes it (the services' `_create`, the merge transfer, COPY, a fixture). Two postings for
one account at once queue on the balance row (the upsert's row lock) until the first commits, and the second then
adds to the committed sum. A multi-row insert upserts its accounts in (patient, location) order, so two of them
lock rows in the same order.

`ledger_balances` (the management command, billing/balance_check.py) compares the table with a sum over the
ledger, and rebuilds it if ever asked to.
"""

from __future__ import annotations

from django.db import models


class LedgerBalance(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.CASCADE, related_name="+")
    cents = models.BigIntegerField(default=0)  # the sum of the ledger's amounts here, times 100

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "location"], name="ledger_balance_account")]

    def __str__(self) -> str:
        return f"{self.patient_id}@{self.location_id}: {self.cents}"
