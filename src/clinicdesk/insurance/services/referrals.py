"""Referrals (#18 item 6). Incoming: the referring provider's referral with the payer's number and a count of
visits, linked to the appointments it covers; a visit is used when its appointment is fulfilled (the scheduling
status hook, insurance/hooks.py), never beyond the visits authorized. Outgoing: our referral to a specialist, its
letter as a PDF, its status until the specialist confirms the patient was seen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound
from clinicdesk.core.identifiers import npi_valid
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Document, Payer
from clinicdesk.patients.services import document_upload
from clinicdesk.patients.visibility import patient_in_reach
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus

from ..models import (
    OUTGOING_TRANSITIONS,
    OutgoingReferral,
    OutgoingReferralStatus,
    Referral,
    ReferralVisit,
)
from ._common import Fields, a_count, a_date, dates_in_order, diagnosis_codes, shown


@dataclass
class ReferralInput:
    patient_id: int
    referring_name: str
    referring_npi: str
    reason: str
    visits_authorized: Any
    valid_from: Any
    valid_to: Any
    payer_id: int | None = None
    referral_number: str = ""
    diagnosis_codes: Any = ""
    document_id: int | None = None
    upload: Any = None  # a file to store as the patient's referral document
    appointment_ids: list[int] = field(default_factory=list)


def _appointment_day(appointment: Appointment) -> dt.date:
    return appointment.start.astimezone(appointment.location.tz).date()


def _reserved(referral: Referral, *, excluding: int | None = None) -> int:
    """Visits already promised: linked appointments still to come (not counted, still active)."""
    return sum(1 for v in referral.visits.select_related("appointment")
               if not v.counted and v.appointment.status in ACTIVE_STATUSES and v.appointment_id != excluding)


def _link(actor: Actor, referral: Referral, appointment: Appointment) -> ReferralVisit:
    if appointment.patient_id != referral.patient_id:
        raise Conflict("referral-other-patient", _("That appointment is another patient's."))
    day = _appointment_day(appointment)
    if not referral.valid_from <= day <= referral.valid_to:
        raise Conflict("referral-not-valid-then",
                       _("The referral is valid from %(start)s to %(end)s; the visit on %(day)s is outside it.")
                       % {"start": shown(referral.valid_from), "end": shown(referral.valid_to),
                          "day": shown(day)})
    prior = ReferralVisit.objects.filter(appointment=appointment).first()
    if prior is not None:
        if prior.referral_id == referral.pk:
            return prior
        raise Conflict("appointment-has-referral", _("That appointment is already covered by another referral."))
    if referral.visits_used + _reserved(referral) >= referral.visits_authorized:
        raise Conflict("referral-used-up",
                       _("The referral allows %(n)s visits and all of them are used or booked.")
                       % {"n": referral.visits_authorized})
    visit = ReferralVisit.objects.create(referral=referral, appointment=appointment)
    record(actor, "referral.link", referral, patient=referral.patient_id, detail={"appointment": appointment.pk})
    return visit


@atomic_service
def referral_add(*, actor: Actor, data: ReferralInput, idempotency_key: str | None = None) -> Referral:
    """Record an incoming referral (and store its document through the patients document service)."""
    require(actor, Perm.INSURANCE_WRITE)
    if idempotency_key and (prior := Referral.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    patient = patient_in_reach(actor, data.patient_id, perm=Perm.INSURANCE_WRITE, record=True)
    fields = Fields()
    name = (data.referring_name or "").strip()
    if not name:
        fields.add("referring_name", _("Enter the referring provider's name."))
    npi = (data.referring_npi or "").strip()
    if not npi_valid(npi):
        fields.add("referring_npi", _("An NPI is 10 digits with a valid check digit; check the number."))
    reason = (data.reason or "").strip()
    if not reason:
        fields.add("reason", _("Enter the reason for the referral."))
    codes = diagnosis_codes(fields, data.diagnosis_codes)
    visits = a_count(fields, data.visits_authorized, "visits_authorized")
    start = a_date(fields, data.valid_from, "valid_from")
    end = a_date(fields, data.valid_to, "valid_to")
    dates_in_order(fields, start, end, "valid_to")
    payer = None
    if data.payer_id not in (None, ""):
        payer = Payer.objects.filter(pk=data.payer_id).first() if str(data.payer_id).isdigit() else None
        if payer is None:
            fields.add("payer", _("Choose a payer."))
    document = None
    if data.document_id not in (None, ""):
        document = Document.objects.filter(pk=data.document_id, patient=patient).first() \
            if str(data.document_id).isdigit() else None
        if document is None:
            fields.add("document", _("Choose one of the patient's documents."))
    appointments = list(Appointment.objects.select_related("location").filter(
        pk__in=[a for a in data.appointment_ids if str(a).isdigit()]).order_by("pk"))
    if len(appointments) != len(set(data.appointment_ids)):
        fields.add("appointments", _("Choose the patient's appointments."))
    fields.raise_if_any("invalid-referral")
    assert visits is not None and start is not None and end is not None
    if len(appointments) > visits:
        raise Conflict("referral-used-up", _("The referral allows %(n)s visits; %(m)s appointments were chosen.")
                       % {"n": visits, "m": len(appointments)})
    if data.upload is not None and document is None:
        document = document_upload(actor=actor, patient_id=patient.pk, kind=Document.Kind.REFERRAL,
                                   upload=data.upload, description=_("Referral from %(name)s") % {"name": name})
    referral = Referral.objects.create(
        patient=patient, payer=payer, referring_name=name[:120], referring_npi=npi,
        referral_number=(data.referral_number or "").strip()[:40], reason=reason[:300], diagnosis_codes=codes,
        visits_authorized=visits, valid_from=start, valid_to=end, document=document,
        idempotency_key=idempotency_key or None, created_at=clock.now(), created_by=staff_user(actor))
    record(actor, "referral.create", referral, patient=patient.pk,
           detail={"visits": visits, "from": start.isoformat(), "to": end.isoformat()})
    for appointment in appointments:
        _link(actor, referral, appointment)
    return referral


@atomic_service
def referral_link(*, actor: Actor, referral_id: int, appointment_id: int) -> ReferralVisit:
    """Say that a referral covers an appointment (refused outside its dates or with no visits left)."""
    require(actor, Perm.INSURANCE_WRITE)
    referral = Referral.objects.select_for_update(of=("self",)).filter(pk=referral_id).first() \
        if str(referral_id).isdigit() else None
    if referral is None:
        raise NotFound()
    patient_in_reach(actor, referral.patient_id, perm=Perm.INSURANCE_WRITE)
    appointment = Appointment.objects.select_related("location").filter(pk=appointment_id).first() \
        if str(appointment_id).isdigit() else None
    if appointment is None:
        raise NotFound()
    return _link(actor, referral, appointment)


def count_visit(*, appointment: Appointment, actor: Actor) -> Referral | None:
    """The appointment was fulfilled: one visit of its referral is used. Called by the scheduling status hook
    inside the status move's transaction; a referral with no visit left refuses (and so rolls the move back)."""
    visit = (ReferralVisit.objects.select_related("referral").filter(appointment=appointment, counted=False)
             .first())
    if visit is None:
        return None
    referral = Referral.objects.select_for_update(of=("self",)).get(pk=visit.referral_id)
    if referral.visits_used >= referral.visits_authorized:
        raise Conflict("referral-used-up",
                       _("The referral from %(name)s allows %(n)s visits and all are used: this visit cannot be "
                         "counted on it. Ask the referring provider for a new referral, or unlink the visit.")
                       % {"name": referral.referring_name, "n": referral.visits_authorized})
    referral.visits_used += 1
    referral.save(update_fields=["visits_used"])
    visit.counted, visit.counted_at = True, clock.now()
    visit.save(update_fields=["counted", "counted_at"])
    record(actor, "referral.visit-used", referral, patient=referral.patient_id,
           detail={"appointment": appointment.pk, "used": referral.visits_used,
                   "authorized": referral.visits_authorized})
    return referral


@atomic_service
def referral_record_visit(*, actor: Actor, referral_id: int) -> Referral:
    """Count one visit by hand (a visit outside the schedule); refused above the visits authorized."""
    require(actor, Perm.INSURANCE_WRITE)
    referral = Referral.objects.select_for_update(of=("self",)).filter(pk=referral_id).first() \
        if str(referral_id).isdigit() else None
    if referral is None:
        raise NotFound()
    patient_in_reach(actor, referral.patient_id, perm=Perm.INSURANCE_WRITE)
    if referral.visits_used >= referral.visits_authorized:
        raise Conflict("referral-used-up", _("All %(n)s visits of this referral are used; nothing was counted.")
                       % {"n": referral.visits_authorized})
    referral.visits_used += 1
    referral.save(update_fields=["visits_used"])
    record(actor, "referral.visit-used", referral, patient=referral.patient_id,
           detail={"used": referral.visits_used, "authorized": referral.visits_authorized})
    return referral


# --- outgoing -------------------------------------------------------------------------------------------------

@dataclass
class OutgoingInput:
    patient_id: int
    location_id: int
    specialist_name: str
    reason: str
    specialty: str = ""
    specialist_npi: str = ""
    specialist_contact: str = ""
    diagnosis_codes: Any = ""
    practitioner_id: int | None = None
    urgent: bool = False


@atomic_service
def outgoing_referral_send(*, actor: Actor, data: OutgoingInput, idempotency_key: str | None = None
                           ) -> OutgoingReferral:
    """Record a referral to a specialist, status sent (its letter is printed from it)."""
    require(actor, Perm.INSURANCE_WRITE)
    if idempotency_key and (prior := OutgoingReferral.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    patient = patient_in_reach(actor, data.patient_id, perm=Perm.INSURANCE_WRITE, record=True)
    location = Location.objects.filter(pk=data.location_id).first() if str(data.location_id).isdigit() else None
    if location is None or not actor.works_at(location.pk):
        raise NotFound()
    require(actor, Perm.INSURANCE_WRITE, location=location.pk, patient_id=patient.pk)
    fields = Fields()
    name = (data.specialist_name or "").strip()
    if not name:
        fields.add("specialist_name", _("Enter the specialist's name."))
    npi = (data.specialist_npi or "").strip()
    if npi and not npi_valid(npi):
        fields.add("specialist_npi", _("An NPI is 10 digits with a valid check digit; check the number."))
    reason = (data.reason or "").strip()
    if not reason:
        fields.add("reason", _("Enter the reason for the referral."))
    codes = diagnosis_codes(fields, data.diagnosis_codes)
    practitioner = None
    if data.practitioner_id not in (None, ""):
        practitioner = Practitioner.objects.filter(pk=data.practitioner_id).first() \
            if str(data.practitioner_id).isdigit() else None
        if practitioner is None:
            fields.add("practitioner", _("Choose a provider."))
    fields.raise_if_any("invalid-outgoing-referral")
    now = clock.now()
    referral = OutgoingReferral.objects.create(
        patient=patient, location=location, referring_practitioner=practitioner, specialist_name=name[:120],
        specialist_npi=npi, specialty=(data.specialty or "").strip()[:80],
        specialist_contact=(data.specialist_contact or "").strip()[:80], reason=reason[:500], diagnosis_codes=codes,
        urgent=bool(data.urgent), status=OutgoingReferralStatus.SENT, status_changed_at=now,
        idempotency_key=idempotency_key or None, created_at=now, created_by=staff_user(actor))
    record(actor, "outgoing-referral.create", referral, patient=patient.pk, detail={"urgent": referral.urgent})
    return referral


@atomic_service
def outgoing_referral_set_status(*, actor: Actor, referral_id: int, status: str, note: str = ""
                                 ) -> OutgoingReferral:
    """Move an outgoing referral along (sent, received, scheduled, seen, closed): the transitions table."""
    require(actor, Perm.INSURANCE_WRITE)
    referral = OutgoingReferral.objects.select_for_update(of=("self",)).filter(pk=referral_id).first() \
        if str(referral_id).isdigit() else None
    if referral is None or not actor.works_at(referral.location_id):
        raise NotFound()
    require(actor, Perm.INSURANCE_WRITE, location=referral.location_id, patient_id=referral.patient_id)
    if status not in OUTGOING_TRANSITIONS.get(referral.status, frozenset()):
        raise InvalidTransition("outgoing-referral-transition",
                                _("A referral that is “%(now)s” cannot become “%(next)s”.")
                                % {"now": referral.get_status_display(),
                                   "next": OutgoingReferralStatus(status).label
                                   if status in OutgoingReferralStatus.values else status})
    before = referral.status
    referral.status, referral.status_note, referral.status_changed_at = status, note.strip()[:200], clock.now()
    referral.save(update_fields=["status", "status_note", "status_changed_at"])
    record(actor, "outgoing-referral.status", referral, patient=referral.patient_id,
           detail={"from": before, "to": status})
    return referral


FULFILLED = AppointmentStatus.FULFILLED
