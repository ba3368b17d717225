"""The outreach app's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

Event registrations of the merged chart move to the survivor. Where both charts are registered for the same
event (the same person registered twice), the merged chart's registration is cancelled (its place, if it had one,
freed for the waitlist's next) and moved, so that the survivor holds one live registration per event.

Campaign memberships of the merged chart move to the survivor. A campaign holds a patient once (unique campaign
and patient), so where both charts are members of the same campaign the survivor's membership stays and the
merged chart's is deleted, after handing over what the person already went through so that nobody is contacted
twice or loses a choice: if the survivor's membership is still waiting and the merged chart's was handled (its
wave, state, channel, refusal, message and contact time), the survivor's takes them over; a decline recorded on
the merged chart's membership carries over when the survivor's has none; and an exclusion on either keeps the
person excluded. The count of memberships dropped goes into the merge's audit entry."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from .models import CampaignMember, Event, MemberState, Registration, RegistrationStatus

MERGE_HANDLES = ("outreach.Registration.patient", "outreach.CampaignMember.patient")


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    live = Registration.objects.exclude(status=RegistrationStatus.CANCELLED)
    survivor_events = live.filter(patient=survivor).values("event_id")
    twins = list(live.filter(patient=merged, event_id__in=survivor_events).select_for_update())
    for twin in twins:
        if twin.status == RegistrationStatus.CONFIRMED:
            Event.objects.filter(pk=twin.event_id, taken__gt=0).update(taken=F("taken") - 1)
        Registration.objects.filter(pk=twin.pk).update(status=RegistrationStatus.CANCELLED)
    return {"event_registrations": Registration.objects.filter(patient=merged).update(patient=survivor),
            **_move_campaign_members(survivor=survivor, merged=merged)}


HANDLED_FIELDS = ("state", "wave", "channel", "refusal", "message", "contacted_at")


def _move_campaign_members(*, survivor: Any, merged: Any) -> dict[str, int]:
    kept = {m.campaign_id: m for m in CampaignMember.objects.filter(patient=survivor).select_for_update()}
    dropped = 0
    for twin in CampaignMember.objects.filter(patient=merged, campaign_id__in=list(kept)).select_for_update():
        member = kept[twin.campaign_id]
        changed: list[str] = []
        if member.state == MemberState.WAITING and twin.state != MemberState.WAITING:
            for name in HANDLED_FIELDS:
                setattr(member, name, getattr(twin, name))
            changed += HANDLED_FIELDS
        if member.declined_at is None and twin.declined_at is not None:
            member.declined_at, member.declined_by_id = twin.declined_at, twin.declined_by_id
            changed += ["declined_at", "declined_by"]
        if twin.excluded and not member.excluded:
            member.excluded = True
            changed.append("excluded")
        twin.delete()
        if changed:
            member.save(update_fields=changed)
        dropped += 1
    return {"campaign_members_dropped": dropped,
            "campaign_members": CampaignMember.objects.filter(patient=merged).update(patient=survivor)}
