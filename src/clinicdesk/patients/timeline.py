"""The chart's timeline: the patient's appointments, calls, messages, payments and documents, newest first.

One bounded query per source (the newest `PER_SOURCE` rows of each), merged in memory and cut to `LIMIT`: a
chart with ten years of history costs the same as a new one. Each source is read here from its owner's model
(read-only, as ADR 0004 allows): the owners' public selectors (`comms.selectors.outbox_for_patient`,
`billing.selectors.patient_account`) return every row with its history and audit their own read, which is
right for their screens and wrong for a bounded summary. Payments appear only for those who may read the
ledger (billing, the desk), as on the ledger's own screen. The caller (`patient_chart_full`) has checked the
chart and audited its read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.core.permissions import Actor, Perm, has_perm

from .models import Document, Patient

PER_SOURCE = 15
LIMIT = 40


@dataclass
class TimelineEntry:
    when: dt.datetime
    kind: str  # appointment, call, message, payment, document: a CSS hook, never shown
    kind_label: str
    title: str
    detail: str = ""
    url: str = ""
    status: str = ""  # an appointment's status code, for the status pill
    status_label: str = ""
    amount: Any = None


def _midday(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def patient_timeline(actor: Actor, patient: Patient) -> list[TimelineEntry]:
    """At most LIMIT entries, newest first, in at most five queries."""
    from clinicdesk.billing.models import EntryKind, LedgerEntry
    from clinicdesk.comms.models import Message
    from clinicdesk.frontdesk.models import CallLog
    from clinicdesk.scheduling.models import Appointment

    entries: list[TimelineEntry] = []
    for a in (Appointment.objects.filter(patient=patient).select_related("appointment_type", "practitioner")
              .order_by("-start", "-pk")[:PER_SOURCE]):
        entries.append(TimelineEntry(a.start, "appointment", _("Appointment"), a.appointment_type.local_name,
                                     str(a.practitioner), status=a.status,
                                     status_label=str(a.get_status_display())))
    for call in CallLog.objects.filter(patient=patient).order_by("-created_at", "-pk")[:PER_SOURCE]:
        entries.append(TimelineEntry(call.created_at, "call", str(call.get_kind_display()),
                                     str(call.get_reason_display()), str(call.get_disposition_display())))
    for message in (Message.objects.filter(patient=patient).only("kind", "channel", "status", "send_after")
                    .order_by("-send_after", "-pk")[:PER_SOURCE]):
        entries.append(TimelineEntry(message.send_after, "message", _("Message"), str(message.get_kind_display()),
                                     f"{message.get_channel_display()} · {message.get_status_display()}"))
    home = patient.home_location_id
    if has_perm(actor, Perm.BILLING_READ, location=home) or has_perm(actor, Perm.FRONTDESK, location=home):
        for entry in (LedgerEntry.objects.filter(patient=patient, kind=EntryKind.PAYMENT)
                      .only("amount", "method", "created_at", "kind").order_by("-created_at", "-pk")[:PER_SOURCE]):
            entries.append(TimelineEntry(entry.created_at, "payment", _("Payment"), str(entry.get_method_display()),
                                         amount=-entry.amount))
    for document in Document.objects.filter(patient=patient).order_by("-document_date", "-pk")[:PER_SOURCE]:
        entries.append(TimelineEntry(_midday(document.document_date), "document", _("Document"),
                                     str(document.get_kind_display()), document.description,
                                     url=reverse("patients:document", args=[document.pk])))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:LIMIT]
