"""Registrations: a place while there is one, then the waitlist in order, promotion when a place frees, never an
over-booked event; the rules of audience, duplicates, walk-ins and attendance."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Perm, SystemActor
from clinicdesk.outreach.models import Event, Registration
from clinicdesk.outreach.services import (
    attendance_mark,
    contact_register,
    event_update,
    registration_add,
    registration_cancel,
)


def test_registration_add_gives_places_then_waitlist_places(clerk, make_event, people):
    event = make_event(capacity=2)
    states = [registration_add(actor=clerk, event=event, patient=p).status for p in people[:3]]
    assert states == ["confirmed", "confirmed", "waitlisted"]
    event.refresh_from_db()
    assert event.taken == 2
    assert AuditEntry.objects.filter(action="event_registration.waitlist", patient_id=people[2].pk).exists()


def test_registration_cancel_promotes_the_first_on_the_waitlist(clerk, make_event, people):
    event = make_event(capacity=1)
    first, second, third = (registration_add(actor=clerk, event=event, patient=p) for p in people[:3])
    registration_cancel(actor=clerk, registration_id=first.pk)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("confirmed", "waitlisted")
    assert Event.objects.get(pk=event.pk).taken == 1


def test_event_update_with_more_places_promotes_and_refuses_fewer_than_taken(coordinator, clerk, make_event,
                                                                              people):
    event = make_event(capacity=1)
    registrations = [registration_add(actor=clerk, event=event, patient=p) for p in people[:3]]
    event_update(actor=coordinator, event_id=event.pk, capacity=2)
    assert [Registration.objects.get(pk=r.pk).status for r in registrations] == ["confirmed", "confirmed",
                                                                                 "waitlisted"]
    with pytest.raises(Conflict):
        event_update(actor=coordinator, event_id=event.pk, capacity=1)


def test_registration_add_refuses_the_same_patient_twice(clerk, make_event, people):
    event = make_event()
    registration_add(actor=clerk, event=event, patient=people[0])
    with pytest.raises(Conflict):
        registration_add(actor=clerk, event=event, patient=people[0])
    assert Registration.objects.count() == 1


def test_a_patients_only_event_refuses_a_contact_and_writes_nothing(clerk, make_event):
    event = make_event(audience="patients")
    with pytest.raises(ValidationFailed):
        contact_register(actor=clerk, event_id=event.pk, given_name="Rosa", family_name="Delgado",
                         email="rosa@example.org", consent=True)
    assert not Registration.objects.exists()


def test_contact_register_keeps_the_consent_with_who_recorded_it(clerk, make_event):
    from clinicdesk.comms.consent import address_refusal
    from clinicdesk.comms.models import ConsentRecord
    from clinicdesk.comms.services import sms_reply_receive

    event = make_event()
    registration = contact_register(actor=clerk, event_id=event.pk, given_name="Rosa", family_name="Delgado",
                                    phone="+12125550187", email="Rosa@Example.org", language="es", consent=True)
    assert registration.contact.consent and registration.contact.consent_by == clerk
    assert registration.status == "confirmed"
    # The tick is a consent record in the one consent home, per address: outreach by e-mail and by text.
    records = ConsentRecord.objects.filter(patient=None, purpose="outreach", granted=True, source="desk")
    assert sorted(records.values_list("channel", "address")) == [("email", "rosa@example.org"),
                                                                  ("sms", "2125550187")]
    assert records.filter(recorded_by=clerk).count() == 2
    assert address_refusal("rosa@example.org", "email", purpose="outreach") == ""
    assert AuditEntry.objects.filter(action="consent.record_address").count() == 2
    sms_reply_receive(from_number="+12125550187", body="STOP")  # a STOP from her phone withdraws it there
    assert address_refusal("+12125550187", "sms", purpose="outreach") == "revoked"
    # No tick: kept as a contact for the event, but nothing recorded and no outreach.
    contact_register(actor=clerk, event_id=event.pk, given_name="Tom", family_name="Ruiz", email="tom@example.org")
    assert not ConsentRecord.objects.filter(address="tom@example.org").exists()
    assert address_refusal("tom@example.org", "email", purpose="outreach") == "no-consent"


def test_a_walk_in_is_present_and_refused_when_full(clerk, make_event, people, clock):
    event = make_event(capacity=1, day=dt.date(2026, 11, 23), time=dt.time(11, 0))
    clock.advance(dt.timedelta(hours=1, minutes=10))  # the workshop has started
    walk_in = registration_add(actor=clerk, event=event, patient=people[0], walk_in=True)
    assert walk_in.attended and walk_in.status == "confirmed"
    with pytest.raises(Conflict):
        registration_add(actor=clerk, event=event, patient=people[1], walk_in=True)
    with pytest.raises(Conflict):  # registering (not at the door) closes when the event starts
        registration_add(actor=clerk, event=event, patient=people[2])


def test_attendance_mark_ticks_only_someone_with_a_place(clerk, make_event, people):
    event = make_event(capacity=1)
    placed = registration_add(actor=clerk, event=event, patient=people[0])
    waiting = registration_add(actor=clerk, event=event, patient=people[1])
    assert attendance_mark(actor=clerk, registration_id=placed.pk, present=True).attended
    with pytest.raises(Conflict):
        attendance_mark(actor=clerk, registration_id=waiting.pk, present=True)


def test_registration_add_hides_an_event_of_another_location(outsider, make_event, people):
    with pytest.raises(PermissionDenied) as refused:
        registration_add(actor=outsider, event=make_event(), patient=people[0])
    assert refused.value.status == 404


def test_registration_add_lets_a_portal_patient_register_only_themselves(make_event, people):
    class PortalPatient(SystemActor):  # the shape of portal.actor.PatientActor
        def reach(self, patient_id):
            if int(patient_id) != people[0].pk:
                raise NotFound()
            return int(patient_id)

    actor = PortalPatient("patient", frozenset({Perm.SCHEDULE_READ}))
    event = make_event()
    assert registration_add(actor=actor, event=event, patient=people[0]).status == "confirmed"
    with pytest.raises(NotFound):
        registration_add(actor=actor, event=event, patient=people[1])


def test_event_create_refuses_a_missing_spanish_title_and_a_past_date(make_event):
    with pytest.raises(ValidationFailed) as refused:
        make_event(title_es=" ")
    assert "title_es" in refused.value.fields
    with pytest.raises(ValidationFailed):
        make_event(day=dt.date(2026, 11, 1))
    assert not Event.objects.exists()


def test_the_database_refuses_more_taken_places_than_the_event_has(make_event):
    from django.db import IntegrityError, transaction

    event = make_event(capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(taken=2)
