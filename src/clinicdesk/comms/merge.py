"""Patient communications' part of a patient merge (`patients.hooks.patient_merged`), inside the merge
transaction.

Messages (sent and queued), waitlist offer invites and recalls of the merged chart move to the survivor. A
recall of the merged chart for an appointment type the survivor is already due back for would remind the
person twice: it moves, closed.

Correspondence (letters and messages written to the chart) and incoming mail linked to it move to the survivor.
A compose batch is written once per patient; if one batch reached both charts, the merged chart's copy keeps a
batch name of its own (the batch name marked with the merge) so that both letters stay on the survivor.

Consent to be contacted is an append-only history whose latest record decides (comms.consent_records). "Append-
only" there is the services' rule (a record is never edited; no database trigger forbids an update), and a merge
is not an edit of what was consented: the merged chart's records move to the survivor unchanged (channel,
purpose, granted, source, time). They are the same person's statements, so the survivor's history then holds
both charts' records and the latest of them, whichever chart it was given on, decides; a refusal given on the
merged chart is not lost behind a chart nobody writes to any more.
"""

from __future__ import annotations

from typing import Any

from .models import ConsentRecord, Correspondence, IncomingItem, Message, OfferInvite, Recall

MERGE_HANDLES = (
    "comms.Message.patient",
    "comms.OfferInvite.patient",
    "comms.Recall.patient",
    "comms.Correspondence.patient",
    "comms.IncomingItem.patient",
    "comms.ConsentRecord.patient",
)

OPEN_RECALL = (Recall.State.DUE, Recall.State.NOTIFIED)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    survivor_due = set(Recall.objects.filter(patient=survivor, state__in=OPEN_RECALL)
                       .values_list("appointment_type_id", flat=True))
    Recall.objects.filter(patient=merged, state__in=OPEN_RECALL, appointment_type_id__in=survivor_due) \
        .update(state=Recall.State.CLOSED)
    survivor_batches = Correspondence.objects.filter(patient=survivor).values("batch")
    for row in Correspondence.objects.filter(patient=merged, batch__in=survivor_batches).only("pk", "batch"):
        suffix = f"~merged-{merged.pk}"
        Correspondence.objects.filter(pk=row.pk).update(batch=row.batch[: 64 - len(suffix)] + suffix)
    return {
        "messages": Message.objects.filter(patient=merged).update(patient=survivor),
        "offer_invites": OfferInvite.objects.filter(patient=merged).update(patient=survivor),
        "recalls": Recall.objects.filter(patient=merged).update(patient=survivor),
        "correspondence": Correspondence.objects.filter(patient=merged).update(patient=survivor),
        "incoming_items": IncomingItem.objects.filter(patient=merged).update(patient=survivor),
        "consent_records": ConsentRecord.objects.filter(patient=merged).update(patient=survivor),
    }
