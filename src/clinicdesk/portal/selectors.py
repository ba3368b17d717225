"""Reads of the patient portal. Every read of a patient's data is audited with the patient (or proxy) as the actor;
the staff screens' reads are audited with the staff user."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Practitioner
from clinicdesk.scheduling.models import Appointment, AppointmentType

from .actor import PatientActor
from .models import PortalBookingRule, PortalMessage, ProxyAuthorization, WhoMayBook
from .services.booking import _established
from .services.common import OPEN_STATUSES


@dataclass
class PortalHome:
    patient: Patient  # who signed in
    subject: Patient  # whose record is shown
    people: list[Patient]  # the patient and the dependents they may act for
    upcoming: list[Appointment] = field(default_factory=list)
    unread: int = 0


def _people(actor: PatientActor) -> list[Patient]:
    people = list(Patient.objects.filter(pk__in=actor.reachable_ids).order_by("birth_date", "pk"))
    people.sort(key=lambda p: p.pk != actor.patient_id)
    return people


@atomic_service
def portal_home(*, actor: PatientActor) -> PortalHome:
    people = _people(actor)
    by_id = {p.pk: p for p in people}
    subject = by_id.get(actor.subject_id)
    if subject is None or actor.patient_id not in by_id:
        raise NotFound()
    upcoming = list(Appointment.objects.select_related("appointment_type", "practitioner", "location").filter(
        patient=subject, status__in=OPEN_STATUSES, start__gte=clock.now()).order_by("start")[:20])
    unread = PortalMessage.objects.filter(patient=subject, written_by_patient__isnull=True,
                                          read_at__isnull=True).count()
    record(actor, "portal.read", resource_type="patient", resource_id=subject.pk, patient=subject,
           detail=actor.audit_detail(page="home", appointments=[a.pk for a in upcoming]))
    return PortalHome(by_id[actor.patient_id], subject, people, upcoming, unread)


@atomic_service
def portal_bookable_types(*, actor: PatientActor) -> list[AppointmentType]:
    """The kinds of visit this patient may book online."""
    rules = list(PortalBookingRule.objects.select_related("appointment_type").filter(
        bookable=True, appointment_type__active=True).order_by("appointment_type__patient_facing_name"))
    needs_history = any(r.who != WhoMayBook.ANYONE for r in rules)
    established = _established(actor.subject_id) if needs_history else False
    kinds = [r.appointment_type for r in rules if r.who == WhoMayBook.ANYONE
             or (r.who == WhoMayBook.ESTABLISHED) == established]
    record(actor, "portal.read", resource_type="appointmenttype", patient=actor.subject_id,
           detail=actor.audit_detail(page="book"))
    return kinds


@atomic_service
def portal_appointment(*, actor: PatientActor, appointment_id: int) -> Appointment:
    appointment = Appointment.objects.select_related("appointment_type", "practitioner", "location").filter(
        pk=appointment_id, patient_id=actor.subject_id).first()
    if appointment is None or appointment.patient_id not in actor.reachable_ids:
        raise NotFound()
    record(actor, "portal.read", appointment, patient=appointment.patient_id, detail=actor.audit_detail())
    return appointment


@atomic_service
def portal_messages(*, actor: PatientActor) -> list[PortalMessage]:
    pid = actor.reach(actor.subject_id)
    messages = list(PortalMessage.objects.filter(patient_id=pid).select_related("written_by_patient")
                    .order_by("-created_at", "-pk")[:100])
    record(actor, "portal.read", resource_type="portalmessage", patient=pid,
           detail=actor.audit_detail(page="messages", messages=len(messages)))
    return messages


# --- staff screens -----------------------------------------------------------------------------------
def _staff_patients(actor: Actor) -> Q:
    """Portal messages of the patients whose charts the staff member's locations hold (patients.visibility)."""
    return patient_selectors.location_filter(actor, prefix="patient__")


@atomic_service
def portal_inbox(*, actor: Actor, waiting_only: bool = True) -> list[PortalMessage]:
    """Patients' portal messages at the staff member's locations, oldest waiting first."""
    require(actor, Perm.FRONTDESK)
    rows: QuerySet[PortalMessage] = PortalMessage.objects.filter(written_by_staff__isnull=True).filter(
        _staff_patients(actor)).select_related("patient", "written_by_patient").prefetch_related("replies")
    if waiting_only:
        rows = rows.filter(answered_at__isnull=True)
    messages = list(rows.order_by("created_at", "pk")[:200])
    if messages:
        record(actor, "patient.list", resource_type="portalmessage",
               detail={"patients": sorted({m.patient_id for m in messages}), "screen": "portal-inbox"})
    return messages


@atomic_service
def portal_inbox_message(*, actor: Actor, message_id: int) -> PortalMessage:
    require(actor, Perm.FRONTDESK)
    message = (PortalMessage.objects.filter(pk=message_id, written_by_staff__isnull=True)
               .select_related("patient", "written_by_patient").first())
    if message is None:
        raise NotFound()
    patient_selectors.require_patient_in_reach(actor, message.patient, perm=Perm.FRONTDESK,
                                               resource_type="portalmessage", resource_id=message_id)
    record(actor, "patient.read", message, patient=message.patient_id, detail={"screen": "portal-inbox"})
    return message


@atomic_service
def booking_rules(*, actor: Actor) -> list[tuple[AppointmentType, PortalBookingRule | None, list[Practitioner]]]:
    """Each active appointment type, its online-booking rule (None: not bookable) and the providers who see it
    (those the type names, or every active provider when it names none)."""
    require(actor, Perm.PRACTICE_ADMIN)
    rules = {r.appointment_type_id: r for r in PortalBookingRule.objects.prefetch_related("practitioners")}
    kinds = list(AppointmentType.objects.filter(active=True).prefetch_related("allowed_practitioners")
                 .order_by("name"))
    everyone = list(Practitioner.objects.filter(active=True).order_by("last_name", "first_name"))
    return [(k, rules.get(k.pk), list(k.allowed_practitioners.all()) or everyone) for k in kinds]


@atomic_service
def proxy_authorizations(*, actor: Actor, patient_id: int | None = None) -> list[ProxyAuthorization]:
    """Recorded proxy authorizations at the staff member's locations (of one patient, as proxy or dependent)."""
    require(actor, Perm.PATIENT_READ)
    rows = ProxyAuthorization.objects.select_related("proxy", "dependent", "recorded_by").filter(
        revoked_at__isnull=True)
    rows = rows.filter(patient_selectors.location_filter(actor, prefix="dependent__"))
    if patient_id is not None:
        rows = rows.filter(Q(proxy_id=patient_id) | Q(dependent_id=patient_id))
    found = list(rows.order_by("-recorded_at", "-pk")[:200])
    if found:
        record(actor, "patient.list", resource_type="proxyauthorization",
               detail={"patients": sorted({r.dependent_id for r in found} | {r.proxy_id for r in found})})
    return found


@atomic_service
def proxy_patient_by_mrn(*, actor: Actor, mrn: str) -> Patient | None:
    """The chart with exactly this MRN among those the staff member may find (for recording a proxy)."""
    require(actor, Perm.PATIENT_WRITE)
    wanted = mrn.strip().upper()
    return next((p for p in patient_selectors.patient_search(actor=actor, query=wanted, limit=5)
                 if p.mrn.upper() == wanted), None)

