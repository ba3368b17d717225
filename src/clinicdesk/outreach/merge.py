"""The outreach app's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

Event registrations of the merged chart move to the survivor. Where both charts are registered for the same
event (the same person registered twice), the merged chart's registration is cancelled (its place, if it had one,
freed for the waitlist's next) and moved, so that the survivor holds one live registration per event."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from .models import Event, Registration, RegistrationStatus

MERGE_HANDLES = ("outreach.Registration.patient",)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    live = Registration.objects.exclude(status=RegistrationStatus.CANCELLED)
    survivor_events = live.filter(patient=survivor).values("event_id")
    twins = list(live.filter(patient=merged, event_id__in=survivor_events).select_for_update())
    for twin in twins:
        if twin.status == RegistrationStatus.CONFIRMED:
            Event.objects.filter(pk=twin.event_id, taken__gt=0).update(taken=F("taken") - 1)
        Registration.objects.filter(pk=twin.pk).update(status=RegistrationStatus.CANCELLED)
    return {"event_registrations": Registration.objects.filter(patient=merged).update(patient=survivor)}
