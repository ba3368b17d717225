"""Reads of readiness packets (#18 item 8) and admissions and transfers (#18 item 9). PHI reads are audited here;
the facility directory and the templates hold no patient data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.frontdesk.models import Task
from clinicdesk.patients.models import Coverage, Document, Patient, Payer
from clinicdesk.patients.visibility import listed_rows, patient_in_reach
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import organization_current
from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType

from .models import (
    APPROVED_STATUSES,
    READINESS_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    AuthorizationStatus,
    Facility,
    FacilityKind,
    OutgoingReferral,
    PriorAuthorization,
    ReadinessItem,
    ReadinessItemStatus,
    ReadinessKind,
    ReadinessPacket,
    ReadinessTemplateItem,
    Transfer,
    TransferKind,
    TransferStatus,
)
from .services import default_template, is_complete, overdue_on

BOARD_DAYS = 14


def _locations(actor: Actor) -> list[Location]:
    return [loc for loc in Location.objects.order_by("pk")
            if actor.works_at(loc.pk) and has_perm(actor, Perm.INSURANCE_READ, location=loc.pk)]


# --- readiness ---------------------------------------------------------------------------------------------------

@dataclass
class BoardRow:
    appointment: Appointment
    day: dt.date
    packet: ReadinessPacket | None
    done: int = 0
    total: int = 0
    complete: bool = False
    overdue: bool = False


@atomic_service
def readiness_board(*, actor: Actor, today: dt.date | None = None, days: int = BOARD_DAYS) -> list[BoardRow]:
    """The next `days` days' live visits of a type with a readiness template, or with a packet, at the actor's
    locations: the packet's progress, incomplete and overdue (two days or less before the visit) first."""
    require(actor, Perm.INSURANCE_READ)
    today = today or clock.now().date()
    locations = _locations(actor)
    typed = set(ReadinessTemplateItem.objects.values_list("appointment_type_id", flat=True))
    first = dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    last = dt.datetime.combine(today + dt.timedelta(days=days + 1), dt.time.min, tzinfo=dt.UTC)
    appointments = list(
        Appointment.objects.filter(location__in=locations, start__gte=first, start__lt=last,
                                   status__in=ACTIVE_STATUSES)
        .filter(Q(appointment_type_id__in=typed) | Q(pk__in=ReadinessPacket.objects.values("appointment_id")))
        .filter(listed_rows()).select_related("patient", "appointment_type", "location", "practitioner")
        .order_by("start", "pk"))
    packets = {p.appointment_id: p for p in ReadinessPacket.objects.filter(
        appointment__in=appointments).prefetch_related("items")}
    rows = []
    for appointment in appointments:
        day = appointment.start.astimezone(appointment.location.tz).date()
        if not today <= day < today + dt.timedelta(days=days):
            continue
        packet = packets.get(appointment.pk)
        items = list(packet.items.all()) if packet else []
        done = sum(1 for i in items if i.status != ReadinessItemStatus.PENDING)
        complete = packet is not None and is_complete(items)
        overdue = (not complete) and (overdue_on(today, day, items) if packet else (day - today).days <= 2)
        rows.append(BoardRow(appointment, day, packet, done, len(items), complete, overdue))
    rows.sort(key=lambda r: (r.complete, not r.overdue, r.appointment.start, r.appointment.pk))
    if rows:
        record(actor, "readiness.list", None, resource_type="readiness-board", resource_id=today.isoformat(),
               detail={"rows": len(rows), "patients": sorted({r.appointment.patient_id for r in rows})})
    return rows


@dataclass
class PacketPage:
    packet: ReadinessPacket
    items: list[ReadinessItem]
    day: dt.date
    documents: list[Document]
    moves: dict[int, list[tuple[str, str]]]
    complete: bool
    overdue: bool


def _packet(actor: Actor, packet_id: Any) -> ReadinessPacket:
    packet = (ReadinessPacket.objects.select_related("appointment__appointment_type", "appointment__location",
                                                     "appointment__practitioner", "patient")
              .filter(pk=packet_id).first()) if str(packet_id).isdigit() else None
    if packet is None or not actor.works_at(packet.location_id):
        raise NotFound()
    patient_in_reach(actor, packet.patient_id, perm=Perm.INSURANCE_READ, record=True)
    return packet


@atomic_service
def readiness_packet_detail(*, actor: Actor, packet_id: int) -> PacketPage:
    """One packet with its items, who confirmed them, and the patient's documents to attach; audited."""
    require(actor, Perm.INSURANCE_READ)
    packet = _packet(actor, packet_id)
    items = list(packet.items.select_related("document", "confirmed_by").order_by("position", "pk"))
    labels = dict(ReadinessItemStatus.choices)
    day = packet.appointment.start.astimezone(packet.appointment.location.tz).date()
    record(actor, "readiness.view", packet, patient=packet.patient_id)
    return PacketPage(
        packet=packet, items=items, day=day,
        documents=list(Document.objects.filter(patient_id=packet.patient_id).order_by("-document_date", "-pk")[:50]),
        moves={i.pk: [(s, str(labels[s])) for s in ReadinessItemStatus.values if s in READINESS_TRANSITIONS[i.status]]
               for i in items},
        complete=is_complete(items), overdue=overdue_on(clock.now().date(), day, items))


def readiness_packet_for_appointment(*, actor: Actor, appointment_id: int) -> ReadinessPacket | None:
    """The appointment's packet if it has one (no patient data read beyond the id)."""
    require(actor, Perm.INSURANCE_READ)
    return ReadinessPacket.objects.filter(appointment_id=appointment_id).first() \
        if str(appointment_id).isdigit() else None


@dataclass
class TemplatesPage:
    types: list[AppointmentType]
    items: dict[int, list[ReadinessTemplateItem]]
    defaults: list[Any]
    kinds: list[tuple[str, str]]


def readiness_templates(*, actor: Actor) -> TemplatesPage:
    """Every active type's readiness list (no patient data: not audited as a read)."""
    require(actor, Perm.INSURANCE_READ)
    items: dict[int, list[ReadinessTemplateItem]] = {}
    for row in ReadinessTemplateItem.objects.order_by("appointment_type_id", "position", "pk"):
        items.setdefault(row.appointment_type_id, []).append(row)
    return TemplatesPage(types=list(AppointmentType.objects.filter(active=True).order_by("name")), items=items,
                         defaults=default_template(), kinds=[(k, str(v)) for k, v in ReadinessKind.choices])


@dataclass
class AckPage:
    packet: ReadinessPacket
    items: list[ReadinessItem]
    language: str
    day: dt.date


# --- facilities and transfers --------------------------------------------------------------------------------------

@dataclass
class FacilitiesPage:
    facilities: list[Facility]
    payers: list[Payer]
    kinds: list[tuple[str, str]]


def facilities(*, actor: Actor) -> FacilitiesPage:
    """The facility directory (no patient data: not audited as a read)."""
    require(actor, Perm.INSURANCE_READ)
    return FacilitiesPage(facilities=list(Facility.objects.prefetch_related("accepted_payers")),
                          payers=list(Payer.objects.filter(active=True).order_by("name")),
                          kinds=[(k, str(v)) for k, v in FacilityKind.choices])


def facility_detail(*, actor: Actor, facility_id: int) -> Facility:
    require(actor, Perm.INSURANCE_READ)
    facility = Facility.objects.prefetch_related("accepted_payers").filter(pk=facility_id).first() \
        if str(facility_id).isdigit() else None
    if facility is None:
        raise NotFound()
    return facility


@dataclass
class TransfersPage:
    transfers: list[Transfer]
    open_count: int


@atomic_service
def transfers_list(*, actor: Actor) -> TransfersPage:
    """Admissions and transfers at the actor's locations, open ones first; audited as one list read."""
    require(actor, Perm.INSURANCE_READ)
    rows = list(Transfer.objects.filter(location__in=_locations(actor)).filter(listed_rows())
                .select_related("patient", "facility", "location")[:300])
    final = (TransferStatus.COMPLETED, TransferStatus.DECLINED)
    rows.sort(key=lambda t: (t.status in final, t.planned_for or t.requested_on, t.pk))
    if rows:
        record(actor, "transfer.list", None, resource_type="transfers", resource_id="list",
               detail={"rows": len(rows), "patients": sorted({t.patient_id for t in rows})})
    return TransfersPage(transfers=rows, open_count=sum(1 for t in rows if t.status not in final))


def _transfer(actor: Actor, transfer_id: Any) -> Transfer:
    transfer = (Transfer.objects.select_related("patient", "facility", "location", "referral")
                .prefetch_related("documents", "facility__accepted_payers").filter(pk=transfer_id).first()) \
        if str(transfer_id).isdigit() else None
    if transfer is None or not actor.works_at(transfer.location_id):
        raise NotFound()
    patient_in_reach(actor, transfer.patient_id, perm=Perm.INSURANCE_READ, record=True)
    return transfer


@dataclass
class TransferPage:
    transfer: Transfer
    moves: list[tuple[str, str]]
    tasks: list[Task]
    payer_accepted: bool | None  # the patient's primary payer among the facility's accepted payers (None: unknown)
    can_follow_up: bool = False  # follow-up tasks go to the desk's pool: insurance write and the desk's task rule


@atomic_service
def transfer_detail(*, actor: Actor, transfer_id: int) -> TransferPage:
    require(actor, Perm.INSURANCE_READ)
    transfer = _transfer(actor, transfer_id)
    labels = dict(TransferStatus.choices)
    accepted = {p.pk for p in transfer.facility.accepted_payers.all()}
    primary = (Coverage.objects.filter(patient_id=transfer.patient_id).order_by("order", "-start_date", "pk")
               .values_list("payer_id", flat=True).first())
    record(actor, "transfer.view", transfer, patient=transfer.patient_id)
    from clinicdesk.frontdesk.services import may_work_the_desk  # frontdesk imports insurance's selectors at load

    return TransferPage(
        transfer=transfer,
        moves=[(s, str(labels[s])) for s in TransferStatus.values if s in TRANSFER_TRANSITIONS[transfer.status]],
        tasks=list(Task.objects.filter(pk__in=transfer.follow_up_task_ids).order_by("due_date", "pk")),
        payer_accepted=(primary in accepted) if (primary and accepted) else None,
        can_follow_up=has_perm(actor, Perm.INSURANCE_WRITE) and may_work_the_desk(actor, transfer.location_id))


@dataclass
class NewTransferForm:
    patient: Patient
    facilities: list[Facility]
    referrals: list[OutgoingReferral]
    documents: list[Document]
    locations: list[Location]
    kinds: list[tuple[str, str]] = field(default_factory=list)


@atomic_service
def transfer_form(*, actor: Actor, patient_id: int) -> NewTransferForm:
    """What the new-transfer form offers for a patient (facilities, their referral letters and documents)."""
    require(actor, Perm.INSURANCE_WRITE)
    patient = patient_in_reach(actor, patient_id, perm=Perm.INSURANCE_WRITE, record=True)
    record(actor, "transfer.view", patient, patient=patient.pk, detail={"form": True})
    return NewTransferForm(
        patient=patient, facilities=list(Facility.objects.filter(active=True)),
        referrals=list(OutgoingReferral.objects.filter(patient=patient).order_by("-created_at")[:20]),
        documents=list(Document.objects.filter(patient=patient).order_by("-document_date", "-pk")[:50]),
        locations=[loc for loc in Location.objects.order_by("pk") if actor.works_at(loc.pk)],
        kinds=[(k, str(v)) for k, v in TransferKind.choices])


@dataclass
class TransferPacket:
    """Everything the transfer packet prints (PDF) or carries (FHIR Bundle), loaded once."""

    transfer: Transfer
    patient: Patient
    organization: Any
    coverages: list[Coverage]
    authorizations: list[PriorAuthorization]
    referral: OutgoingReferral | None
    documents: list[Document]
    generated_at: dt.datetime


@atomic_service
def transfer_packet(*, actor: Actor, transfer_id: int, form: str = "pdf") -> TransferPacket:
    """The transfer packet's contents (demographics, coverage, authorizations, referral letter, documents chosen);
    audited as a disclosure of the chart to the facility (`form`: pdf or fhir)."""
    require(actor, Perm.INSURANCE_READ)
    transfer = _transfer(actor, transfer_id)
    today = clock.now().date()
    coverages = [c for c in Coverage.objects.filter(patient_id=transfer.patient_id).select_related("payer")
                 .order_by("order", "-start_date", "pk") if c.is_active_on(today)]
    authorizations = list(PriorAuthorization.objects.filter(patient_id=transfer.patient_id).filter(
        Q(status__in=APPROVED_STATUSES, valid_to__gte=today) | Q(status=AuthorizationStatus.REQUESTED))
        .select_related("payer").order_by("-requested_from", "-pk"))
    record(actor, "transfer.packet", transfer, patient=transfer.patient_id,
           detail={"form": "fhir" if form == "fhir" else "pdf", "facility": transfer.facility_id,
                   "documents": [d.pk for d in transfer.documents.all()]})
    return TransferPacket(transfer=transfer, patient=transfer.patient, organization=organization_current(),
                          coverages=coverages, authorizations=authorizations, referral=transfer.referral,
                          documents=list(transfer.documents.all()), generated_at=clock.now())


def readiness_ack_page(*, token: str) -> AckPage:
    """What the patient's acknowledgement link shows: the visit's day and the packet's items in their language
    (the signed token is the proof; a bad or expired one: NotFound with plain words)."""
    from .services import packet_for_token, patient_language

    packet = packet_for_token(token)
    day = packet.appointment.start.astimezone(packet.appointment.location.tz).date()
    return AckPage(packet=packet, items=list(packet.items.all()), language=patient_language(packet), day=day)
