"""The demo's correspondence (#24): sent letters on charts and an incoming-mail queue at each location."""

import pytest

from clinicdesk.comms.demo import correspondence_demo
from clinicdesk.comms.models import Correspondence, IncomingItem
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_demo_writes_letters_and_fills_the_incoming_queue(location, make_user):
    make_user(Role.PATIENT_COORDINATOR)
    for n in range(4):
        PatientFactory(home_location=location, given_name=f"Demo{n}", address_line=f"{n} Elm St", city="Springfield",
                       state="MA", postal_code="01103")
    assert correspondence_demo(location_ids=[location.pk]) == 5  # no booked visit: no appointment letter
    assert Correspondence.objects.filter(outcome="letter").count() == 1
    queue = IncomingItem.objects.filter(location=location)
    assert queue.count() == 4 and queue.filter(state="new").count() == 1
    assert queue.exclude(patient=None).count() == 2


def test_the_demo_records_consents_and_its_campaign_contacts_only_those_who_granted_outreach(
        location, make_user, clock):
    import datetime as dt

    from clinicdesk.audit.models import AuditEntry
    from clinicdesk.comms.consent import contact_refusal
    from clinicdesk.comms.models import ConsentRecord
    from clinicdesk.outreach.demo_campaigns import campaigns_demo
    from clinicdesk.outreach.models import CampaignMember

    for role in (Role.PATIENT_COORDINATOR, Role.FRONT_DESK, Role.PRACTICE_COORDINATOR):
        make_user(role)
    for n in range(20):
        PatientFactory(home_location=location, birth_date=dt.date(1965, 1, 1) + dt.timedelta(days=n),
                       email=f"c{n}@example.org", email_opt_in=True, sms_opt_in=True, phone=f"(413) 555-01{n:02d}")
    correspondence_demo(location_ids=[location.pk])
    outreach = ConsentRecord.objects.filter(purpose="outreach", patient__isnull=False)
    assert outreach.filter(granted=True).count() == 10 and outreach.filter(granted=False, source="desk").count() == 2
    assert ConsentRecord.objects.filter(source="sms-keyword", granted=False, note="STOP").exists()  # two STOPs
    assert AuditEntry.objects.filter(action="consent.record").count() == 12  # through the consent services
    refused = set(outreach.filter(granted=False, source="desk").values_list("patient_id", flat=True))

    assert campaigns_demo(location_ids=[location.pk]) > 0
    members = CampaignMember.objects.filter(excluded=False).select_related("patient")
    for member in members.filter(state="contacted"):  # everyone written to had granted outreach on that channel
        assert contact_refusal(member.patient, member.channel, purpose="outreach") == ""
        assert member.patient_id not in refused
    assert {m.refusal for m in members.filter(patient__in=refused)} == {"revoked"}  # refused: nothing sent
