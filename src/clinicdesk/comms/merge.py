"""Patient communications' part of a patient merge (`patients.hooks.patient_merged`), inside the merge
transaction.

Messages (sent and queued), waitlist offer invites and recalls of the merged chart move to the survivor. A
recall of the merged chart for an appointment type the survivor is already due back for would remind the
person twice: it moves, closed.
"""

from __future__ import annotations

from typing import Any

from .models import Message, OfferInvite, Recall

MERGE_HANDLES = (
    "comms.Message.patient",
    "comms.OfferInvite.patient",
    "comms.Recall.patient",
)

OPEN_RECALL = (Recall.State.DUE, Recall.State.NOTIFIED)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    survivor_due = set(Recall.objects.filter(patient=survivor, state__in=OPEN_RECALL)
                       .values_list("appointment_type_id", flat=True))
    Recall.objects.filter(patient=merged, state__in=OPEN_RECALL, appointment_type_id__in=survivor_due) \
        .update(state=Recall.State.CLOSED)
    return {
        "messages": Message.objects.filter(patient=merged).update(patient=survivor),
        "offer_invites": OfferInvite.objects.filter(patient=merged).update(patient=survivor),
        "recalls": Recall.objects.filter(patient=merged).update(patient=survivor),
    }
