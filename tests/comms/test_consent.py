"""Consent to be contacted (#24 item 5): one decision per purpose and channel, TCPA-style records, STOP and START
shared with reminders, e-mail unsubscribe, addresses of people who are not patients."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.consent import address_refusal, contact_refusal
from clinicdesk.comms.consent_records import consent_address_record, consent_record
from clinicdesk.comms.delivery import messages_send_due
from clinicdesk.comms.models import Channel, ConsentRecord, Kind, Message, ReminderRule, Status
from clinicdesk.comms.outreach_sending import outreach_contact_send, outreach_message_queue
from clinicdesk.comms.services import email_unsubscribe, sms_reply_receive, unsubscribe_token
from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Patient, PatientChange
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import PatientFactory, UserFactory

from .conftest import NEW_YORK, at


def _grant(clerk, patient, channel, purpose, granted=True, source="desk", note=""):
    return consent_record(actor=clerk, patient_id=patient.pk, channel=channel, purpose=purpose, granted=granted,
                          source=source, note=note)


def _fresh(patient):
    return Patient.objects.get(pk=patient.pk)


def test_appointment_and_billing_messages_follow_the_charts_opt_in(reachable_patient):
    for purpose in ("appointment", "billing"):
        assert contact_refusal(reachable_patient, "sms", purpose=purpose) == ""
        assert contact_refusal(reachable_patient, "email", purpose=purpose) == ""
    reachable_patient.sms_opt_in = False
    assert contact_refusal(reachable_patient, "sms", purpose="appointment") == "opted-out"
    assert contact_refusal(reachable_patient, "voicemail", purpose="appointment") == "opted-out"


def test_a_withdrawal_refuses_that_purpose_on_that_channel_only(clerk, reachable_patient):
    _grant(clerk, reachable_patient, "sms", "billing", granted=False, note="asked for no billing texts")
    assert contact_refusal(reachable_patient, "sms", purpose="billing") == "revoked"
    assert contact_refusal(reachable_patient, "sms", purpose="appointment") == ""
    assert contact_refusal(reachable_patient, "email", purpose="billing") == ""


def test_outreach_needs_an_explicit_grant_for_each_channel_and_a_later_withdrawal_ends_it(clerk, reachable_patient,
                                                                                          clock):
    assert contact_refusal(reachable_patient, "sms", purpose="outreach") == "no-consent"
    _grant(clerk, reachable_patient, "sms", "outreach", source="written", note="form signed 11/23")
    assert contact_refusal(reachable_patient, "sms", purpose="outreach") == ""
    assert contact_refusal(reachable_patient, "email", purpose="outreach") == "no-consent"
    clock.advance(dt.timedelta(minutes=5))
    _grant(clerk, reachable_patient, "sms", "outreach", granted=False)
    assert contact_refusal(reachable_patient, "sms", purpose="outreach") == "revoked"


def test_the_dead_and_inactive_charts_are_never_contacted_whatever_was_recorded(clerk, reachable_patient):
    _grant(clerk, reachable_patient, "email", "outreach")
    reachable_patient.deceased_date = dt.date(2026, 11, 1)
    assert contact_refusal(reachable_patient, "email", purpose="outreach") == "deceased"
    assert contact_refusal(reachable_patient, "email", purpose="requested") == "deceased"


def test_letters_need_a_postal_address_and_outreach_letters_a_grant(clerk, location):
    patient = PatientFactory(home_location=location, address_line="12 Elm St", city="Springfield",
                             postal_code="01103")
    assert contact_refusal(patient, "letter", purpose="billing") == ""
    assert contact_refusal(patient, "letter", purpose="outreach") == "no-consent"
    _grant(clerk, patient, "letter", "outreach", source="written")
    assert contact_refusal(patient, "letter", purpose="outreach") == ""
    patient.address_line = ""
    assert contact_refusal(patient, "letter", purpose="outreach") == "no-address"


def test_granting_on_a_channel_the_chart_has_not_agreed_to_turns_its_opt_in_on(clerk, location):
    patient = PatientFactory(home_location=location, phone="(413) 555-0188", sms_opt_in=False)
    _grant(clerk, patient, "sms", "appointment", source="written")
    assert _fresh(patient).sms_opt_in is True and _fresh(patient).sms_opt_in_source == "paper"
    assert PatientChange.objects.filter(patient=patient, field="sms_opt_in").exists()
    assert contact_refusal(_fresh(patient), "sms", purpose="appointment") == ""


def test_bad_input_is_refused_with_the_field_named_and_nothing_is_written(clerk, reachable_patient, location):
    with pytest.raises(ValidationFailed) as refusal:
        _grant(clerk, reachable_patient, "pigeon", "marketing")
    assert set(refusal.value.fields) == {"channel", "purpose"}
    no_phone = PatientFactory(home_location=location, phone="", sms_opt_in=False)
    with pytest.raises(ValidationFailed):
        _grant(clerk, no_phone, "sms", "appointment")
    assert not ConsentRecord.objects.exists() and _fresh(no_phone).sms_opt_in is False


def test_someone_at_another_location_cannot_record_consent(outsider, reachable_patient):
    with pytest.raises(DomainError):
        _grant(outsider, reachable_patient, "email", "outreach")
    assert not ConsentRecord.objects.exists()


def test_recording_consent_is_audited_on_the_patient(clerk, reachable_patient):
    entry = _grant(clerk, reachable_patient, "email", "outreach", note="asked at check-in")
    audit = AuditEntry.objects.get(action="consent.record")
    assert audit.patient_id == reachable_patient.pk and audit.resource_id == str(entry.pk)
    assert entry.recorded_by == clerk and entry.source == "desk" and entry.note == "asked at check-in"


# --- STOP, START, unsubscribe ------------------------------------------------------------------
@pytest.fixture
def family(location, clerk, clock):
    """A mother and her son on the same mobile number, both agreed to texts and to outreach by text."""
    mother = PatientFactory(home_location=location, phone="(413) 555-0150", sms_opt_in=True, given_name="Marta")
    son = PatientFactory(home_location=location, phone="413-555-0150", sms_opt_in=True, given_name="Hugo",
                         email="hugo@example.org", email_opt_in=True)
    for patient in (mother, son):
        _grant(clerk, patient, "sms", "outreach")
    return mother, son


def test_stop_revokes_every_text_purpose_for_every_patient_with_the_number(family, clock):
    clock.advance(dt.timedelta(minutes=1))
    assert sms_reply_receive(from_number="+14135550150", body="stop") == "opted-out"
    for patient in family:
        for purpose in ("appointment", "billing", "outreach"):
            assert contact_refusal(_fresh(patient), "sms", purpose=purpose) != ""
    assert contact_refusal(_fresh(family[1]), "email", purpose="appointment") == ""  # e-mail untouched
    keyword = ConsentRecord.objects.filter(source="sms-keyword", granted=False)
    assert keyword.count() == 9  # three purposes for each chart and for the number itself
    assert keyword.filter(patient__isnull=True, address="4135550150").count() == 3


def test_start_grants_appointment_texts_again_but_not_billing_or_outreach(family, clock):
    sms_reply_receive(from_number="+14135550150", body="STOP")
    clock.advance(dt.timedelta(minutes=1))
    assert sms_reply_receive(from_number="+14135550150", body=" Start ") == "opted-in"
    for patient in family:
        patient = _fresh(patient)
        assert patient.sms_opt_in is True
        assert contact_refusal(patient, "sms", purpose="appointment") == ""
        assert contact_refusal(patient, "sms", purpose="billing") == "revoked"
        assert contact_refusal(patient, "sms", purpose="outreach") == "revoked"
    assert sms_reply_receive(from_number="+14135550150", body="ALTA") == "opted-in"


def test_a_stop_holds_for_a_chart_given_that_number_later(family, location, clock):
    sms_reply_receive(from_number="+14135550150", body="STOP")
    newcomer = PatientFactory(home_location=location, phone="(413) 555-0150", sms_opt_in=True)
    assert contact_refusal(newcomer, "sms", purpose="appointment") == "revoked"


def test_stop_withdraws_queued_reminders_and_plans_no_more(location, provider, follow_up, reachable_patient, clock,
                                                           sms_gateway, django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.SMS, minutes_before=24 * 60)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)

    def book(day):
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(actor=clerk, request=BookingRequest(
                patient_id=reachable_patient.pk, practitioner_id=provider.pk, location_id=location.pk,
                appointment_type_id=follow_up.pk, start=at(day, 9)))

    book(dt.date(2026, 11, 27))
    [reminder] = Message.objects.filter(channel="sms")
    sms_reply_receive(from_number="+1 (413) 555-0142", body="STOP")
    clock.advance(reminder.send_after - clock.now())
    assert messages_send_due() == 1  # claimed, and suppressed at the last moment
    assert sms_gateway.sent == []
    assert Message.objects.get(pk=reminder.pk).status == Status.SUPPRESSED
    book(dt.date(2026, 12, 3))
    assert Message.objects.filter(channel="sms").count() == 1  # nothing new planned by text


def test_email_unsubscribe_withdraws_the_purpose_it_names_on_email(clerk, reachable_patient, clock):
    _grant(clerk, reachable_patient, "email", "outreach")
    clock.advance(dt.timedelta(minutes=1))
    email_unsubscribe(token=unsubscribe_token(patient_id=reachable_patient.pk, purpose="outreach"))
    patient = _fresh(reachable_patient)
    assert contact_refusal(patient, "email", purpose="outreach") == "revoked"
    assert contact_refusal(patient, "email", purpose="appointment") == ""
    assert contact_refusal(patient, "sms", purpose="outreach") == "no-consent"
    assert address_refusal("ANA@example.org", "email", purpose="outreach") == "revoked"


def test_an_unsubscribe_link_naming_no_purpose_turns_email_off(reachable_patient):
    email_unsubscribe(token=unsubscribe_token(patient_id=reachable_patient.pk, purpose=""))
    patient = _fresh(reachable_patient)
    assert patient.email_opt_in is False
    assert contact_refusal(patient, "email", purpose="appointment") == "opted-out"
    assert ConsentRecord.objects.filter(patient=patient, channel="email", granted=False).count() == 3


def test_an_outreach_message_whose_consent_is_withdrawn_before_sending_is_not_sent(
        clerk, reachable_patient, clock, smtp_server):
    _grant(clerk, reachable_patient, "email", "outreach")
    message = outreach_message_queue(patient=reachable_patient, subject="Flu clinic", body="Come on Saturday.",
                                     dedupe_key="campaign:1:ana")
    assert message is not None and message.purpose == "outreach"
    clock.advance(dt.timedelta(minutes=1))
    _grant(clerk, reachable_patient, "email", "outreach", granted=False)
    messages_send_due()
    assert smtp_server.messages == []
    assert Message.objects.get(pk=message.pk).status == Status.SUPPRESSED


# --- people who are not patients -------------------------------------------------------------
def test_an_address_may_get_messages_it_asked_for_but_outreach_only_with_a_grant(make_user, clock):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    assert address_refusal("rosa@example.org", "email", purpose="appointment") == ""
    assert address_refusal("rosa@example.org", "email", purpose="outreach") == "no-consent"
    consent_address_record(actor=coordinator, address=" Rosa@Example.org ", channel="email", purpose="outreach",
                           granted=True, source="written")
    assert address_refusal("rosa@example.org", "email", purpose="outreach") == ""
    assert address_refusal("", "sms", purpose="appointment") == "no-phone"


def test_a_contact_who_texted_stop_gets_nothing_by_text(db, clock, sms_gateway, smtp_server):
    assert sms_reply_receive(from_number="+14135550177", body="STOP") == "unknown-number"  # no chart, yet recorded
    assert address_refusal("(413) 555-0177", "sms", purpose="appointment") == "revoked"
    sent = outreach_contact_send(email="", phone="(413) 555-0177", subject="", body="Tomorrow at 6", key="k1",
                                 tz=NEW_YORK, purpose="appointment")
    assert sent is False and sms_gateway.sent == []
    assert outreach_contact_send(email="rosa@example.org", phone="(413) 555-0177", subject="Tomorrow",
                                 body="Tomorrow at 6", key="k2", tz=NEW_YORK, purpose="appointment") is True
    assert [m["To"] for m in smtp_server.messages] == ["rosa@example.org"] and sms_gateway.sent == []


def test_a_batch_reads_consent_once_and_decides_the_same(family, reachable_patient, clerk, clock,
                                                         django_assert_num_queries):
    from clinicdesk.comms.consent import consent_prefetch

    _grant(clerk, reachable_patient, "email", "billing", granted=False)
    sms_reply_receive(from_number="+14135550150", body="STOP")
    patients = [_fresh(p) for p in (*family, reachable_patient)]
    cases = [(p, channel, purpose) for p in patients for channel in ("sms", "email")
             for purpose in ("appointment", "billing", "outreach")]
    alone = [contact_refusal(p, channel, purpose=purpose) for p, channel, purpose in cases]
    with django_assert_num_queries(1), consent_prefetch(patients):
        together = [contact_refusal(p, channel, purpose=purpose) for p, channel, purpose in cases]
    assert together == alone and "revoked" in alone and "" in alone
