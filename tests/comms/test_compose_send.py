"""Compose (#24): to one patient or several, from a template in the patient's language or free text, through the
outbox and the real SMTP/SMS test servers; consent and quiet hours respected; letters as PDF on the chart."""

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.compose import compose_send, new_batch
from clinicdesk.comms.delivery import messages_send_due
from clinicdesk.comms.models import ComposeTemplate, Correspondence, Message, Status
from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _office_hours(clock):
    """Every test sends at the frozen clock's 10:00 in New York: at night, quiet hours would hold an SMS."""


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PATIENT_COORDINATOR)


def _template(seed):
    return ComposeTemplate.objects.get(seed_key=seed)


def _spanish(location, **extra):
    return PatientFactory(home_location=location, given_name="Lucía", family_name="Reyes", preferred_language="es",
                          email="lucia@example.org", email_opt_in=True, sms_opt_in=True, phone="(413) 555-0177",
                          address_line="12 Elm St", city="Springfield", state="MA", postal_code="01103", **extra)


def test_an_email_from_a_template_goes_out_in_each_patients_language(
        location, provider, follow_up, coordinator, reachable_patient, smtp_server, clock,
        django_capture_on_commit_callbacks):
    lucia = _spanish(location)
    AppointmentFactory(patient=lucia, practitioner=provider, location=location, appointment_type=follow_up,
                       start=clock.now() + dt.timedelta(days=2))
    AppointmentFactory(patient=reachable_patient, practitioner=provider, location=location, appointment_type=follow_up,
                       start=clock.now() + dt.timedelta(days=2, hours=1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the sender is woken after the commit
        result = compose_send(actor=coordinator, patient_ids=[reachable_patient.pk, lucia.pk], channel="email",
                              template_id=_template("appointment-email").pk, batch=new_batch())
    assert len(result.sent) == 2 and not result.skipped and callbacks
    by_to = {mail["To"]: mail for mail in smtp_server.messages}
    spanish = by_to["lucia@example.org"]
    assert spanish["Subject"].startswith("Su cita")
    body = spanish.get_payload(decode=True).decode()
    assert "Hola Lucía" in body and location.name in body and "{{" not in body
    assert by_to["ana@example.org"].get_payload(decode=True).decode().startswith("Hello Ana")
    assert Message.objects.filter(kind="manual", status=Status.SENT).count() == 2
    assert AuditEntry.objects.filter(action="correspondence.send").count() == 2


def test_free_text_sms_goes_through_the_sms_gateway(coordinator, reachable_patient, sms_gateway):
    compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                 body="{{ patient.first_name }}, your forms are ready at the desk.")
    assert messages_send_due() == 1
    [text] = sms_gateway.sent
    assert text["Body"] == "Ana, your forms are ready at the desk." and text["To"] == reachable_patient.phone


def test_an_opted_out_patient_is_skipped_with_the_reason(location, coordinator, reachable_patient):
    quiet = PatientFactory(home_location=location, email="no@example.org", email_opt_in=False)
    result = compose_send(actor=coordinator, patient_ids=[reachable_patient.pk, quiet.pk], channel="email",
                          template_id=_template("balance-email").pk, batch=new_batch())
    assert [c.patient for c in result.sent] == [reachable_patient]
    [(skipped, reason)] = result.skipped
    assert skipped == quiet and "opted out" in reason
    assert not Message.objects.filter(patient=quiet).exists()


def test_when_nobody_may_be_reached_nothing_is_written(location, coordinator):
    quiet = PatientFactory(home_location=location, email="no@example.org", email_opt_in=False)
    with pytest.raises(ValidationFailed) as refused:
        compose_send(actor=coordinator, patient_ids=[quiet.pk], channel="email", subject="Hi", body="Hello",
                     batch=new_batch())
    assert "opted out" in refused.value.detail
    assert not Message.objects.exists() and not Correspondence.objects.exists()


def test_an_unknown_merge_field_in_free_text_is_refused_and_nothing_is_sent(coordinator, reachable_patient):
    with pytest.raises(ValidationFailed) as refused:
        compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                     body="Hi {{ patient.ssn }}")
    assert "patient.ssn" in refused.value.detail
    assert not Message.objects.exists() and not Correspondence.objects.exists()


def test_an_unknown_field_in_a_stored_template_is_refused_when_sending(coordinator, reachable_patient):
    version = _template("please-call-sms").current
    version.body_en = "Hi {{ patient.diagnosis }}"
    version.save()
    with pytest.raises(ValidationFailed) as refused:
        compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                     template_id=version.template_id)
    assert "patient.diagnosis" in refused.value.detail
    assert not Message.objects.exists()


def test_a_message_in_quiet_hours_waits_in_the_outbox(coordinator, reachable_patient, clock):
    clock.advance(dt.timedelta(hours=12))  # 22:00 in New York
    result = compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                          template_id=_template("please-call-sms").pk)
    [item] = result.sent
    assert item.outcome == Correspondence.Outcome.HELD
    assert item.message.status == Status.QUEUED and item.message.send_after > clock.now()
    assert messages_send_due() == 0


def test_a_letter_is_rendered_as_pdf_and_stored_on_the_chart(location, coordinator, clock):
    lucia = _spanish(location)
    result = compose_send(actor=coordinator, patient_ids=[lucia.pk], channel="letter", batch=new_batch(),
                          template_id=_template("balance-letter").pk)
    [item] = result.sent
    document = Document.objects.get(pk=item.document_id)
    assert document.patient == lucia and document.content_type == "application/pdf"
    assert item.subject.startswith("Su saldo") and "0,00" in item.body  # the amount in Spanish
    from django.core.files.storage import default_storage

    with default_storage.open(document.storage_name, "rb") as handle:
        assert handle.read().startswith(b"%PDF")
    assert not Message.objects.exists()  # a letter is printed, not sent through the outbox


def test_a_letter_to_a_patient_without_a_postal_address_is_refused(location, coordinator, reachable_patient):
    with pytest.raises(ValidationFailed) as refused:
        compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="letter", batch=new_batch(),
                     template_id=_template("general-letter").pk)
    assert "postal address" in refused.value.detail
    assert not Document.objects.exists() and not Correspondence.objects.exists()


def test_a_repeated_batch_sends_once(coordinator, reachable_patient):
    batch = new_batch()
    for _ in range(2):
        compose_send(actor=coordinator, patient_ids=[reachable_patient.pk], channel="sms", batch=batch,
                     template_id=_template("please-call-sms").pk)
    assert Message.objects.count() == 1 and Correspondence.objects.count() == 1


def test_another_locations_patient_is_out_of_reach(other_location, make_user, reachable_patient):
    stranger = make_user(Role.PATIENT_COORDINATOR, at=other_location)
    with pytest.raises(DomainError) as refused:
        compose_send(actor=stranger, patient_ids=[reachable_patient.pk], channel="sms", batch=new_batch(),
                     template_id=_template("please-call-sms").pk)
    assert refused.value.status == 404 and not Message.objects.exists()


def test_a_provider_may_not_compose(make_user, reachable_patient):
    with pytest.raises(DomainError):
        compose_send(actor=make_user(Role.PROVIDER), patient_ids=[reachable_patient.pk], channel="sms",
                     batch=new_batch(), template_id=_template("please-call-sms").pk)
    assert not Message.objects.exists()


def test_an_appointment_letter_skips_a_patient_with_no_upcoming_appointment(location, coordinator):
    lucia = _spanish(location)
    with pytest.raises(ValidationFailed) as refused:
        compose_send(actor=coordinator, patient_ids=[lucia.pk], channel="letter", batch=new_batch(),
                     template_id=_template("appointment-letter").pk)
    assert "no upcoming appointment" in refused.value.detail
    assert not Document.objects.exists()


def test_an_appointment_letter_names_the_next_visit(location, provider, follow_up, coordinator, clock):
    lucia = _spanish(location)
    AppointmentFactory(patient=lucia, practitioner=provider, location=location, appointment_type=follow_up,
                       start=clock.now() + dt.timedelta(days=3))
    [letter] = compose_send(actor=coordinator, patient_ids=[lucia.pk], channel="letter", batch=new_batch(),
                            template_id=_template("appointment-letter").pk).sent
    assert str(provider) in letter.body and location.name in letter.body and "{{" not in letter.body
