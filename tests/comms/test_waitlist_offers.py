import datetime as dt
import threading

import pytest
from django.db import connection

from clinicdesk.comms.models import Kind, Message, OfferInvite, WaitlistOffer
from clinicdesk.comms.offers import offer_accept
from clinicdesk.comms.services import answer_token
from clinicdesk.core.exceptions import Conflict
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from clinicdesk.scheduling.services import BookingRequest, appointment_book, appointment_cancel, waitlist_add
from tests.factories import PatientFactory, UserFactory

from .conftest import at


def _waiting_patients(clerk, location, follow_up, count=2):
    patients = []
    for n in range(count):
        patient = PatientFactory(home_location=location, phone=f"(413) 555-01{n:02d}", sms_opt_in=True,
                                 given_name=f"Waiting{n}")
        waitlist_add(actor=clerk, patient_id=patient.pk, appointment_type_id=follow_up.pk, location_id=location.pk,
                     notice_hours=2)
        patients.append(patient)
    return patients


def _free_a_slot(clerk, location, provider, follow_up, capture):
    holder = PatientFactory(home_location=location)
    with capture(execute=True):
        booked = appointment_book(actor=clerk, request=BookingRequest(
            patient_id=holder.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=at(dt.date(2026, 11, 24), 11)))
    with capture(execute=True):
        appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="patient called")
    return booked


def _tokens(offer):
    return [answer_token(appointment_id=offer.freed_from_appointment_id, purpose="offer", extra=invite.pk)
            for invite in offer.invites.order_by("pk")]


def test_a_freed_slot_is_offered_and_the_first_to_accept_gets_it(location, provider, follow_up, clock,
                                                                 django_capture_on_commit_callbacks):
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    waiting = _waiting_patients(clerk, location, follow_up)
    freed = _free_a_slot(clerk, location, provider, follow_up, django_capture_on_commit_callbacks)
    offer = WaitlistOffer.objects.get(freed_from_appointment_id=freed.pk)
    assert {m.patient_id for m in Message.objects.filter(kind=Kind.WAITLIST_OFFER)} == {p.pk for p in waiting}

    first, second = _tokens(offer)
    with django_capture_on_commit_callbacks(execute=True):
        won = offer_accept(token=first)
    with pytest.raises(Conflict):
        offer_accept(token=second)
    assert won.start == freed.start and won.status == AppointmentStatus.BOOKED
    assert Appointment.objects.filter(start=freed.start, status=AppointmentStatus.BOOKED).count() == 1
    assert Message.objects.filter(kind=Kind.OFFER_TAKEN, patient=waiting[1]).exists()
    assert set(OfferInvite.objects.values_list("state", flat=True)) == {"accepted", "too-late"}


@pytest.mark.django_db(transaction=True)
def test_two_patients_accepting_at_the_same_moment_end_with_one_booking(location, provider, follow_up, clock):
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    _waiting_patients(clerk, location, follow_up, count=4)
    holder = PatientFactory(home_location=location)
    booked = appointment_book(actor=clerk, request=BookingRequest(
        patient_id=holder.pk, practitioner_id=provider.pk, location_id=location.pk,
        appointment_type_id=follow_up.pk, start=at(dt.date(2026, 11, 24), 11)))
    appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="patient called")  # hooks ran on commit
    offer = WaitlistOffer.objects.get(freed_from_appointment_id=booked.pk)
    outcomes: list[str] = []
    tokens = _tokens(offer)
    barrier = threading.Barrier(len(tokens))

    def accept(token: str) -> None:
        barrier.wait(10)
        try:
            offer_accept(token=token)
            outcomes.append("booked")
        except Conflict:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["booked", "taken", "taken"]  # fan-out is 3 invites
    assert Appointment.objects.filter(start=booked.start, status=AppointmentStatus.BOOKED).count() == 1
