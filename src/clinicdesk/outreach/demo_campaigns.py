"""The demo practice's outreach campaign (#24 item 4): `workshops_demo` calls `campaigns_demo` once patients exist.

At the first location the practice coordinator ran a colorectal screening recall three weeks ago: patients aged 50
to 75, reviewed (one left out), contacted in one wave through the outbox, then finished. Some patients agreed to
outreach messages (a consent recorded at the desk), the others were not contactable and got nothing. The
responses are there: most messages delivered, one bounced, a few declined, and the bookings made since count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from clinicdesk.accounts.models import User
from clinicdesk.comms import services as comms
from clinicdesk.comms.models import ConsentRecord, Message
from clinicdesk.comms.models import Status as MessageStatus
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role

from .campaign_services import (
    campaign_approve,
    campaign_create,
    campaign_finish,
    cohort_freeze,
    member_decline,
    member_exclude,
    wave_send,
)
from .models import Campaign, CampaignMember, MemberState

AGO = dt.timedelta(days=21)
WORDING = {
    "email_subject_en": "Time for your colorectal cancer screening",
    "email_body_en": "Dear {{ patient.first_name }},\n\nOur records show you are due for colorectal cancer "
                     "screening. It is quick, and it saves lives. Call us at {{ practice.phone }} or book online."
                     "\n\n{{ practice.name }}",
    "email_subject_es": "Es hora de su prueba de detección de cáncer colorrectal",
    "email_body_es": "Estimado/a {{ patient.first_name }}:\n\nSegún nuestros registros, le corresponde la prueba de "
                     "detección de cáncer colorrectal. Es rápida y salva vidas. Llámenos al {{ practice.phone }} o "
                     "reserve en línea.\n\n{{ practice.name }}",
    "sms_body_en": "{{ practice.name }}: {{ patient.first_name }}, you are due for colorectal screening. Call "
                   "{{ practice.phone }} to book.",
    "sms_body_es": "{{ practice.name }}: {{ patient.first_name }}, le corresponde la prueba colorrectal. Llame al "
                   "{{ practice.phone }} para reservar.",
}


def campaigns_demo(*, location_ids: Sequence[int]) -> int:
    """One finished campaign with responses at the first location; returns how many members it contacted."""
    if not location_ids or Campaign.objects.exists():
        return 0
    coordinator = User.objects.filter(role=Role.PRACTICE_COORDINATOR, is_active=True).order_by("pk").first()
    if coordinator is None:
        return 0
    campaign = campaign_create(actor=coordinator, location_id=location_ids[0], name="Colorectal screening 2026",
                               purpose="Patients aged 50 to 75: invite them to book their colorectal cancer "
                                       "screening.", filters={"age_min": 50, "age_max": 75}, cost_email="0.002",
                               cost_sms="0.0079", window_days=60, **WORDING)
    cohort_freeze(actor=coordinator, campaign_id=campaign.pk)
    members = list(CampaignMember.objects.filter(campaign=campaign).select_related("patient").order_by("pk")[:60])
    if len(members) < 2:
        return 0
    member_exclude(actor=coordinator, member_id=members[0].pk)  # the coordinator left one patient out
    now = clock.now()
    # Members whose outreach consent the desk has not asked yet (comms' demo recorded some: granted, refused, a
    # STOP): two in three agree now, recorded through the consent services like the desk's own.
    asked = set(ConsentRecord.objects.filter(purpose="outreach", patient__in=[m.patient_id for m in members])
                .values_list("patient_id", flat=True))
    for n, member in enumerate(members[1:]):
        patient = member.patient
        channel = "email" if patient.email_opt_in and patient.email else "sms" if patient.sms_opt_in else ""
        if channel and n % 3 and patient.pk not in asked:
            entry = comms.consent_record(actor=coordinator, patient_id=patient.pk, channel=channel,
                                         purpose="outreach", granted=True, source="desk")
            ConsentRecord.objects.filter(pk=entry.pk).update(at=now - AGO - dt.timedelta(days=30))  # before it ran
    campaign_approve(actor=coordinator, campaign_id=campaign.pk)
    result = wave_send(actor=coordinator, campaign_id=campaign.pk, size=len(members) - 1)
    contacted = list(CampaignMember.objects.filter(campaign=campaign, state=MemberState.CONTACTED).order_by("pk"))
    for member in contacted[3::7]:
        member_decline(actor=coordinator, member_id=member.pk)
    # Three weeks on: the outbox sent them (one bounced), and the campaign is over.
    CampaignMember.objects.filter(campaign=campaign).exclude(contacted_at=None).update(contacted_at=now - AGO)
    messages = Message.objects.filter(pk__in=[m.message_id for m in contacted if m.message_id])
    messages.update(status=MessageStatus.DELIVERED, sent_at=now - AGO, delivered_at=now - AGO,
                    send_after=now - AGO)
    if contacted and contacted[-1].message_id:
        Message.objects.filter(pk=contacted[-1].message_id).update(status=MessageStatus.BOUNCED,
                                                                   last_error="mailbox unavailable")
    campaign_finish(actor=coordinator, campaign_id=campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=now - AGO - dt.timedelta(days=2),
                                                   reviewed_at=now - AGO, started_at=now - AGO)
    return int(result["contacted"])
