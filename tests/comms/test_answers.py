import datetime as dt

import pytest
from django.test import Client

from clinicdesk.comms.models import Channel, Kind, Message, ReminderRule
from clinicdesk.comms.services import answer_token, sms_reply_receive
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import UserFactory

from .conftest import at


@pytest.fixture
def appointment(location, provider, follow_up, reachable_patient, clock, django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.SMS)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with django_capture_on_commit_callbacks(execute=True):
        return appointment_book(actor=clerk, request=BookingRequest(
            patient_id=reachable_patient.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=at(dt.date(2026, 11, 25), 9)))


def test_opening_an_answer_link_changes_nothing(appointment):
    token = answer_token(appointment_id=appointment.pk)
    page = Client().get(f"/r/{token}/")
    assert page.status_code == 200 and b"Will you come" in page.content
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None


def test_confirm_link_updates_the_appointment(appointment):
    token = answer_token(appointment_id=appointment.pk)
    page = Client().post(f"/r/{token}/", {"answer": "confirm"})
    assert page.status_code == 200 and b"confirmed" in page.content
    appointment.refresh_from_db()
    assert appointment.confirmed_at is not None and appointment.status == AppointmentStatus.BOOKED


def test_cancel_link_frees_the_slot_at_once(appointment):
    token = answer_token(appointment_id=appointment.pk)
    Client().post(f"/r/{token}/", {"answer": "cancel"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not appointment.bookings.exists() or all(not b.exclusive for b in appointment.bookings.all())


def test_a_forged_or_altered_link_is_refused(appointment):
    token = answer_token(appointment_id=appointment.pk)
    assert Client().post(f"/r/{token[:-2]}xx/", {"answer": "cancel"}).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_sms_reply_x_cancels_and_c_confirms(appointment):
    Message.objects.filter(appointment=appointment).update(sent_at=appointment.created_at)
    assert sms_reply_receive(from_number="+1 413 555 0142", body=" c ") == "confirmed"
    assert sms_reply_receive(from_number="+14135550142", body="X") == "cancelled"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_stop_reply_opts_out_at_once(appointment, reachable_patient, settings):
    settings.SMS_WEBHOOK_TOKEN = "s3cret"
    refused = Client().post("/hooks/sms/inbound", {"From": "+14135550142", "Body": "STOP"})
    assert refused.status_code == 403
    answer = Client().post("/hooks/sms/inbound", {"From": "+14135550142", "Body": "STOP"},
                           HTTP_X_CLINICDESK_WEBHOOK_TOKEN="s3cret")
    assert answer.json() == {"outcome": "opted-out"}
    assert Patient.objects.get(pk=reachable_patient.pk).sms_opt_in is False
    assert not Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.CANCELLED).exists()
