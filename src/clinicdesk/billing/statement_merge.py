"""Statements, holds, credit refunds and disputes in a patient merge (`patients.hooks.patient_merged`, registered
in apps.py), inside the merge transaction: they follow the chart to the survivor (the ledger stays as posted, see
merge.py; the balance moves by its transfer pair). Two rules per patient are kept on the way: one active
collections hold (the merged chart's is released when the survivor has one) and one statement per day (a merged
statement dated like one of the survivor's stays on the merged chart, as history)."""

from __future__ import annotations

from typing import Any

from clinicdesk.core import clock
from clinicdesk.core.permissions import staff_user

from .models import CollectionsHold, CreditRefund, Dispute, Statement

MERGE_HANDLES = ("billing.Statement.patient", "billing.CollectionsHold.patient", "billing.CreditRefund.patient",
                 "billing.Dispute.patient")


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    if CollectionsHold.objects.filter(patient=survivor, released_at__isnull=True).exists():
        CollectionsHold.objects.filter(patient=merged, released_at__isnull=True).update(
            released_at=clock.now(), released_by=staff_user(actor))
    taken = Statement.objects.filter(patient=survivor).values("statement_date")
    return {"statements": Statement.objects.filter(patient=merged).exclude(statement_date__in=taken)
            .update(patient=survivor),
            "collections_holds": CollectionsHold.objects.filter(patient=merged).update(patient=survivor),
            "credit_refunds": CreditRefund.objects.filter(patient=merged).update(patient=survivor),
            "disputes": Dispute.objects.filter(patient=merged).update(patient=survivor)}
