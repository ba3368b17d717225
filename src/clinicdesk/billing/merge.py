"""Billing's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

The ledger is append-only (the model refuses save/delete of an existing entry; a database trigger refuses any
UPDATE, the patient column included), so its entries are never re-pointed: every charge, payment and receipt
stays on the chart it was posted to, as posted. The balance moves by a transfer pair per location: an
adjustment on the merged chart that brings its balance at that location to zero, and the opposite adjustment on
the survivor, each naming the other chart's MRN, each audited (`ledger.merge_transfer`). Their idempotency keys
(`merge:<merged>:<location>:out|in`) make a second transfer impossible. The two charts are locked by the merge,
so no posting can land on either between the sum and the transfer. The ledger's trigger adds the transfer pair to
the stored balances (LedgerBalance) like any entry; the merged chart's, now zero, are then dropped (a missing row
is a zero balance).

Superbills (coded visits) follow their visit to the survivor, drafts and posted ones alike; their lines keep the
ledger entries they posted (which stay on the merged chart, as above). One live superbill per visit is a rule per
appointment, so a move cannot break it. Claims built from them follow them too (every status, replaced and
voided ones included; their lines, events and postings hang on the claim): a claim names its superbill's patient.
Like every moved row, they are counted in the merge's audit entry (`patient.merge`, detail `moved`).

A card both charts carried is kept once (the survivor's coverage); before the merged chart's copy is deleted,
`repoint_coverages` (`patients.hooks.coverage_replaced`) moves the claims billed to it onto the kept copy, since a
claim's coverage is protected.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from clinicdesk.audit.services import record
from clinicdesk.core import clock
from clinicdesk.core.permissions import staff_user

from .claim_models import Claim
from .estimate_models import Estimate
from .models import EntryKind, LedgerBalance, LedgerEntry, Superbill

MERGE_HANDLES = ("billing.LedgerEntry.patient", "billing.Superbill.patient", "billing.Claim.patient",
                 "billing.Estimate.patient", "billing.LedgerBalance.patient")


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    balances = (LedgerEntry.objects.filter(patient=merged).values("location_id").order_by("location_id")
                .annotate(total=Sum("amount")))
    transfers = 0
    for row in balances:
        total = (row["total"] or Decimal("0")).quantize(Decimal("0.01"))
        if not total:
            continue
        location_id, now, user = row["location_id"], clock.now(), staff_user(actor)
        out = LedgerEntry.objects.create(
            patient=merged, location_id=location_id, kind=EntryKind.ADJUSTMENT, amount=-total, created_by=user,
            created_at=now, idempotency_key=f"merge:{merged.pk}:{location_id}:out",
            description=_("Balance moved to MRN %(mrn)s: charts merged") % {"mrn": survivor.mrn})
        into = LedgerEntry.objects.create(
            patient=survivor, location_id=location_id, kind=EntryKind.ADJUSTMENT, amount=total, created_by=user,
            created_at=now, idempotency_key=f"merge:{merged.pk}:{location_id}:in",
            description=_("Balance moved from MRN %(mrn)s: charts merged") % {"mrn": merged.mrn})
        detail = {"amount": str(total), "from_patient": merged.pk, "to_patient": survivor.pk,
                  "entries": [out.pk, into.pk]}
        record(actor, "ledger.merge_transfer", out, patient=merged, detail=detail)
        record(actor, "ledger.merge_transfer", into, patient=survivor, detail=detail)
        transfers += 1
    LedgerBalance.objects.filter(patient=merged, cents=0).delete()
    return {"ledger_transfers": transfers,
            "superbills": Superbill.objects.filter(patient=merged).update(patient=survivor),
            "claims": Claim.objects.filter(patient=merged).update(patient=survivor, updated_at=clock.now()),
            "estimates": Estimate.objects.filter(patient=merged).update(patient=survivor)}


COVERAGE_HANDLES = ("billing.Claim.coverage", "billing.Estimate.coverage")


def repoint_coverages(*, replaced: dict[int, int], actor: Any) -> dict[str, int]:
    """`patients.hooks.coverage_replaced`: a merge keeps one copy of a card both charts carried; claims billed to
    the dropped copy now name the kept one (same payer, member id and order), whatever their status."""
    repointed = 0
    for dropped, kept in sorted(replaced.items()):
        repointed += Claim.objects.filter(coverage_id=dropped).update(coverage_id=kept, updated_at=clock.now())
        Estimate.objects.filter(coverage_id=dropped).update(coverage_id=kept)
    return {"claim_coverages": repointed} if repointed else {}
