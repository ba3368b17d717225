"""Outreach campaigns (#24 item 4): cohort filters, freezing and review, waves (opt-out honoured), responses,
the report, wording errors, permissions and audit. The clock is frozen on 2026-11-23 15:00 UTC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.models import ConsentRecord, Message
from clinicdesk.comms.models import Status as MessageStatus
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.outreach import campaign_selectors as selectors
from clinicdesk.outreach import campaign_services as services
from clinicdesk.outreach.models import Campaign, CampaignMember, CampaignStatus, MemberState
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
WORDING = {"email_subject_en": "Time for your screening", "email_body_en": "Dear {{ patient.first_name }}, call "
           "{{ practice.phone }}.", "email_subject_es": "Hora de su chequeo",
           "email_body_es": "Estimado/a {{ patient.first_name }}, llame al {{ practice.phone }}.",
           "sms_body_en": "{{ patient.first_name }}: time for your screening.",
           "sms_body_es": "{{ patient.first_name }}: es hora de su chequeo."}


def consent(patient, channel="email", granted=True):
    ConsentRecord.objects.create(patient=patient, channel=channel, purpose="outreach", granted=granted,
                                 source="desk", at=NOW - dt.timedelta(days=30))


def born(age: int) -> dt.date:
    return dt.date(2026 - age, 6, 1)


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PRACTICE_COORDINATOR, at=location)


@pytest.fixture
def screening(db):
    return AppointmentTypeFactory(code="colorectal", name="Colorectal screening")


@pytest.fixture
def make_campaign(coordinator, location, clock):
    def make(filters=None, **changes):
        values = dict(name="Colorectal screening 2026", purpose="Screening recall", filters=filters or {},
                      cost_email="0.01", cost_sms="0.05") | WORDING | changes
        return services.campaign_create(actor=coordinator, location_id=location.pk, **values)

    return make


def _names(filters, location):
    clean = selectors.filters_clean(filters, default_location=location.pk)
    return sorted(p.given_name for p in selectors.cohort_queryset(clean))


# --- cohort filters ----------------------------------------------------------------------------
def test_cohort_filters_select_the_hand_built_set(location, other_location, clock, screening):
    left = PractitionerFactory(active=False)
    ana = PatientFactory(home_location=location, given_name="Ana", birth_date=born(55), sex="female")
    ben = PatientFactory(home_location=location, given_name="Ben", birth_date=born(60), sex="male",
                         preferred_language="es")
    cai = PatientFactory(home_location=location, given_name="Cai", birth_date=born(8), sex="male")
    PatientFactory(home_location=location, given_name="Dead", birth_date=born(70), deceased_date=dt.date(2026, 1, 1))
    PatientFactory(home_location=location, given_name="Gone", birth_date=born(70), active=False)
    PatientFactory(home_location=other_location, given_name="Far", birth_date=born(55))
    # Ben had his screening last year; Ana had only a follow-up two years ago; Cai saw the provider who left.
    AppointmentFactory(patient=ben, location=location, appointment_type=screening, status=AppointmentStatus.FULFILLED,
                       start=NOW - dt.timedelta(days=300), bookings=False)
    AppointmentFactory(patient=ana, location=location, status=AppointmentStatus.FULFILLED,
                       start=NOW - dt.timedelta(days=730), bookings=False)
    AppointmentFactory(patient=cai, location=location, practitioner=left, status=AppointmentStatus.FULFILLED,
                       start=NOW - dt.timedelta(days=30), bookings=False)

    assert _names({}, location) == ["Ana", "Ben", "Cai"]
    assert _names({"age_min": 50, "age_max": 75}, location) == ["Ana", "Ben"]
    assert _names({"age_min": 50, "age_max": 75, "missing_type": screening.pk, "missing_type_months": 24},
                  location) == ["Ana"]
    assert _names({"ages": "minors"}, location) == ["Cai"]
    # children due for a visit type (a school physical: here the screening type stands in), none in 12 months
    assert _names({"ages": "minors", "missing_type": screening.pk, "missing_type_months": 12}, location) == ["Cai"]
    assert _names({"ages": "adults", "sex": "male"}, location) == ["Ben"]
    assert _names({"language": "es"}, location) == ["Ben"]
    assert _names({"no_visit_months": 18}, location) == ["Ana"]
    assert _names({"never_visited": True}, location) == []
    assert _names({"provider": left.pk}, location) == ["Cai"]
    assert _names({"locations": [location.pk, other_location.pk], "age_min": 50, "age_max": 56},
                  location) == ["Ana", "Far"]


def test_cohort_filters_refuse_bad_values_naming_them(location, db):
    with pytest.raises(ValidationFailed) as refusal:
        selectors.filters_clean({"age_min": 80, "age_max": 20, "sex": "robot"}, default_location=location.pk)
    assert set(refusal.value.fields) == {"age_max", "sex"}
    with pytest.raises(ValidationFailed):
        selectors.filters_clean({"sql": "1=1"}, default_location=location.pk)


def test_cohort_preview_counts_and_shows_a_sample(coordinator, location, clock):
    for n in range(3):
        PatientFactory(home_location=location, given_name=f"P{n}")
    preview = selectors.cohort_preview(actor=coordinator, location_id=location.pk, filters={})
    assert preview.count == 3 and len(preview.sample) == 3
    assert AuditEntry.objects.filter(action="campaign.cohort_preview").exists()


# --- review -------------------------------------------------------------------------------------
def test_freeze_exclude_and_approve(make_campaign, coordinator, location):
    people = [PatientFactory(home_location=location) for _ in range(3)]
    campaign = make_campaign()
    assert services.cohort_freeze(actor=coordinator, campaign_id=campaign.pk) == 3
    member = CampaignMember.objects.get(campaign=campaign, patient=people[0])
    services.member_exclude(actor=coordinator, member_id=member.pk)
    campaign = services.campaign_approve(actor=coordinator, campaign_id=campaign.pk)
    assert campaign.status == CampaignStatus.REVIEWED
    with pytest.raises(InvalidTransition):
        services.member_exclude(actor=coordinator, member_id=member.pk, excluded=False)
    assert AuditEntry.objects.filter(action="campaign.member_exclude", patient_id=people[0].pk).exists()


def test_approve_refuses_an_empty_cohort(make_campaign, coordinator):
    campaign = make_campaign()
    with pytest.raises(Conflict):
        services.campaign_approve(actor=coordinator, campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


# --- waves --------------------------------------------------------------------------------------
def _running(make_campaign, coordinator, **changes):
    campaign = make_campaign(**changes)
    services.cohort_freeze(actor=coordinator, campaign_id=campaign.pk)
    services.campaign_approve(actor=coordinator, campaign_id=campaign.pk)
    return campaign


def test_wave_sends_through_the_allowed_channel_and_honours_opt_out(make_campaign, coordinator, location):
    ana = PatientFactory(home_location=location, given_name="Ana", email="ana@example.org", email_opt_in=True)
    consent(ana)
    rosa = PatientFactory(home_location=location, given_name="Rosa", preferred_language="es", sms_opt_in=True)
    consent(rosa, "sms")
    stop = PatientFactory(home_location=location, given_name="Stop", email="s@example.org", email_opt_in=True)
    consent(stop, granted=False)  # withdrew outreach consent
    none = PatientFactory(home_location=location, given_name="None", email="n@example.org", email_opt_in=False)
    campaign = _running(make_campaign, coordinator)

    result = services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=10)

    assert result == {"wave": 1, "contacted": 2, "not_contactable": 2}
    assert set(Message.objects.values_list("patient_id", flat=True)) == {ana.pk, rosa.pk}
    mail = Message.objects.get(patient=ana)
    assert mail.channel == "email" and mail.body.startswith("Dear Ana,") and mail.status == MessageStatus.QUEUED
    text = Message.objects.get(patient=rosa)
    assert text.channel == "sms" and text.body == "Rosa: es hora de su chequeo." and text.language == "es"
    refused = dict(CampaignMember.objects.filter(state=MemberState.NOT_CONTACTABLE)
                   .values_list("patient_id", "refusal"))
    assert refused[stop.pk] == "revoked" and refused[none.pk]
    assert CampaignMember.objects.get(patient=ana).message_id == mail.pk
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.RUNNING
    entry = AuditEntry.objects.get(action="campaign.wave_send", resource_id=str(campaign.pk))
    # one entry for the wave, naming every patient written to and every patient who could not be
    assert entry.detail["patients"] == sorted([ana.pk, rosa.pk])
    assert entry.detail["patients_not_contactable"] == sorted([stop.pk, none.pk])


def test_waves_take_the_next_members_and_never_send_twice(make_campaign, coordinator, location):
    people = [PatientFactory(home_location=location, email=f"p{n}@example.org", email_opt_in=True)
              for n in range(3)]
    for person in people:
        consent(person)
    campaign = _running(make_campaign, coordinator)
    assert services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=2)["contacted"] == 2
    assert services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=2)["contacted"] == 1
    with pytest.raises(Conflict):
        services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=2)
    assert Message.objects.count() == 3
    assert sorted(CampaignMember.objects.values_list("wave", flat=True)) == [1, 1, 2]


def test_wave_refused_before_review(make_campaign, coordinator, location):
    PatientFactory(home_location=location)
    campaign = make_campaign()
    services.cohort_freeze(actor=coordinator, campaign_id=campaign.pk)
    with pytest.raises(InvalidTransition):
        services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=5)
    assert Message.objects.count() == 0


# --- responses and report -----------------------------------------------------------------------
def test_report_counts_responses_and_cost(make_campaign, coordinator, location, clerk, clock):
    people = [PatientFactory(home_location=location, email=f"r{n}@example.org", email_opt_in=True)
              for n in range(4)]
    for person in people:
        consent(person)
    PatientFactory(home_location=location)  # not contactable
    campaign = _running(make_campaign, coordinator)
    services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=10)
    Message.objects.filter(patient=people[0]).update(status=MessageStatus.DELIVERED)
    Message.objects.filter(patient=people[1]).update(status=MessageStatus.DELIVERED)
    Message.objects.filter(patient=people[2]).update(status=MessageStatus.BOUNCED)
    booked = AppointmentFactory(patient=people[0], location=location, start=NOW + dt.timedelta(days=7),
                                bookings=False)
    Appointment.objects.filter(pk=booked.pk).update(created_at=NOW + dt.timedelta(days=2))
    before = AppointmentFactory(patient=people[3], location=location, start=NOW + dt.timedelta(days=8),
                                bookings=False)  # made before the contact: not a response
    Appointment.objects.filter(pk=before.pk).update(created_at=NOW - dt.timedelta(days=2))
    member = CampaignMember.objects.get(patient=people[1])
    services.member_decline(actor=clerk, member_id=member.pk)

    report = selectors.campaign_report(actor=clerk, campaign_id=campaign.pk)

    assert (report["cohort"], report["contacted"], report["not_contactable"]) == (5, 4, 1)
    assert (report["delivered"], report["booked"], report["declined"], report["unreachable"]) == (2, 1, 1, 1)
    assert report["cost"] == Decimal("0.03")  # two delivered and one bounced e-mail at 0.01
    assert report["reach_rate"] == 80.0 and report["booking_rate"] == 25.0
    assert report["refusals"] == {"opted-out": 1}


def test_decline_refused_for_someone_not_contacted(make_campaign, coordinator, location):
    PatientFactory(home_location=location)
    campaign = _running(make_campaign, coordinator)
    member = CampaignMember.objects.get(campaign=campaign)
    with pytest.raises(Conflict):
        services.member_decline(actor=coordinator, member_id=member.pk)


# --- wording ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "text"), [
    ("email_body_en", "Hello {{ patient.nickname }}"),
    ("email_body_es", "Hola {{ appointment.date }}"),
    ("sms_body_en", "{% if x %}hi{% endif %}"),
])
def test_a_bad_merge_field_is_refused_and_nothing_written(make_campaign, field, text):
    with pytest.raises(ValidationFailed) as refusal:
        make_campaign(**{field: text})
    assert field in refusal.value.fields
    assert Campaign.objects.count() == 0


def test_a_wording_in_one_language_only_is_refused(make_campaign):
    with pytest.raises(ValidationFailed):
        make_campaign(sms_body_es="")


def test_only_a_draft_can_be_changed(make_campaign, coordinator, location):
    PatientFactory(home_location=location)
    campaign = _running(make_campaign, coordinator)
    with pytest.raises(InvalidTransition):
        services.campaign_update(actor=coordinator, campaign_id=campaign.pk, name="Other")
    services.campaign_reopen(actor=coordinator, campaign_id=campaign.pk)
    assert services.campaign_update(actor=coordinator, campaign_id=campaign.pk, name="Other").name == "Other"


# --- permissions -------------------------------------------------------------------------------
def _hidden(call):
    with pytest.raises((NotFound, PermissionDenied)) as refusal:
        call()
    assert refusal.value.status == 404


def test_front_desk_cannot_create_or_send(clerk, location, make_campaign, coordinator, clock):
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=clerk, location_id=location.pk, name="X", **WORDING)
    PatientFactory(home_location=location)
    campaign = _running(make_campaign, coordinator)
    _hidden(lambda: services.wave_send(actor=clerk, campaign_id=campaign.pk, size=1))
    _hidden(lambda: selectors.campaign_members(actor=clerk, campaign_id=campaign.pk))
    assert Message.objects.count() == 0
    assert AuditEntry.objects.filter(action="access.denied", actor=clerk).exists()


def test_another_location_sees_nothing(outsider, make_campaign):
    campaign = make_campaign()
    _hidden(lambda: selectors.campaign_report(actor=outsider, campaign_id=campaign.pk))
    with pytest.raises(PermissionDenied):
        selectors.campaigns_list(actor=outsider, location_id=campaign.location_id)


def test_every_step_is_audited(make_campaign, coordinator, location):
    PatientFactory(home_location=location, email="a@example.org", email_opt_in=True)
    campaign = _running(make_campaign, coordinator)
    services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=5)
    services.campaign_finish(actor=coordinator, campaign_id=campaign.pk)
    actions = set(AuditEntry.objects.filter(resource_id=str(campaign.pk)).values_list("action", flat=True))
    assert {"campaign.create", "campaign.cohort_freeze", "campaign.approve", "campaign.wave_send",
            "campaign.finish"} <= actions


# --- demo ---------------------------------------------------------------------------------------
def test_the_demo_builds_one_finished_campaign_with_responses(coordinator, location, clock):
    from clinicdesk.outreach.demo_campaigns import campaigns_demo

    for n in range(12):
        PatientFactory(home_location=location, birth_date=born(60), email=f"d{n}@example.org", email_opt_in=True)
    contacted = campaigns_demo(location_ids=[location.pk])
    campaign = Campaign.objects.get()
    report = selectors.campaign_report(actor=coordinator, campaign_id=campaign.pk)
    assert campaign.status == CampaignStatus.FINISHED and contacted == report["contacted"] > 0
    assert report["not_contactable"] > 0 and report["delivered"] > 0 and report["unreachable"] == 1
    assert report["declined"] >= 1 and report["cost"] > 0
    assert campaigns_demo(location_ids=[location.pk]) == 0  # once
