"""The kiosk patient holds no front-desk right: their own visit is arrived by `frontdesk.self_arrival`, which
checks the visit is theirs (or an authorized dependent's) and then runs the desk's one arrival path."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied
from clinicdesk.core.permissions import Perm, has_perm
from clinicdesk.frontdesk import services as frontdesk
from clinicdesk.frontdesk.models import Visit
from clinicdesk.portal.actor import PatientActor
from clinicdesk.portal.services import kiosk
from clinicdesk.scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory


@pytest.fixture
def kiosk_actor(ana, device):
    return kiosk.KioskPatientActor(patient_id=ana.pk, device_id=device.pk)


def test_the_kiosk_actor_holds_no_front_desk_permission(kiosk_actor):
    assert not has_perm(kiosk_actor, Perm.FRONTDESK)
    assert kiosk_actor.perms == frozenset({Perm.SCHEDULE_READ, Perm.SCHEDULE_WRITE})


def test_the_kiosk_actor_cannot_use_the_desks_own_services(kiosk_actor, ana, location, today_visit, clock):
    with pytest.raises(PermissionDenied):
        frontdesk.visit_arrive(actor=kiosk_actor, appointment_id=today_visit.pk)  # even their own visit
    with pytest.raises(PermissionDenied):
        frontdesk.visit_check_in(actor=kiosk_actor, appointment_id=today_visit.pk, demographics=True)
    with pytest.raises(PermissionDenied):
        frontdesk.walk_in_add(actor=kiosk_actor, location_id=location.pk, patient_id=ana.pk)
    with pytest.raises(PermissionDenied):
        frontdesk.visitor_sign_in(actor=kiosk_actor, location_id=location.pk, name="Sam", visiting="Ana",
                                  id_type="drivers-license", id_last4="1234", badge="7")
    with pytest.raises(PermissionDenied):
        frontdesk.task_create(actor=kiosk_actor, location_id=location.pk, title="Call", due_date=clock.now().date())
    today_visit.refresh_from_db()
    assert today_visit.status == AppointmentStatus.BOOKED and not Visit.objects.exists()


def test_kiosk_check_in_arrival_is_audited_with_the_patient_as_actor(device, ana, today_visit):
    token = kiosk.kiosk_find(device=device, family_name="Lopez", birth_date=dt.date(1980, 5, 17))
    visit = kiosk.kiosk_check_in(device=device, token=token, details={"phone": ana.phone, "email": ana.email},
                                 insurance={}, signatures=[])
    today_visit.refresh_from_db()
    assert today_visit.status == AppointmentStatus.ARRIVED and visit.appointment_id == today_visit.pk
    arrival = AuditEntry.objects.get(action="visit.arrive", resource_id=str(visit.pk))
    assert (arrival.actor_username, arrival.actor_role, arrival.actor_id) == (f"patient:{ana.pk}", "patient", None)
    assert arrival.patient_id == ana.pk
    # scheduling's own status move is in the patient's name too
    moves = AuditEntry.objects.filter(patient_id=ana.pk, resource_type="appointment",
                                      resource_id=str(today_visit.pk)).exclude(action__startswith="portal.")
    assert moves.exists() and {e.actor_username for e in moves} == {f"patient:{ana.pk}"}


def test_self_arrival_refuses_another_patients_visit(ana, ben, location, provider, kind, clock):
    bens = AppointmentFactory(location=location, patient=ben, practitioner=provider, appointment_type=kind,
                              start=clock.now() + dt.timedelta(minutes=30))
    with pytest.raises(NotFound):
        frontdesk.self_arrival(actor=PatientActor(patient_id=ana.pk, method="kiosk"), appointment_id=bens.pk)
    bens.refresh_from_db()
    assert bens.status == AppointmentStatus.BOOKED and not Visit.objects.exists()


def test_self_arrival_is_for_patients_not_staff(clerk, today_visit):
    with pytest.raises(PermissionDenied):
        frontdesk.self_arrival(actor=clerk, appointment_id=today_visit.pk)
    assert not Visit.objects.exists()


def test_an_authorized_proxy_arrives_their_dependents_visit(ana, ben, location, provider, kind, clock):
    bens = AppointmentFactory(location=location, patient=ben, practitioner=provider, appointment_type=kind,
                              start=clock.now() + dt.timedelta(minutes=30))
    proxy = PatientActor(patient_id=ana.pk, dependent_ids=frozenset({ben.pk}), subject_id=ben.pk, method="kiosk")
    visit = frontdesk.self_arrival(actor=proxy, appointment_id=bens.pk)
    assert visit.patient_id == ben.pk
    assert not has_perm(proxy, Perm.FRONTDESK)  # the actor handed in is not changed
    entry = AuditEntry.objects.get(action="visit.arrive")
    assert entry.actor_username == f"patient:{ana.pk}" and entry.patient_id == ben.pk


def test_self_arrival_keeps_the_desks_refusals(ana, today_visit):
    today_visit.status = AppointmentStatus.NOSHOW
    today_visit.save(update_fields=["status"])
    with pytest.raises(Exception, match="cannot be checked in"):
        frontdesk.self_arrival(actor=PatientActor(patient_id=ana.pk, method="kiosk"), appointment_id=today_visit.pk)
